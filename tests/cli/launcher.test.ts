// The launcher (bin/openclaw-kernel) turns on Node 22's module compile cache in a 0700
// folder of this user (OPENCLAW_COMPILE_CACHE names it; "0" turns it off). Node 20 has no
// such cache: the launcher runs the CLI the same, and writes nothing.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cli, SEED, tmp } from "../helpers/index.js";

const hasCache = (() => {
  const [maj, min] = process.versions.node.split(".").map(Number);
  return maj! > 22 || (maj === 22 && min! >= 1);
})();

// The compile cache serves the ES modules: every command but the ones run from a one-file bundle
// (doctor, config validate: bin/openclaw-kernel), which these tests' config validate runs as ES modules.
const ES = { OPENCLAW_CLI_BUNDLE: "0" };

const files = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []);

test("the compile cache is written to the named 0700 folder on Node 22, not at all when turned off", { skip: hasCache ? false : `Node ${process.versions.node} has no module.enableCompileCache (the launcher skips it)` }, (t) => {
  const d = tmp(t);
  const dir = join(d, "cc");
  const r = cli(["config", "validate", "--config", join(SEED, "openclaw.json")], { env: { ...ES, OPENCLAW_COMPILE_CACHE: dir } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(files(dir).length > 10, `compiled modules cached in ${dir}`);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  // A second run reads the cache and answers the same.
  const again = cli(["config", "validate", "--config", join(SEED, "openclaw.json")], { env: { ...ES, OPENCLAW_COMPILE_CACHE: dir } });
  assert.equal(again.code, 0);
  assert.equal(again.stdout, r.stdout);

  const off = join(d, "off");
  const o = cli(["config", "validate", "--config", join(SEED, "openclaw.json")], { env: { ...ES, OPENCLAW_COMPILE_CACHE: "0", XDG_CACHE_HOME: off } });
  assert.equal(o.code, 0);
  // (the package cache beside it, V8 code caches of the bundles and validators, has its own switch: OPENCLAW_TS_CODE_CACHE)
  assert.equal(existsSync(join(off, "openclaw-kernel", "compile-cache")), false, "OPENCLAW_COMPILE_CACHE=0 writes no compile cache");
  assert.deepEqual(files(join(off, "openclaw-kernel")).filter((f) => !f.endsWith(".v8cache")), [], "nor anything else but the package's code caches");
});

test("without a compile cache (Node 20, or turned off) the CLI answers the same", (t) => {
  const d = tmp(t);
  const on = cli(["config", "validate", "--config", join(SEED, "openclaw.json")], { env: { ...ES, OPENCLAW_COMPILE_CACHE: join(d, "cc") } });
  const off = cli(["config", "validate", "--config", join(SEED, "openclaw.json")], { env: { ...ES, OPENCLAW_COMPILE_CACHE: "0" } });
  assert.equal(on.code, 0, on.stderr);
  assert.equal(off.code, 0, off.stderr);
  assert.equal(on.stdout, off.stdout);
  if (!hasCache) assert.equal(existsSync(join(d, "cc")), false, "Node 20: nothing written");
});

test("a compile-cache folder others may write, or a symlink, or one under a folder others may write, is not used", { skip: hasCache ? false : `Node ${process.versions.node} has no module.enableCompileCache (the launcher skips it)` }, (t) => {
  const d = tmp(t);
  const run = (dir: string) => {
    const r = cli(["config", "validate", "--config", join(SEED, "openclaw.json")], { env: { ...ES, OPENCLAW_COMPILE_CACHE: dir } });
    assert.equal(r.code, 0, r.stderr);
  };
  // the folder itself writable by others (a planted cache would run as this user)
  const loose = join(d, "loose");
  mkdirSync(loose, { mode: 0o700 });
  chmodSync(loose, 0o777);
  run(loose);
  assert.deepEqual(files(loose), [], "nothing cached in a world-writable folder");
  // a symlink to a folder of ours
  const real = join(d, "real");
  mkdirSync(real, { mode: 0o700 });
  symlinkSync(real, join(d, "link"));
  run(join(d, "link"));
  assert.deepEqual(files(real), [], "nothing cached through a symlink");
  // a safe-looking folder whose parent others may write (it could be swapped)
  const shared = join(d, "shared");
  mkdirSync(join(shared, "cc"), { recursive: true, mode: 0o700 });
  chmodSync(shared, 0o777);
  run(join(shared, "cc"));
  assert.deepEqual(files(join(shared, "cc")), [], "nothing cached under a world-writable parent");
  // and the same call with a safe folder does cache (the test can fail)
  const ok = join(d, "ok");
  run(ok);
  assert.ok(files(ok).length > 10);
});
