#!/usr/bin/env node
// `npm test`: build, type-check tests and bench, check the import rules, then run every tests/**/*.test.ts with node's test runner (via tsx).
// Usage: npm test [-- tests/config]   (a folder or file narrows the run)
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

// System packages (Jupyter, bubblewrap, chromium): installed if missing (root + apt-get), else a clear message.
if (!process.env.OPENCLAW_SKIP_SYSTEM_DEPS) {
  const deps = spawnSync("bash", [join(root, "scripts/system-deps.sh")], { stdio: "inherit" });
  if (deps.status !== 0) process.exit(deps.status ?? 1);
}

// Three checks before the suite: the build (dist/, which the tests use) first, since some tests import
// dist/ modules and their declarations must be current (a pull that changed a kernel module's API
// failed the type check against the old dist/); then, side by side, the type check of tests/ and
// bench/ (tsconfig.test.json) and the floors' import rules (scripts/depcheck.mjs).
const tsc = join(root, "node_modules/typescript/bin/tsc");
const checks = [
  { what: "build", argv: [tsc, "-p", join(root, "tsconfig.json")], fix: "fix the TypeScript errors above" },
  { what: "type check of tests/ and bench/", argv: [tsc, "-p", join(root, "tsconfig.test.json")], fix: "fix the TypeScript errors above (tsconfig.test.json)" },
  { what: "dependency check", argv: [join(root, "scripts/depcheck.mjs")], fix: "see the forbidden imports above (rules: .dependency-cruiser.cjs)" },
];
const run = (c) =>
  new Promise((resolve) => {
    const p = spawn(process.execPath, c.argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("error", (e) => resolve({ ...c, code: 1, out: String(e) }));
    p.on("close", (code) => resolve({ ...c, code, out }));
  });
const built = await run(checks[0]);
const results = [built, ...(built.code === 0 ? await Promise.all(checks.slice(1).map(run)) : [])];
let failed = false;
for (const r of results) {
  if (r.out.trim()) process.stderr.write(r.out.endsWith("\n") ? r.out : `${r.out}\n`);
  if (r.code !== 0) {
    console.error(`${r.what} failed: ${r.fix}`);
    failed = true;
  }
}
if (failed) process.exit(1);
const validators = spawnSync(process.execPath, [join(root, "scripts/gen-validators.mjs")], { stdio: "inherit" });
if (validators.status !== 0) process.exit(validators.status ?? 1);

const targets = args.length ? args.flatMap((a) => (statSync(a).isDirectory() ? find(a) : [a])) : find(join(root, "tests"));
if (!targets.length) {
  console.error("no test files found");
  process.exit(1);
}
console.error(`running ${targets.length} test files with Node ${process.versions.node}`);
const r = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", `--test-concurrency=${process.env.OPENCLAW_TEST_CONCURRENCY ?? 2}`, ...targets.map((t) => relative(root, t))],
  { stdio: "inherit", cwd: root, env: { ...process.env, OPENCLAW_TEST: "1" } },
);
process.exit(r.status ?? 1);
