// The V8 code cache of the build's one-file yaml (runtime/code-cache.ts, issue 18 CLI start): doctor and
// every skills load parse SKILL.md with it, and V8 compiles yaml's parser on first use in each process
// unless the cached data (written at exit, after the parser ran) holds it. Checked here: a second
// process uses the data the first wrote; a changed module, damaged data, an unsafe folder and
// OPENCLAW_TS_CODE_CACHE=0 are misses that still parse the same; the cache file is owner-only and
// carries the module's stamp; the whole doctor reports the same skills with and without it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { CLI, ROOT, SEED, tmp } from "../helpers/index.js";

const DIST = join(ROOT, "dist");
const SKILL = join(ROOT, "skills", "local-rag", "SKILL.md");

/** Loads `file` through the code cache in a fresh process (cache folder `cache`), parses SKILL.md's frontmatter; what it did and what it parsed. */
function load(file: string, cache: string): { use: string; parsed: unknown } {
  const script = `
    const { requireWithCodeCache, codeCacheUse } = await import(${JSON.stringify(pathToFileURL(join(DIST, "runtime", "code-cache.js")).href)});
    const { readFileSync } = await import("node:fs");
    const y = requireWithCodeCache(${JSON.stringify(file)});
    const front = readFileSync(${JSON.stringify(SKILL)}, "utf8").split(/^---$/m)[1];
    const doc = y.parseDocument(front, { lineCounter: new y.LineCounter(), prettyErrors: false });
    process.stdout.write(JSON.stringify({ use: codeCacheUse.get(${JSON.stringify(file)}), parsed: doc.toJS(), errors: doc.errors.length }));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, env: { ...process.env, OPENCLAW_TS_CODE_CACHE: cache }, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { use: string; parsed: unknown; errors: number };
  assert.equal(out.errors, 0);
  return out;
}

const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".v8cache"));

test("a second process runs yaml from the code cache the first wrote; a changed module or damaged data is a miss", (t) => {
  const d = tmp(t);
  const cache = join(d, "cache");
  // A copy of the built bundle, so the test can change it without touching dist/.
  const file = join(d, "yaml.cjs");
  copyFileSync(join(DIST, "vendor", "yaml.cjs"), file);
  const first = load(file, cache);
  assert.equal(first.use, "written");
  const [name] = cacheFiles(cache);
  assert.ok(name?.startsWith("yaml.cjs-"), `no cache file in ${cache}: ${readdirSync(cache).join(", ")}`);
  assert.equal(statSync(join(cache, name!)).mode & 0o777, 0o600, "the cache file is owner-only");
  assert.equal(statSync(cache).mode & 0o777, 0o700, "the cache folder is owner-only");
  const data = readFileSync(join(cache, name!));
  const st = statSync(file, { bigint: true });
  assert.ok(data.subarray(0, 200).toString("latin1").startsWith(`${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:`), "the data starts with the module's stamp");

  const second = load(file, cache);
  assert.equal(second.use, "used", "the second process did not use the cached data");
  assert.deepEqual(second.parsed, first.parsed);

  // A rebuilt module (a new mtime): a miss, rewritten.
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  assert.equal(load(file, cache).use, "written");
  assert.equal(load(file, cache).use, "used");

  // Data V8 cannot use under the right stamp: rejected, the module still runs from its source.
  const good = readFileSync(join(cache, name!));
  const nl = good.indexOf(10) + 1;
  writeFileSync(join(cache, name!), Buffer.concat([good.subarray(0, nl), Buffer.alloc(good.length - nl, 7)]), { mode: 0o600 });
  const rejected = load(file, cache);
  assert.equal(rejected.use, "rejected");
  assert.deepEqual(rejected.parsed, first.parsed);
  assert.equal(load(file, cache).use, "used", "the rejected data was replaced at exit");
});

test("a module run through the code cache can import() builtins and packages through module.__ocImport (a vm.Script has no import() of its own)", (t) => {
  const d = tmp(t);
  const file = join(d, "m.cjs");
  writeFileSync(file, 'module.exports = Promise.all([module.__ocImport("node:path"), module.__ocImport("node:os")]).then(([p, o]) => typeof p.join + " " + typeof o.homedir);\n');
  const script = `
    const { requireWithCodeCache } = await import(${JSON.stringify(pathToFileURL(join(DIST, "runtime", "code-cache.js")).href)});
    for (let i = 0; i < 2; i++) process.stdout.write(await requireWithCodeCache(${JSON.stringify(file)}) + "\\n");
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, env: { ...process.env, OPENCLAW_TS_CODE_CACHE: join(d, "cache") }, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "function function\nfunction function\n");
  assert.equal(r.stderr, "", "no warning (an experimental vm loader would print one)");
});

test("no code cache from a folder others may write, nor with OPENCLAW_TS_CODE_CACHE=0 (plain require, same result)", (t) => {
  const d = tmp(t);
  const file = join(d, "yaml.cjs");
  copyFileSync(join(DIST, "vendor", "yaml.cjs"), file);
  const open = join(d, "open");
  assert.equal(load(file, open).use, "written");
  chmodSync(open, 0o777);
  const off = load(file, open);
  assert.equal(off.use, "off", "a world-writable cache folder was used");
  chmodSync(open, 0o700);
  assert.equal(load(file, "0").use, "off");
  assert.deepEqual(off.parsed, load(file, open).parsed);
});

test("doctor reports the same skills with and without the code cache, and leaves the cache for the next run", (t) => {
  const d = tmp(t);
  const cache = join(d, "cache");
  const run = (env: NodeJS.ProcessEnv) => {
    const r = spawnSync(process.execPath, [CLI, "doctor", "--json", "--config", join(SEED, "openclaw.json")], {
      cwd: ROOT,
      env: { ...process.env, OPENCLAW_CONFIG: "", ...env },
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    const checks = (JSON.parse(r.stdout) as { checks: Array<{ id: string; status: string; message: string }> }).checks;
    return checks.filter((c) => c.id.startsWith("skills."));
  };
  const plain = run({ OPENCLAW_TS_CODE_CACHE: "0" });
  assert.ok(
    plain.some((c) => c.id === "skills.loaded"),
    JSON.stringify(plain),
  );
  assert.deepEqual(run({ OPENCLAW_TS_CODE_CACHE: cache }), plain);
  assert.ok(
    cacheFiles(cache).some((f) => f.startsWith("yaml.cjs-")),
    "doctor wrote no yaml code cache",
  );
  assert.deepEqual(run({ OPENCLAW_TS_CODE_CACHE: cache }), plain);
});
