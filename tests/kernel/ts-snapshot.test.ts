/**
 * The TypeScript compiler's startup snapshot (kernel/ts-snapshot.ts): a worker warm-up
 * builds it in the background (owner-only files), the next compiler, in any folder, starts
 * from it and checks cells exactly as the worker did (type errors, completion, hover), sees
 * that folder as it is (a new @types package there) and a declaration file as it is now
 * (an edit that keeps its size and mtime), and a damaged or foreign-writable blob is never loaded.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CompilerThread } from "../../dist/kernel/ts-compiler.js";
import { findSnapshot, staleReason } from "../../dist/kernel/ts-snapshot.js";
import { PRELUDE } from "../../dist/kernel/typescript.js";

interface Converted {
  output?: string;
  diagnostics: Array<{ code: number; messageText: string }>;
}

const CELLS = ["const n: number = 'x';", "const s = [1, 2, 3].map((x) => x * 2); s", "process.env.HOME?.length ?? 0", 'import { readFileSync } from "node:fs"; typeof readFileSync', "await openclaw.rag.status()"];

async function session(cwd: string) {
  process.chdir(cwd);
  const c = new CompilerThread(() => PRELUDE, { cwd, prelude: PRELUDE });
  const warm = await c.warmed();
  const converted: Converted[] = [];
  for (const cell of CELLS) converted.push(await c.call<Converted>("convert", PRELUDE, cell));
  const completion = await c.call<{ candidates: string[] }>("complete", PRELUDE, "openclaw.rag.", "openclaw.rag.".length);
  const hover = await c.call<{ displayParts?: Array<{ text: string }> } | null>("inspect", PRELUDE, "openclaw.rag.query", "openclaw.rag.q".length);
  const built = await c.snapshotBuild;
  await c.close();
  return { kind: warm.kind, parseCache: warm.parseCache, converted, completion: completion.candidates, hover: (hover?.displayParts ?? []).map((p) => p.text).join(""), built };
}

test("compiler snapshot: built after a worker warm-up, used next in another folder, same checks; damaged or unsafe ones are not used", { timeout: 600_000 }, async (t) => {
  // The cells' folder is the process's, as in a kernel (tslab's converter reads it).
  const { dir, cache, cwd } = setup(t);

  // A folder's first compiler: a worker thread, then the snapshot is built.
  const first = await session(cwd);
  assert.equal(first.kind, "worker");
  assert.equal(first.built, true, "the snapshot build succeeded");
  const blobs = readdirSync(cache).filter((f) => f.endsWith(".blob"));
  assert.equal(blobs.length, 1);
  const blob = join(cache, blobs[0]!);
  assert.equal(statSync(blob).mode & 0o777, 0o600);
  assert.equal(statSync(blob.replace(/\.blob$/, ".json")).mode & 0o777, 0o600);
  assert.equal(statSync(cache).mode & 0o777, 0o700);
  assert.equal(findSnapshot(cache), blob);
  assert.deepEqual(readdirSync(cache).filter((f) => f.includes(".tmp")), [], "the build's own folder is gone");
  const elsewhere = new CompilerThread(() => PRELUDE, { cwd: dir, prelude: PRELUDE });
  try {
    assert.equal((await elsewhere.warmed()).kind, "worker", "a folder other than the process's gets no snapshot");
    assert.equal(elsewhere.snapshotBuild, undefined);
  } finally {
    await elsewhere.close();
  }

  // The type error still fails; the other cells check clean, as on the worker.
  assert.equal(first.converted[0]!.diagnostics[0]?.code, 2322);
  for (const c of first.converted.slice(1)) assert.deepEqual(c.diagnostics, [], JSON.stringify(c));

  // The next compiler, in a folder that never had one, starts from the snapshot and answers exactly the same.
  const other = join(dir, "other");
  mkdirSync(other);
  const second = await session(other);
  assert.equal(second.kind, "snapshot");
  assert.equal(second.built, undefined, "nothing rebuilt");
  assert.ok((second.parseCache?.hits ?? 0) > 50, `the declaration files' parses came from the snapshot: ${JSON.stringify(second.parseCache)}`);
  assert.deepEqual(second.converted, first.converted);
  assert.deepEqual(second.completion, first.completion);
  for (const m of ["query", "index", "status"]) assert.ok(second.completion.includes(m), `completion lists ${m}: ${second.completion.join(", ")}`);
  assert.equal(second.hover, first.hover);
  assert.match(second.hover, /query/);

  // A folder with its own @types package: the same snapshot serves it, and its converter sees the package (as a fresh one does).
  const types = join(other, "node_modules", "@types", "extra");
  mkdirSync(types, { recursive: true });
  writeFileSync(join(types, "index.d.ts"), "declare const extraGlobal: number;\n");
  assert.equal(findSnapshot(cache), blob, "still current: no folder's files are in it");
  const c3 = new CompilerThread(() => PRELUDE, { cwd: other, prelude: PRELUDE });
  try {
    assert.equal((await c3.warmed()).kind, "snapshot");
    const r = await c3.call<Converted>("convert", PRELUDE, "extraGlobal + 1");
    assert.deepEqual(r.diagnostics, [], "the new global is seen");
    assert.equal(c3.snapshotBuild, undefined, "nothing rebuilt");
  } finally {
    await c3.close();
  }
  // And the first folder, which has no such package, does not see it.
  process.chdir(cwd);
  const c3b = new CompilerThread(() => PRELUDE, { cwd, prelude: PRELUDE });
  try {
    assert.equal((await c3b.warmed()).kind, "snapshot");
    assert.equal((await c3b.call<Converted>("convert", PRELUDE, "extraGlobal + 1")).diagnostics[0]?.code, 2304);
  } finally {
    await c3b.close();
  }
  const rebuilt = findSnapshot(cache);
  assert.ok(rebuilt);

  // A blob others may write is never loaded (it is code).
  chmodSync(rebuilt, 0o666);
  assert.equal(findSnapshot(cache), undefined);
  chmodSync(rebuilt, 0o600);
  chmodSync(cache, 0o777);
  assert.equal(findSnapshot(cache), undefined, "not from a folder others may write");
  chmodSync(cache, 0o700);
  assert.equal(findSnapshot(cache), rebuilt);

  // A damaged blob: the process cannot start, the same requests are answered by a worker, the blob is dropped.
  writeFileSync(rebuilt, Buffer.alloc(4096, 7));
  const c4 = new CompilerThread(() => PRELUDE, { cwd, prelude: PRELUDE });
  try {
    const r = await c4.call<Converted>("convert", PRELUDE, "const n: number = 'x';");
    assert.equal(r.diagnostics[0]?.code, 2322);
    assert.equal(c4.kind, "worker");
    assert.equal(findSnapshot(cache), undefined);
  } finally {
    await c4.close();
  }
});

/** A temp folder with a cache and a work folder; the process works in the latter (as a kernel does). */
function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-ts-snapshot-"));
  const before = process.env.OPENCLAW_TS_CODE_CACHE;
  // The compiler and the background build never keep a process alive (a kernel has its sockets); a test has none.
  const keepAlive = setInterval(() => undefined, 1000);
  const home = process.cwd();
  t.after(() => {
    clearInterval(keepAlive);
    process.chdir(home);
    if (before === undefined) delete process.env.OPENCLAW_TS_CODE_CACHE;
    else process.env.OPENCLAW_TS_CODE_CACHE = before;
    rmSync(dir, { recursive: true, force: true });
  });
  const cache = join(dir, "cache");
  const cwd = join(dir, "work");
  mkdirSync(cwd);
  process.env.OPENCLAW_TS_CODE_CACHE = cache;
  process.chdir(cwd);
  return { dir, cache, cwd };
}

/** Builds this folder's snapshot through a worker warm-up. */
async function build(cwd: string): Promise<void> {
  const c = new CompilerThread(() => PRELUDE, { cwd, prelude: PRELUDE });
  try {
    assert.equal((await c.warmed()).kind, "worker");
    assert.equal(await c.snapshotBuild, true);
  } finally {
    await c.close();
  }
}

/** Converts until the answer is `want` (file watching is asynchronous) or the time is up; returns the last answer. */
async function convertUntil(c: CompilerThread, src: string, want: string, ms: number): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await c.call<Converted>("convert", PRELUDE, src);
    const got = r.diagnostics.map((d) => d.code).join(",") || "ok";
    if (got === want || Date.now() > end) return got;
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("compiler snapshot: a cache folder of another user is never used, chmod-ed or built in; the compiler still works", { timeout: 600_000, skip: process.getuid?.() !== 0 && "needs root to chown a folder to another user" }, async (t) => {
  const { cache, cwd } = setup(t);
  mkdirSync(cache, { mode: 0o755 });
  chmodSync(cache, 0o755);
  chownSync(cache, 65534, 65534);
  const c = new CompilerThread(() => PRELUDE, { cwd, prelude: PRELUDE });
  try {
    const w = await c.warmed();
    assert.equal(w.kind, "worker");
    assert.equal(w.codeCache, "ignored", "the code cache is not read from (or written to) it either");
    assert.equal(await c.snapshotBuild, false, "no build");
    const r = await c.call<Converted>("convert", PRELUDE, "const n: number = 'x';");
    assert.equal(r.diagnostics[0]?.code, 2322);
  } finally {
    await c.close();
  }
  assert.deepEqual(readdirSync(cache), [], "no job file, no blob, no cache file");
  const st = statSync(cache);
  assert.equal(st.mode & 0o777, 0o755, "not chmod-ed");
  assert.equal(st.uid, 65534);
});

test("compiler snapshot: a module created after a failed import is seen, as by a fresh compiler (watchers are live after load)", { timeout: 600_000 }, async (t) => {
  const { cwd } = setup(t);
  await build(cwd);
  for (const [i, want] of ["snapshot", "worker"].entries()) {
    if (want === "worker") process.env.OPENCLAW_TS_SNAPSHOT = "0";
    const c = new CompilerThread(() => PRELUDE, { cwd, prelude: PRELUDE });
    try {
      assert.equal((await c.warmed()).kind, want);
      const cell = `import { x } from "./mod_${i}"; x`;
      assert.equal(await convertUntil(c, cell, "2307", 0), "2307", "missing module");
      writeFileSync(join(cwd, `mod_${i}.ts`), "export const x: number = 1;\n");
      assert.equal(await convertUntil(c, cell, "ok", 60_000), "ok", `${want}: the new module is seen`);
      // And the compiler keeps working (a type error is still one).
      assert.equal(await convertUntil(c, "const n: number = 'x';", "2322", 0), "2322");
    } finally {
      delete process.env.OPENCLAW_TS_SNAPSHOT;
      await c.close();
    }
  }
});

test("compiler snapshot: a declaration file whose parse is in the snapshot is checked as it is now, even after an edit that keeps its size and mtime (touch -r)", { timeout: 600_000 }, async (t) => {
  const { dir, cache, cwd } = setup(t);
  // A prelude whose types come from a file of ours: the build parses it into the snapshot.
  const dts = join(dir, "types", "probe.d.ts");
  mkdirSync(join(dir, "types"));
  writeFileSync(dts, "export type Probe = number;\n");
  const prelude = `${PRELUDE}declare const probe: import(${JSON.stringify(dts.slice(0, -".d.ts".length))}).Probe;\n`;
  const cell = "const p: number = probe; p";
  const open = async (folder: string) => {
    process.chdir(folder);
    const c = new CompilerThread(() => prelude, { cwd: folder, prelude });
    return { c, warm: await c.warmed() };
  };
  const first = await open(cwd);
  try {
    assert.equal(first.warm.kind, "worker");
    assert.deepEqual((await first.c.call<Converted>("convert", prelude, cell)).diagnostics, []);
    assert.equal(await first.c.snapshotBuild, true);
  } finally {
    await first.c.close();
  }
  assert.ok(findSnapshot(cache));
  const ref = join(dir, "ref");
  copyFileSync(dts, ref);
  execFileSync("touch", ["-r", dts, ref]);
  writeFileSync(dts, "export type Probe = string;\n");
  execFileSync("touch", ["-r", ref, dts]);
  assert.equal(statSync(dts).mtimeMs, statSync(ref).mtimeMs);
  assert.equal(readFileSync(dts, "utf8").length, readFileSync(ref, "utf8").length);
  const folder = join(dir, "next");
  mkdirSync(folder);
  const next = await open(folder);
  try {
    assert.equal(next.warm.kind, "snapshot");
    assert.equal((await next.c.call<Converted>("convert", prelude, cell)).diagnostics[0]?.code, 2322, "the edited type is seen (string is not number)");
  } finally {
    await next.c.close();
  }
});

test("compiler snapshot: a compiler closed during its build leaves no build process and no leftovers; a dead builder's leftovers are removed", { timeout: 600_000 }, async (t) => {
  const { cache, cwd } = setup(t);
  mkdirSync(cache, { mode: 0o700 });
  // Leftovers of a builder that is gone (a pid above pid_max), however recent.
  const stale = join(cache, "ts-snapshot-0123456789abcdef01234567.4194305.tmp.blob");
  writeFileSync(stale, "x", { mode: 0o600 });
  // And the folder such a build ran in.
  mkdirSync(join(cache, "ts-snapshot-0123456789abcdef01234567.4194305.tmp.cwd", "x"), { recursive: true, mode: 0o700 });
  const c = new CompilerThread(() => PRELUDE, { cwd, prelude: PRELUDE });
  assert.equal((await c.warmed()).kind, "worker");
  const building = c.snapshotBuild;
  assert.ok(building);
  const builders = () =>
    readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(cache);
        } catch {
          return false;
        }
      });
  assert.ok(builders().length > 0, "the build runs");
  await c.close();
  assert.equal(await building, false, "the build was stopped");
  assert.deepEqual(builders(), [], "no build process left");
  assert.deepEqual(readdirSync(cache).filter((f) => f.startsWith("ts-snapshot-")), [], "no leftovers");
});

test("compiler snapshot: the manifest holds while the JavaScript loaded into it is unchanged; an edit that keeps a module's size and mtime (touch -r) makes it stale", { timeout: 600_000 }, async (t) => {
  const { dir, cache } = setup(t);
  await build(join(dir, "work"));
  const manifest = join(cache, readdirSync(cache).find((f) => /^ts-snapshot-[0-9a-f]+\.json$/.test(f))!);
  const m = JSON.parse(readFileSync(manifest, "utf8")) as { key: string; modules: Record<string, string | null> };
  const files = Object.keys(m.modules);
  assert.ok(files.some((f) => f.endsWith("typescript.js")) && files.some((f) => f.endsWith("converter.js")), `typescript.js and tslab's converter are listed: ${files.join(", ")}`);
  assert.ok(!files.some((f) => f.endsWith(".d.ts")), "no declaration file: those are checked by their text on every use");
  assert.equal(staleReason(m, m.key), undefined);
  assert.equal(staleReason(m, "another key"), "key");
  // A module of ours stands in for typescript.js (node_modules is shared and must not be edited).
  const mod = join(dir, "mod.js");
  writeFileSync(mod, "module.exports = 1;\n");
  const stampOf = (f: string) => {
    const s = statSync(f);
    return `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}`;
  };
  const withMod = { key: m.key, modules: { ...m.modules, [mod]: stampOf(mod) } };
  assert.equal(staleReason(withMod, m.key), undefined);
  const ref = join(dir, "mod.ref");
  copyFileSync(mod, ref);
  execFileSync("touch", ["-r", mod, ref]);
  writeFileSync(mod, "module.exports = 2;\n");
  execFileSync("touch", ["-r", ref, mod]);
  assert.equal(statSync(mod).mtimeMs, statSync(ref).mtimeMs);
  assert.equal(staleReason(withMod, m.key), `file ${mod}`);
});
