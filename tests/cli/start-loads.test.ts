// What a CLI process loads (issue 18, CLI start): `config validate` and `help` must not load
// ajv's compiler (the config schema is precompiled at build time), the skills' YAML parser,
// the RAG store's native index or the runtime's heavy parts; doctor must not load ajv's
// compiler or the patch tool. Every module the process loads (ESM through a loader hook,
// CommonJS through require's cache at exit) is written to a file and checked. Needs the build
// (dist/, dist/validators, dist/vendor), which npm test makes first.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { SEED, tmp, writeFile } from "../helpers/index.js";
import { loadedBy as traced } from "./loaded.js";

function loadedBy(t: { after(fn: () => void): void }, args: string[], codes = [0, 1]): string[] {
  const r = traced(t, args, codes);
  if (args.includes("validate")) assert.match(r.stdout, codes.includes(0) ? /is valid/ : /JSON syntax error/);
  return r.files;
}

const has = (loaded: string[], re: RegExp) => loaded.some((p) => re.test(p));

// The ajv compiler (core, code generation, vocabularies): not its small runtime helpers that
// the precompiled validators require (ajv/dist/runtime/*).
const AJV_COMPILER = /node_modules\/ajv\/dist\/(ajv|core|compile\/|vocabularies\/)/;
const HEAVY: Array<[string, RegExp]> = [
  ["ajv's compiler", AJV_COMPILER],
  ["ajv-formats' plugin (only its format table is precompiled in)", /node_modules\/ajv-formats\/dist\/index\.js$/],
  ["yaml", /node_modules\/yaml\//],
  ["diff", /node_modules\/diff\//],
  ["usearch", /node_modules\/usearch\//],
  ["the skills' params validator", /dist\/runtime\/skills\/params\.js$/],
  ["the governor", /dist\/runtime\/governor\/governor\.js$/],
  ["RAG", /dist\/runtime\/rag\/index\.js$/],
  ["the gateway", /dist\/runtime\/gateway\/index\.js$/],
  ["the kernel", /dist\/kernel\/main\.js$/],
  ["jsonc-parser's formatter", /node_modules\/jsonc-parser\/lib\/umd\/impl\/format\.js$/],
  // 16 internal modules on first import; the runtime's ids and fences use Web Crypto on first use.
  ["node:crypto", /^node:crypto$/],
];

test("config validate loads the precompiled validator and none of the heavy modules", (t) => {
  const loaded = loadedBy(t, ["config", "validate", "--config", join(SEED, "openclaw.json")]);
  // The trace works (otherwise the absences below prove nothing).
  assert.ok(has(loaded, /dist\/validators\/d-openclaw\.schema\.cjs$/), "the precompiled config validator is loaded");
  assert.ok(has(loaded, /dist\/bin\/openclaw-kernel\.js$/), "the ESM entry is seen");
  for (const [what, re] of HEAVY) assert.ok(!has(loaded, re), `config validate loaded ${what}: ${loaded.filter((p) => re.test(p)).slice(0, 3).join(", ")}`);
});

test("an invalid config is still explained without the ajv compiler (syntax errors name the problem)", (t) => {
  const d = tmp(t);
  const bad = writeFile(join(d, "bad.json"), '{"gateway": {');
  const loaded = loadedBy(t, ["config", "validate", "--config", bad], [2]);
  assert.ok(!has(loaded, AJV_COMPILER), "no ajv compiler for a syntax error either");
});

test("help loads no config machinery beyond the grammar; doctor loads no ajv compiler and no patch tool", (t) => {
  const help = loadedBy(t, ["help"]);
  assert.ok(has(help, /dist\/magics\/commands\/help\.js$/));
  for (const [what, re] of HEAVY) assert.ok(!has(help, re), `help loaded ${what}`);
  const doctor = loadedBy(t, ["doctor", "--config", join(SEED, "openclaw.json")]);
  assert.ok(has(doctor, /dist\/runtime\/doctor\/index\.js$/), "the doctor ran");
  assert.ok(has(doctor, /dist\/runtime\/skills\/registry\.js$/), "the skills check loaded the registry");
  assert.ok(!has(doctor, AJV_COMPILER), `doctor loaded ajv's compiler: ${doctor.filter((p) => AJV_COMPILER.test(p)).slice(0, 3).join(", ")}`);
  assert.ok(!has(doctor, /node_modules\/diff\//), "doctor loaded the patch tool (diff)");
  assert.ok(!has(doctor, /dist\/runtime\/skills\/params\.js$/), "doctor loaded the skills' params validator");
  // The skills' YAML parser comes from the build's one-file bundle, not the package's ~145 modules.
  assert.ok(has(doctor, /dist\/vendor\/yaml\.cjs$/), "doctor parsed SKILL.md with the bundled yaml");
  assert.ok(!has(doctor, /node_modules\/yaml\//), "doctor loaded the yaml package's modules");
});
