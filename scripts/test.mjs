#!/usr/bin/env node
// `npm test`: build, then run every tests/**/*.test.ts with node's test runner (via tsx).
// Usage: npm test [-- tests/config]   (a folder or file narrows the run)
import { spawnSync } from "node:child_process";
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

const build = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.json")], { stdio: "inherit" });
if (build.status !== 0) {
  console.error("build failed: fix the TypeScript errors above");
  process.exit(build.status ?? 1);
}
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
