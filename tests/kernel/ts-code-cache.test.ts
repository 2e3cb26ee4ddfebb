/**
 * The V8 code cache for tslab's typescript.js (kernel/ts-compiler-worker.ts): the first
 * load writes it (owner-only), the next load uses it, a corrupt file is rejected by V8
 * and rewritten, and cells compile the same either way.
 */
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CompilerThread } from "../../dist/kernel/ts-compiler.js";

const PRELUDE = "declare const x: number;\n";

async function load(dir: string): Promise<{ codeCache: string; output: string | undefined }> {
  const before = process.env.OPENCLAW_TS_CODE_CACHE;
  process.env.OPENCLAW_TS_CODE_CACHE = dir; // the worker copies process.env when it starts
  const c = new CompilerThread(() => PRELUDE);
  try {
    const w = await c.call<{ codeCache: string }>("warm", PRELUDE);
    const r = await c.call<{ output?: string; diagnostics: unknown[] }>("convert", PRELUDE, "x + 1");
    assert.deepEqual(r.diagnostics, []);
    return { codeCache: w.codeCache, output: r.output };
  } finally {
    if (before === undefined) delete process.env.OPENCLAW_TS_CODE_CACHE;
    else process.env.OPENCLAW_TS_CODE_CACHE = before;
    await c.close();
  }
}

test("typescript.js code cache: written once, used next, a corrupt one rejected and rewritten", { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-ts-cache-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cacheDir = join(dir, "cache");

  const first = await load(cacheDir);
  assert.equal(first.codeCache, "written");
  const files = readdirSync(cacheDir).filter((f) => f.endsWith(".v8cache"));
  assert.equal(files.length, 1, `one cache file, got ${files.join(", ")}`);
  const file = join(cacheDir, files[0]!);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
  assert.ok(statSync(file).size > 100_000);

  const second = await load(cacheDir);
  assert.equal(second.codeCache, "used");
  assert.equal(second.output, first.output);

  writeFileSync(file, Buffer.alloc(4096, 7));
  const third = await load(cacheDir);
  assert.equal(third.codeCache, "rejected");
  assert.equal(third.output, first.output);
  assert.ok(statSync(file).size > 100_000, "the rejected cache is rewritten");

  const off = await load("0");
  assert.equal(off.codeCache, "off");
  assert.equal(off.output, first.output);
});

test("typescript.js code cache: a file or folder not ours, or that others may write, is never read (V8 runs any cached data of the right length)", { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-ts-cache-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cacheDir = join(dir, "cache");
  const good = await load(cacheDir);
  assert.equal(good.codeCache, "written");
  const file = join(cacheDir, readdirSync(cacheDir).find((f) => f.endsWith(".v8cache"))!);
  assert.equal((await load(cacheDir)).codeCache, "used");

  // Group-writable file: ignored, then replaced by one of ours.
  chmodSync(file, 0o664);
  const groupWritable = await load(cacheDir);
  assert.equal(groupWritable.codeCache, "ignored");
  assert.equal(groupWritable.output, good.output);
  assert.equal(statSync(file).mode & 0o777, 0o600, "replaced by an owner-only file");
  assert.equal((await load(cacheDir)).codeCache, "used");

  // A folder others may write: neither read nor written.
  chmodSync(cacheDir, 0o777);
  const before = statSync(file).mtimeMs;
  assert.equal((await load(cacheDir)).codeCache, "ignored");
  assert.equal(statSync(file).mtimeMs, before, "nothing written into an unsafe folder");
  chmodSync(cacheDir, 0o700);

  if (process.getuid?.() === 0) {
    // Another user's file (as root, chown is possible): ignored.
    chownSync(file, 65534, 65534);
    assert.equal((await load(cacheDir)).codeCache, "ignored");
    assert.equal(statSync(file).uid, 0, "replaced by one of ours");
    chownSync(file, 65534, 65534);
    // Another user's folder: ignored, and not chmod-ed or written.
    chownSync(cacheDir, 65534, 65534);
    chmodSync(cacheDir, 0o755);
    const foreign = await load(cacheDir);
    assert.equal(foreign.codeCache, "ignored");
    assert.equal(foreign.output, good.output);
    assert.equal(statSync(cacheDir).mode & 0o777, 0o755);
    assert.equal(statSync(file).uid, 65534);
  }
});
