#!/usr/bin/env node
// Build step: compiles the JSON Schemas the runtime validates against into standalone
// validator modules (ajv's standalone code) under dist/validators/, so a CLI process or a
// kernel never loads or runs the ajv compiler for them. Each module records the schema it
// was built from (its text and sha256); runtime/config/schema.ts falls back to compiling at
// run time when the schema file no longer matches (a schema edited without a rebuild).
// Also bundles the yaml package into one file, dist/vendor/yaml.cjs (at the end).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Script } from "node:vm";

const root = new URL("..", import.meta.url).pathname;
const require = createRequire(join(root, "package.json"));
const { default: Ajv, _ } = require("ajv");
const standaloneCode = require("ajv/dist/standalone").default;
const addFormats = require("ajv-formats");

// [schema file, with defaults filled (useDefaults)]: the ones validator() is asked for.
export const PRECOMPILED = [
  ["openclaw.schema.json", true],
  ["openclaw.schema.json", false],
  ["skill.schema.json", false],
  ["gateway-protocol.schema.json", false],
];

/**
 * ajv's standalone module with its root validate function compiled when the module is
 * (a parenthesized function expression, V8's eager-compile hint), not on the first call
 * after a pre-parse: the module is loaded to be called at once, so this saves the second
 * parse of the largest function (the config validator is ~95 KB), and Node 22's compile
 * cache (bin/openclaw-kernel) then holds its compiled code too. Any other shape is left as is.
 */
export function eagerRoot(code) {
  const head = /^"use strict";module\.exports = (validate\d+);module\.exports\.default = \1;/.exec(code);
  if (!head) return code;
  const name = head[1];
  const body = code.slice(head[0].length).trimEnd();
  const at = body.lastIndexOf(`function ${name}(`);
  if (at < 0 || !body.endsWith("}")) return code;
  const eager = `"use strict";${body.slice(0, at)}const ${name} = (${body.slice(at)});\nmodule.exports = ${name};module.exports.default = ${name};\n`;
  try {
    new Script(eager); // the root function ran to the end of the code: else this is not valid JavaScript
  } catch {
    return code;
  }
  return eager;
}

export function validatorFile(schema, withDefaults) {
  return `${withDefaults ? "d" : "p"}-${schema.replace(/\.json$/, "")}.cjs`;
}

const out = join(root, "dist", "validators");
mkdirSync(out, { recursive: true });
for (const [schema, withDefaults] of PRECOMPILED) {
  const text = readFileSync(join(root, "schemas", schema), "utf8");
  const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: withDefaults, allowUnionTypes: true, code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(text));
  // The schema's text itself rides along: the run-time freshness check is a string compare,
  // so a CLI start needs no node:crypto (16 internal modules to load) for it.
  const code = `${eagerRoot(standaloneCode(ajv, validate))}\nmodule.exports.schemaSha256 = ${JSON.stringify(createHash("sha256").update(text).digest("hex"))};\nmodule.exports.schemaText = ${JSON.stringify(text)};\n`;
  writeFileSync(join(out, validatorFile(schema, withDefaults)), code);
}
// Operation params (runtime/operations/table.ts, as built): one standalone validator per
// operation, so a CLI command (rag query, …) does not load and run ajv's compiler to check
// its flags; runtime/operations/validate.ts uses one only while its params (as JSON text) are the same.
let ops = 0;
const table = join(root, "dist", "runtime", "operations", "table.js");
if (existsSync(table)) {
  const { OPERATIONS } = await import(pathToFileURL(table).href);
  for (const o of OPERATIONS) {
    if (!Object.keys(o.params.properties ?? {}).length) continue;
    const ajv = new Ajv({ allErrors: false, strict: true, useDefaults: true, allowUnionTypes: true, code: { source: true } });
    const validate = ajv.compile(o.params);
    writeFileSync(join(out, `op-${o.name}.cjs`), `${eagerRoot(standaloneCode(ajv, validate))}\nmodule.exports.paramsText = ${JSON.stringify(JSON.stringify(o.params))};\n`);
    ops++;
  }
}
console.error(`validators: ${PRECOMPILED.length} schemas and ${ops} operations' params precompiled into dist/validators/`);

// The skills' YAML parser as one file (dist/vendor/yaml.cjs): the yaml package is ~145
// CommonJS modules, whose loading was most of a `doctor` run's skills check (~35 ms of a
// ~10 ms parse). runtime/vendor.ts loads it when its recorded version matches the installed
// package, else the package itself. esbuild only bundles here; nothing of it runs at run time.
{
  const { buildSync } = require("esbuild");
  const pkg = JSON.parse(readFileSync(join(root, "node_modules", "yaml", "package.json"), "utf8"));
  const vendor = join(root, "dist", "vendor");
  mkdirSync(vendor, { recursive: true });
  buildSync({ entryPoints: [require.resolve("yaml")], bundle: true, platform: "node", format: "cjs", target: "node20", outfile: join(vendor, "yaml.cjs"), logLevel: "warning", legalComments: "inline", footer: { js: `module.exports.vendoredVersion = ${JSON.stringify(pkg.version)};` } });
  console.error(`vendor: yaml ${pkg.version} bundled into dist/vendor/yaml.cjs`);
}

// The CLI's lazy command table (bin/cli-table.ts): every command's grammar as one JSON file,
// so a CLI process imports only the command it runs (issue 18, CLI start).
{
  const file = join(root, "dist", "bin", "cli-table.js");
  if (existsSync(file)) {
    const { writeCliTable } = await import(pathToFileURL(file).href);
    console.error(`cli table: ${await writeCliTable()} commands' grammar written to dist/bin/cli-table.json`);
  }
}

// The CLI as one CommonJS file per command whose start it shortens (scripts/gen-cli-bundle.mjs);
// written last, after everything it is made from.
if (existsSync(join(root, "dist", "bin", "openclaw-kernel.js"))) {
  const { writeCliBundle } = await import("./gen-cli-bundle.mjs");
  const n = await writeCliBundle(root);
  console.error(`cli bundles: doctor ${n.doctor} modules in dist/bin/cli-doctor.cjs, config validate ${n.validate} in dist/bin/cli-validate.cjs, rag ${n.rag} in dist/bin/cli-rag.cjs`);
}
