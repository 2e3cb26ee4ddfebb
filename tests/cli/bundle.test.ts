// doctor and config validate run from the build's one-file CLIs (dist/bin/cli-doctor.cjs, cli-validate.cjs:
// scripts/gen-cli-bundle.mjs) through a V8 code cache (runtime/code-cache.ts) instead of ~85 and ~30 ES
// modules (issue 18, CLI start). Checked here: they answer exactly as the ES modules do (text, --json,
// exit codes, usage errors, broken configs), they load the bundle and not the modules, the code cache
// one run writes is used by the next, and a bundle older than (or of other sizes than) a module it was
// made from, or config validate's with a stale command table, is not used. Needs the build.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CLI, ROOT, SEED, tmp } from "../helpers/index.js";
import { loadedBy } from "./loaded.js";

const bundleInputs = (dist: string, tag: string) =>
  (JSON.parse(readFileSync(join(dist, "bin", "cli-bundle.json"), "utf8")) as { bundles: Record<string, { inputs: Record<string, number> }> }).bundles[tag]!.inputs;

function run(cli: string, args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  // No probe cache: its "probed N min ago" would differ between the two runs compared.
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: ROOT, env: { ...process.env, OPENCLAW_CONFIG: "", OPENCLAW_DOCTOR_CACHE: "0", ...env }, encoding: "utf8", timeout: 60_000 });
  // The audit check names when the chain was last verified (by the run before): the same text but for that time.
  const when = (s: string) => s.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>");
  return { code: r.status, stdout: when(r.stdout), stderr: when(r.stderr) };
}

test("doctor from the one-file CLI answers as the ES modules do: text, --json, exit codes, usage errors, a broken config", (t) => {
  const d = tmp(t);
  const broken = join(d, "broken.json");
  writeFileSync(broken, '{"gateway": {"bind": "0.0.0.0:18789"}, "gatewy": 1}');
  const cases = [
    ["doctor", "--config", join(SEED, "openclaw.json")],
    ["doctor", "--json", "--config", join(SEED, "openclaw.json")],
    ["doctor", "--config", broken],
    ["doctor", "--json", "--config", join(d, "missing.json")],
    ["doctor", "--bogus"],
    ["doctor", "--help"],
  ];
  for (const args of cases) {
    const bundled = run(CLI, args);
    const modules = run(CLI, args, { OPENCLAW_CLI_BUNDLE: "0" });
    assert.deepEqual(bundled, modules, `doctor ${args.join(" ")}`);
  }
  assert.equal(run(CLI, cases[2]!).code, 1, "a broken config is a failed check (exit 1)");
  assert.equal(run(CLI, cases[4]!).code, 2, "an unknown flag is a usage error (exit 2)");
});

test("config validate from its one-file CLI answers as the ES modules do: valid, syntax error, unknown key, unsafe, secret, missing, usage errors, --help", (t) => {
  const d = tmp(t);
  const files: Record<string, string> = {
    syntax: '{"gateway": {',
    unknownKey: '{"gatewy": {}}',
    unsafe: '{"gateway": {"bind": "0.0.0.0:18789"}}',
    secret: '{"models": {"providers": {"openai": {"baseURL": "https://user:pw@example.com/v1"}}}}',
  };
  const paths = [join(SEED, "openclaw.json"), join(d, "missing.json")];
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(d, `${name}.json`), content);
    paths.push(join(d, `${name}.json`));
  }
  const cases = paths.flatMap((p) => [
    ["config", "validate", "--config", p],
    ["config", "validate", "--json", "--config", p],
  ]);
  cases.push(["config", "validate", "--bogus"], ["config", "validate", "--help"], ["config", "validate", "extra"], ["config", "validate"]);
  const codes = new Set<number | null>();
  for (const args of cases) {
    const bundled = run(CLI, args);
    assert.deepEqual(bundled, run(CLI, args, { OPENCLAW_CLI_BUNDLE: "0" }), args.join(" "));
    codes.add(bundled.code);
  }
  assert.deepEqual([...codes].sort(), [0, 2, 78], "valid (0), invalid and usage errors (2), unsafe (78) were all seen");
});

test("config validate loads its bundle and the precompiled validator, nothing else of the package's code; within a file budget", (t) => {
  const { files, stdout } = loadedBy(t, ["config", "validate", "--config", join(SEED, "openclaw.json")], [0], { bundle: true });
  assert.match(stdout, /is valid/);
  const rel = files.filter((p) => p.startsWith(ROOT + "/")).map((p) => p.slice(ROOT.length + 1));
  assert.ok(rel.includes("dist/bin/cli-validate.cjs") && rel.includes("dist/bin/code-cache.cjs"), `config validate did not run from its bundle:\n${rel.join("\n")}`);
  assert.deepEqual(
    rel.filter((p) => p.startsWith("dist/") && p.endsWith(".js")),
    [],
    "an ES module of dist/ was loaded",
  );
  assert.ok(rel.includes("dist/validators/d-openclaw.schema.cjs"));
  assert.ok(!rel.some((p) => /node_modules\/(ajv\/dist\/(ajv|core|compile)|yaml\/|stemmer|usearch)/.test(p)), "config validate loaded ajv's compiler, yaml, stemmer or usearch");
  assert.ok(rel.length <= 11, `config validate loads ${rel.length} package files (budget 11, was 31 as ES modules):\n${rel.join("\n")}`);
});

test("the bundles are strict code like the ES modules they are made from, ASCII, and import() only through the importer", () => {
  const dist = join(ROOT, "dist");
  const rec = JSON.parse(readFileSync(join(dist, "bin", "cli-bundle.json"), "utf8")) as { bundles: Record<string, { file: string }> };
  for (const { file } of Object.values(rec.bundles)) {
    const text = readFileSync(join(dist, file), "latin1");
    assert.ok(text.startsWith('"use strict";\n'), `${file} does not start with "use strict" (a banner before it turns the whole file into sloppy code)`);
    assert.ok(!/[^\0-\x7f]/.test(text), `${file} is not ASCII`);
    assert.deepEqual(text.match(/\bimport\((?!specifier\)|s\))[^)]*\)/g) ?? [], [], `${file} calls import() itself (a vm.Script has none)`);
  }
});

// On a terminal the CLI asks node:tty whether it may prompt (bin/openclaw-kernel.ts): an import() from code
// the launcher runs through a vm.Script, which has none of its own (runtime/code-cache.ts hands it one).
test("on a terminal (a pty through script(1)) doctor and config validate from their bundles answer as the ES modules do", (t) => {
  const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" });
  if (hasScript.status !== 0) return t.skip("script(1) (util-linux) is not installed: no pty to run the CLI on");
  const onPty = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const cmd = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { cwd: ROOT, env: { ...process.env, OPENCLAW_CONFIG: "", OPENCLAW_DOCTOR_CACHE: "0", ...env }, encoding: "utf8", timeout: 60_000 });
    return { code: r.status, out: r.stdout.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>") };
  };
  for (const args of [
    ["config", "validate", "--config", join(SEED, "openclaw.json")],
    ["doctor", "--config", join(SEED, "openclaw.json")],
    ["doctor", "--json", "--config", join(SEED, "openclaw.json")],
  ]) {
    const bundled = onPty(args);
    assert.doesNotMatch(bundled.out, /dynamic import|TypeError/, `${args.join(" ")} on a terminal:\n${bundled.out}`);
    assert.deepEqual(bundled, onPty(args, { OPENCLAW_CLI_BUNDLE: "0" }), args.join(" "));
  }
});

test("doctor loads the bundle, not the ES modules it was made from; within a file budget", (t) => {
  const { files } = loadedBy(t, ["doctor", "--config", join(SEED, "openclaw.json")], [0, 1], { bundle: true });
  const rel = files.filter((p) => p.startsWith(ROOT + "/")).map((p) => p.slice(ROOT.length + 1));
  assert.ok(rel.includes("dist/bin/cli-doctor.cjs"), `doctor did not run from the bundle:\n${rel.join("\n")}`);
  assert.ok(rel.includes("dist/bin/code-cache.cjs"), "the launcher's loader of the bundle");
  assert.deepEqual(
    rel.filter((p) => p.startsWith("dist/") && p.endsWith(".js")),
    [],
    "an ES module of dist/ was loaded",
  );
  assert.ok(rel.includes("dist/vendor/yaml.cjs") && rel.includes("dist/validators/d-openclaw.schema.cjs"), "the skills check and the config check ran");
  assert.ok(!rel.some((p) => /node_modules\/(ajv\/dist\/(ajv|core|compile)|diff\/|yaml\/)/.test(p)), "doctor loaded ajv's compiler, the patch tool or the yaml package");
  // A budget, so a new static import on this path is a decision (was 84 package files as ES modules).
  assert.ok(rel.length <= 14, `doctor loads ${rel.length} package files (budget 14):\n${rel.join("\n")}`);
});

test("doctor's ES modules stay within a file budget (what a stale bundle and OPENCLAW_CLI_BUNDLE=0 load)", (t) => {
  const { files } = loadedBy(t, ["doctor", "--config", join(SEED, "openclaw.json")]);
  const rel = files.filter((p) => p.startsWith(ROOT + "/")).map((p) => p.slice(ROOT.length + 1));
  assert.ok(rel.includes("dist/runtime/doctor/index.js") && !rel.includes("dist/bin/cli-doctor.cjs"));
  assert.ok(rel.length <= 85, `doctor loads ${rel.length} package files as ES modules (budget 85):\n${rel.join("\n")}`);
});

test("the bundle's code cache is written by the first doctor and used by the next", (t) => {
  const cache = join(tmp(t), "cache");
  const args = ["doctor", "--json", "--config", join(SEED, "openclaw.json")];
  const first = run(CLI, args, { OPENCLAW_TS_CODE_CACHE: cache });
  const name = readdirSync(cache).find((f) => f.startsWith("cli-doctor.cjs-doctor-"));
  assert.ok(name, `no doctor code cache in ${cache}: ${readdirSync(cache).join(", ")}`);
  assert.equal(statSync(join(cache, name)).mode & 0o777, 0o600);
  const written = statSync(join(cache, name)).mtimeMs;
  assert.deepEqual(run(CLI, args, { OPENCLAW_TS_CODE_CACHE: cache }), first);
  assert.equal(statSync(join(cache, name)).mtimeMs, written, "the second doctor rewrote the cache (it did not use it)");
});

test("a bundle older than a module it was made from, or of other sizes, is not used, nor config validate's with a stale command table", (t) => {
  // A package-shaped copy: bin/, dist/, schemas/, skills/, package.json, and the packages by link.
  const pkg = tmp(t);
  for (const p of ["bin", "dist", "schemas", "skills", "package.json"]) cpSync(join(ROOT, p), join(pkg, p), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
  const dist = join(pkg, "dist");
  const cli = join(pkg, "bin", "openclaw-kernel");
  /** Which bundle the command ran from ("" for the ES modules). */
  const ranFrom = (args: string[]) => {
    const r = spawnSync(
      process.execPath,
      [
        "-e",
        `process.argv.splice(1, 0, ${JSON.stringify(cli)}); process.on("exit", () => require("fs").writeSync(2, "\\nBUNDLE " + Object.keys(require.cache).filter((k) => /\\/bin\\/cli-(doctor|validate)\\.cjs$/.test(k)).map((k) => k.split("/").pop()).join(",") + "\\n")); import(${JSON.stringify(cli)})`,
        ...args,
        "--config",
        join(SEED, "openclaw.json"),
      ],
      { cwd: ROOT, env: { ...process.env, OPENCLAW_CONFIG: "", OPENCLAW_TS_CODE_CACHE: join(pkg, "cache") }, encoding: "utf8", timeout: 60_000 },
    );
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    return /BUNDLE (.*)\n/.exec(r.stderr)![1];
  };
  const doctor = () => ranFrom(["doctor"]);
  const validate = () => ranFrom(["config", "validate"]);
  assert.equal(doctor(), "cli-doctor.cjs", "a fresh copy runs doctor from its bundle");
  assert.equal(validate(), "cli-validate.cjs", "a fresh copy runs config validate from its bundle");
  assert.ok(bundleInputs(dist, "doctor")["runtime/doctor/index.js"] && bundleInputs(dist, "config-validate")["runtime/config/load.js"], "the record lists the modules each bundle was made from");
  assert.equal(bundleInputs(dist, "config-validate")["magics/commands/doctor.js"], undefined, "config validate's bundle leaves the other commands out");
  assert.equal(bundleInputs(dist, "doctor")["magics/commands/rag.js"], undefined, "doctor's bundle leaves the other commands out");
  // tsc rebuilt a module after the bundle was made
  const m = join(dist, "runtime", "config", "validate.js");
  const before = statSync(m);
  utimesSync(m, new Date(), new Date(Date.now() + 5000));
  assert.equal(doctor(), "", "a module newer than the bundle makes it stale");
  assert.equal(validate(), "");
  utimesSync(m, before.atime, before.mtime);
  assert.equal(doctor(), "cli-doctor.cjs");
  // a module of another size with an old mtime (an edit, then a touch)
  appendFileSync(m, "\n");
  utimesSync(m, before.atime, before.mtime);
  assert.equal(doctor(), "", "a module of another size makes it stale");
  assert.equal(validate(), "");
  writeFileSync(m, readFileSync(join(ROOT, "dist", "runtime", "config", "validate.js")));
  utimesSync(m, before.atime, before.mtime);
  assert.equal(validate(), "cli-validate.cjs");
  // a command module config validate's bundle does not hold, rebuilt after the command table: the table is stale (bin/cli-table.ts), so is that bundle
  const g = join(dist, "magics", "commands", "rag.js");
  const gStat = statSync(g);
  utimesSync(g, new Date(), new Date(Date.now() + 5000));
  assert.equal(validate(), "", "config validate's bundle was used with a stale command table");
  assert.equal(doctor(), "", "doctor's bundle was used with a stale command table");
  utimesSync(g, gStat.atime, gStat.mtime);
  assert.equal(doctor(), "cli-doctor.cjs");
  // a table file that does not read (bin/cli-table.ts would import the whole grammar)
  const table = join(dist, "bin", "cli-table.json");
  const tableStat = statSync(table);
  writeFileSync(table, readFileSync(table, "utf8").slice(0, 100));
  utimesSync(table, tableStat.atime, tableStat.mtime);
  assert.equal(doctor(), "", "doctor's bundle was used with a broken command table");
  assert.equal(validate(), "");
});

test("the rag commands from their one-file CLI answer as the ES modules do: index, query in each mode (--json and text), status, usage errors; and they load the bundle", async (t) => {
  const d = tmp(t);
  const ws = join(d, "ws");
  cpSync(join(ROOT, "workspace"), ws, { recursive: true });
  const config = join(d, "openclaw.json");
  writeFileSync(config, JSON.stringify({ agentDefaults: { workspace: ws }, stateDir: join(d, "state") }));
  const env = { OPENCLAW_TS_CODE_CACHE: join(d, "cache") };
  assert.equal(run(CLI, ["rag", "index", "--config", config], env).code, 0);
  // (tookMs differs between two runs: the same text but for it)
  const took = (r: { code: number | null; stdout: string; stderr: string }) => ({ ...r, stdout: r.stdout.replace(/"tookMs": [\d.]+/g, '"tookMs": 0').replace(/\d+(\.\d+)? ms\b/g, "<ms>") });
  const q = "How do we onboard new hires for product training?";
  const cases = [
    ["rag", "query", q, "--json", "--config", config],
    ["rag", "query", q, "--mode", "dense", "--json", "--config", config],
    ["rag", "query", q, "--mode", "lexical", "--json", "--config", config],
    ["rag", "query", q, "--config", config],
    ["--json", "--config", config, "rag", "query", "bicycle parking"],
    ["rag", "status", "--json", "--config", config],
    ["rag", "query", "x", "--topk", "0", "--config", config],
    ["rag", "query", "--help"],
  ];
  for (const args of cases) assert.deepEqual(took(run(CLI, args, env)), took(run(CLI, args, { ...env, OPENCLAW_CLI_BUNDLE: "0" })), args.join(" "));
  assert.equal(run(CLI, cases[6]!, env).code, 2, "a usage error exits 2");
  const { files } = loadedBy(t, ["rag", "query", q, "--json", "--config", config], [0], { bundle: true });
  assert.ok(files.some((f) => f.endsWith("dist/bin/cli-rag.cjs")), "the rag bundle ran");
  assert.ok(!files.some((f) => f.endsWith("dist/runtime/rag/index.js")), "not the ES modules it was made from");
});
