// A one-query process (the CLI) answering a dense or hybrid query: the question embedded on a
// thread of its own while the index is read (embedAside), the int8 copy of the vectors on disk
// (vectors.i8) scanned instead of reading vectors.f32 whole, BM25 postings read per query
// term, and the optimized ONNX graph cached. Each must give the answer the long-lived hosts give.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { pruneCacheFiles } from "../../runtime/cache-dir.js";
import { useLitePackageDir } from "../../runtime/rag/embedders/index.js";
import { Rag } from "../../runtime/rag/index.js";
import { DiskVectors, indexDirFor, q8Current, readLexical, readManifest, VECTORS_Q8, writeIndex } from "../../runtime/rag/store.js";
import { normalize, Q8_MIN, VectorSearch } from "../../runtime/rag/vectors.js";
import type { Manifest } from "../../runtime/rag/types.js";
import { ROOT, tmp } from "../helpers/index.js";
import { CountingEmbedder, makeRuntime, packageCacheIn } from "./helpers.js";

function unitRows(n: number, d: number, seed: number): Float32Array {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) | 0) >>> 8) / 16777216 - 0.5;
  const v = new Float32Array(n * d);
  for (let i = 0; i < v.length; i++) v[i] = r();
  for (let i = 0; i < n; i++) normalize(v.subarray(i * d, (i + 1) * d));
  return v;
}

function manifestFor(n: number, dims: number, ready: number): Manifest {
  return { format: 2, textVersion: 0, workspace: "/nowhere", embedder: "test", dims, chunkChars: 1200, overlapChars: 200, createdAt: "", updatedAt: "", files: {}, chunkCount: n, dense: { ready } } as unknown as Manifest;
}

test("vectors.i8: written beside complete vectors, removed beside partial ones; DiskVectors ranks as the in-memory int8 scan does, with exact cosines; a stale stamp is not used", (t) => {
  const dir = tmp(t, "oc-q8-");
  const d = 48;
  const n = Q8_MIN + 500;
  const v = unitRows(n, d, 3);
  const m = manifestFor(n, d, n);
  writeIndex(dir, m, v);
  assert.ok(existsSync(join(dir, VECTORS_Q8)), "complete vectors get an int8 copy");
  assert.equal(statSync(join(dir, VECTORS_Q8)).size, 32 + n * d);
  assert.ok(q8Current(dir, m));
  const disk = DiskVectors.open(dir, m)!;
  t.after(() => disk.close());
  assert.ok(disk, "opens a current copy");
  const mem = new VectorSearch(d, v, undefined, { int8: true });
  const qs = unitRows(25, d, 9);
  for (let i = 0; i < 25; i++) {
    const q = qs.slice(i * d, (i + 1) * d);
    assert.deepEqual(disk.search(q, 10), mem.search(q, 10, { version: n }), `query ${i}: same rows, same scores`);
    let s = 0;
    for (let j = 0; j < d; j++) s += v[7 * d + j]! * q[j]!;
    assert.equal(disk.cosine(7, q), s, "a row read by position gives the f32 cosine");
  }
  // another manifest's vectors (a write that stopped between vectors.f32 and manifest.json): not used
  assert.equal(DiskVectors.open(dir, { ...m, vectorsSha256: "0".repeat(64) }), undefined);
  assert.equal(q8Current(dir, { ...m, vectorsSha256: "0".repeat(64) }), false);
  // partial vectors: the copy goes (a one-query process then reads vectors.f32 as before)
  writeIndex(dir, manifestFor(n, d, n - 1), v);
  assert.equal(existsSync(join(dir, VECTORS_Q8)), false, "no int8 copy of partial vectors");
  // below Q8_MIN rows the f32 scan is cheap: no copy
  const small = tmp(t, "oc-q8-small-");
  writeIndex(small, manifestFor(100, d, 100), unitRows(100, d, 4));
  assert.equal(existsSync(join(small, VECTORS_Q8)), false);
});

/** A workspace of `files` documents, each of three sections long enough to be chunks of their own. */
function bigWorkspace(root: string, files: number): string {
  const ws = join(root, "ws");
  mkdirSync(ws, { recursive: true });
  const words = "socket retry archive kernel packet buffer signal thread cursor ledger harbor violet meadow copper lantern quartz".split(" ");
  for (let f = 0; f < files; f++) {
    const sec = (k: number) => `## Part ${k} of doc ${f}\n\n` + Array.from({ length: 60 }, (_, i) => `${words[(f * 7 + k * 3 + i) % words.length]}${(f + i) % 13}`).join(" ") + ` topic${f % 50} item${f}.\n\n`;
    writeFileSync(join(ws, `doc${f}.md`), `# Document ${f}\n\n${sec(1)}${sec(2)}${sec(3)}`);
  }
  return ws;
}

test("a CLI Rag answers from vectors.i8 and per-term postings exactly as a long-lived host does; a missing or stale copy is made again from checked vectors", async (t) => {
  const root = tmp(t, "oc-fresh-");
  const ws = bigWorkspace(root, 760);
  const { runtime, stateDir } = makeRuntime(t, { workspace: ws, rag: { chunkChars: 400, overlapChars: 0 } });
  const indexer = new Rag({ runtime, embedder: new CountingEmbedder() });
  const rep = await indexer.index();
  await indexer.close();
  assert.ok(rep.chunks >= Q8_MIN, `${rep.chunks} chunks (the int8 copy starts at ${Q8_MIN})`);
  const dir = indexDirFor(stateDir, ws);
  assert.ok(existsSync(join(dir, VECTORS_Q8)), "rag index writes the int8 copy");
  const qs = ["socket retry in topic7", "violet meadow lantern", "item42 copper"];
  const strip = (r: { results: unknown[]; found?: boolean; evidence?: unknown; summary: string }) => ({ results: r.results, found: r.found, evidence: r.evidence, summary: r.summary });
  const kernel = new Rag({ runtime, embedder: new CountingEmbedder(), backgroundDense: true, watchFolders: false });
  t.after(() => kernel.close());
  const want = new Map<string, unknown>();
  for (const q of qs) for (const mode of ["hybrid", "dense", "lexical"] as const) want.set(`${mode}:${q}`, strip(await kernel.query(q, { mode })));

  /** Every query in a process of its own; the first one reads the copy on disk (or, with firstDisk false, vectors.f32, and makes the copy). */
  const fresh = async (firstDisk: boolean) => {
    let expectDisk = firstDisk;
    for (const mode of ["hybrid", "dense", "lexical"] as const) {
      for (const q of qs) {
        const cli = new Rag({ runtime, embedder: new CountingEmbedder() });
        try {
          assert.deepEqual(strip(await cli.query(q, { mode })), want.get(`${mode}:${q}`), `${mode} "${q}"`);
          if (mode === "lexical") continue;
          const L = (cli as unknown as { loaded: { disk?: unknown; vectors?: unknown } }).loaded;
          assert.equal(!!L.disk, expectDisk, expectDisk ? "scanned the copy on disk" : "read vectors.f32");
          if (expectDisk) assert.equal(L.vectors, undefined, "vectors.f32 not read whole");
          expectDisk = true;
        } finally {
          await cli.close();
        }
      }
    }
  };
  await fresh(true);
  // an index from before vectors.i8: the first query reads (and checks) vectors.f32 and writes the copy
  rmSync(join(dir, VECTORS_Q8));
  await fresh(false);
  assert.ok(q8Current(dir, readManifest(dir)!), "made again");
  await fresh(true);
  // a copy of other vectors (stamp differs): not used, made again
  const bytes = readFileSync(join(dir, VECTORS_Q8));
  bytes[0] ^= 0xff;
  writeFileSync(join(dir, VECTORS_Q8), bytes);
  await fresh(false);
  assert.ok(q8Current(dir, readManifest(dir)!));
});

test("per-term postings: the rows and tfs of the file read whole; a lexical.u32 replaced after it was opened is never read as this index's rows (the opened file is)", async (t) => {
  const root = tmp(t, "oc-lazy-lex-");
  const ws = bigWorkspace(root, 3);
  const { runtime, stateDir } = makeRuntime(t, { workspace: ws });
  const rag = new Rag({ runtime, embedder: new CountingEmbedder() });
  await rag.index();
  await rag.close();
  const idx = indexDirFor(stateDir, ws);
  const { key } = JSON.parse(readFileSync(join(idx, "lexical.json"), "utf8")) as { key: string };
  const lazy = readLexical(idx, key, "lexical", { lazy: true })!;
  const eager = readLexical(idx, key, "lexical")!;
  assert.deepEqual(lazy.lengths, eager.lengths);
  for (const term of eager.terms) assert.deepEqual(lazy.postings!(lazy.lookup!(term)!), eager.postings!(eager.lookup!(term)!), term);
  assert.deepEqual(lazy.rows, eager.rows, "the whole arrays on demand (saving them again)");
  // same size, other contents, a new inode: an index written again by another process; the
  // rows still come from the file this process opened with the rest of the index
  const file = join(idx, "lexical.u32");
  writeFileSync(`${file}.new`, Buffer.alloc(statSync(file).size, 0xff));
  renameSync(`${file}.new`, file);
  const t0 = eager.terms[0]!;
  assert.deepEqual(lazy.postings!(lazy.lookup!(t0)!), eager.postings!(eager.lookup!(t0)!), "this index's rows, not the new file's");
  lazy.close!();
  assert.throws(() => lazy.postings!(lazy.lookup!(t0)!), /released/);
  // the new file opened afresh fails the checks (its offsets are not in order): read as absent
  assert.equal(readLexical(idx, key, "lexical", { lazy: true }), undefined);
});

/** The aside thread (off unless OPENCLAW_RAG_ASIDE=1). */
function forceAside(t: { after(fn: () => void): void }, value: "0" | "1" = "1") {
  const before = process.env.OPENCLAW_RAG_ASIDE;
  process.env.OPENCLAW_RAG_ASIDE = value;
  t.after(() => (before === undefined ? delete process.env.OPENCLAW_RAG_ASIDE : (process.env.OPENCLAW_RAG_ASIDE = before)));
}

test("embedAside gives the vector embed() gives, from a worker started ahead (prestartAside) or on demand; off, it declines (the caller embeds in place)", async (t) => {
  packageCacheIn(t);
  forceAside(t);
  const mod = (await import(pathToFileURL(join(ROOT, "dist", "runtime", "rag", "embedders", "use-lite.js")).href)) as typeof import("../../runtime/rag/embedders/use-lite.js");
  const here = new mod.UseLiteEmbedder({ threads: 1 });
  t.after(() => here.close());
  const q = "how do I rotate the archive logs?";
  const [want] = await here.embed([q]);
  mod.prestartAside();
  const a = new mod.UseLiteEmbedder();
  t.after(() => a.close());
  assert.deepEqual(await a.embedAside(q), want, "prestarted worker");
  assert.deepEqual(await a.embedAside(q), want, "worker started on demand");
  assert.deepEqual(await a.embedAside("   "), (await here.embed(["   "]))[0], "a blank text embeds as the pool's does");
  process.env.OPENCLAW_RAG_ASIDE = "0";
  await assert.rejects(a.embedAside(q), /embedded in place/);
});

test("the optimized graph is cached (onnxruntime's format, keyed by machine): a session from it gives the same vectors bit for bit; a damaged copy is made again", async (t) => {
  const cache = packageCacheIn(t);
  const { UseLiteOnnx } = await import("../../runtime/rag/embedders/use-lite-onnx.js");
  const dist = join(useLitePackageDir()!, "dist");
  const texts = ["tar: Removing leading '/' from member names", "How do I configure the default editor?", "x", "Ünïcödé and emoji 🎉 in a passage"];
  const first = await UseLiteOnnx.load(dist, { threads: 1, int8: true });
  assert.equal(first.graph, undefined, "first load optimizes the ONNX graph");
  const ort = readdirSync(cache).filter((f) => f.endsWith(".ort"));
  assert.equal(ort.length, 1, "the optimized graph is saved");
  assert.equal(statSync(join(cache, ort[0]!)).mode & 0o777, 0o600);
  const second = await UseLiteOnnx.load(dist, { threads: 1, int8: true });
  assert.ok(second.graph, "second load starts from the optimized graph");
  assert.deepEqual(await second.embed(texts), await first.embed(texts));
  writeFileSync(join(cache, ort[0]!), Buffer.from("not a graph"));
  const third = await UseLiteOnnx.load(dist, { threads: 1, int8: true });
  assert.equal(third.graph, undefined, "a damaged copy is not used");
  assert.deepEqual(await third.embed(texts), await first.embed(texts));
  assert.ok(readFileSync(join(cache, ort[0]!)).length > 1000, "and is written again");
  for (const s of [first, second, third]) await s.close();
});

test("pruneCacheFiles keeps the newest copies of a kind and leaves other files alone", (t) => {
  const dir = packageCacheIn(t);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (let i = 0; i < 12; i++) {
    const f = join(dir, `use-lite-int8-${i}.onnx`);
    writeFileSync(f, "x", { mode: 0o600 });
    utimesSync(f, new Date(), new Date(Date.now() - (12 - i) * 60_000));
  }
  writeFileSync(join(dir, "ts-snapshot-a.blob"), "y", { mode: 0o600 });
  pruneCacheFiles(dir, "use-lite-", 8);
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("use-lite-")).sort(), Array.from({ length: 8 }, (_, i) => `use-lite-int8-${i + 4}.onnx`).sort());
  assert.ok(existsSync(join(dir, "ts-snapshot-a.blob")));
});

test("a thread is never ended inside onnxruntime: close() waits for the batches out (they resolve), and a process that never used its prestarted thread exits cleanly", async (t) => {
  const mod = (await import(pathToFileURL(join(ROOT, "dist", "runtime", "rag", "embedders", "use-lite.js")).href)) as typeof import("../../runtime/rag/embedders/use-lite.js");
  const e = new mod.UseLiteEmbedder({ threads: 2 });
  e.prepare(mod.UseLiteEmbedder.POOL_MIN);
  const texts = Array.from({ length: 48 }, (_, i) => `passage ${i} about sockets and archives`);
  const out = e.embed(texts);
  // (the threads are loading the model now: ending them there aborted the process, exit 134)
  await e.close();
  assert.equal((await out).length, texts.length, "the batches out came back before the threads ended");
  const script = `import(${JSON.stringify(pathToFileURL(join(ROOT, "dist", "runtime", "rag", "embedders", "use-lite.js")).href)}).then((m) => { m.prestartAside(); process.exitCode = 2; })`;
  for (let i = 0; i < 4; i++) {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000, env: { ...process.env, OPENCLAW_RAG_ASIDE: "1" } });
    assert.equal(r.status, 2, `run ${i}: exit ${r.status} ${r.signal ?? ""}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /terminate called|Napi::Error|Aborted/);
  }
});
