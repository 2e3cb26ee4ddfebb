// Indexing and query mechanics that keep RAG fast: lexical first with dense vectors behind it,
// a stat-only freshness check, the vector cache, Stop during the dense fill.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs, { appendFileSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { OpenClawError } from "../../runtime/errors.js";
import type { Embedder } from "../../runtime/rag/embedders/index.js";
import { Rag } from "../../runtime/rag/index.js";
import { CountingEmbedder, makeRag, makeRuntime } from "./helpers.js";

/** A CountingEmbedder whose embed() waits for `open()` (to hold a fill part way) and can run a hook per call. */
class GatedEmbedder extends CountingEmbedder {
  private gate?: Promise<void>;
  private release?: () => void;
  onCall?: (n: number) => void;
  hold() {
    this.gate = new Promise((r) => (this.release = r));
  }
  open() {
    this.release?.();
    this.gate = undefined;
  }
  override async embed(texts: string[]) {
    this.onCall?.(this.calls + 1);
    await this.gate; // undefined unless held
    return super.embed(texts);
  }
}

/** Counts fs calls (through the ESM named exports too) while `fn` runs. */
async function countingFs<T>(fn: () => Promise<T>): Promise<{ result: T; readdirs: string[]; reads: string[] }> {
  const readdirs: string[] = [];
  const reads: string[] = [];
  const orig = { readdirSync: fs.readdirSync, readFileSync: fs.readFileSync, openSync: fs.openSync };
  const f = fs as unknown as Record<string, (...a: unknown[]) => unknown>;
  f.readdirSync = (...a) => (readdirs.push(String(a[0])), (orig.readdirSync as (...x: unknown[]) => unknown)(...a));
  f.readFileSync = (...a) => (reads.push(String(a[0])), (orig.readFileSync as (...x: unknown[]) => unknown)(...a));
  f.openSync = (...a) => (reads.push(String(a[0])), (orig.openSync as (...x: unknown[]) => unknown)(...a));
  syncBuiltinESMExports();
  try {
    return { result: await fn(), readdirs, reads };
  } finally {
    Object.assign(fs, orig);
    syncBuiltinESMExports();
  }
}

test("freshness: queries on an unchanged workspace list no folder and read no workspace file, in this process or a fresh one", async (t) => {
  const { runtime, workspace } = makeRuntime(t);
  const rag = makeRag(runtime, new CountingEmbedder());
  await rag.index();
  await rag.query("espresso", { mode: "hybrid" });
  const warm = await countingFs(async () => {
    for (const mode of ["lexical", "hybrid", "dense"] as const) await rag.query("fridge rules", { mode });
  });
  assert.deepEqual(warm.readdirs, [], "no folder listed");
  assert.deepEqual(warm.reads, [], "nothing read: the freshness check is stat only");
  // a fresh process (a new Rag) opens the saved index and stats the workspace: no readdir, no document read
  const fresh = makeRag(runtime, new CountingEmbedder());
  const cold = await countingFs(() => fresh.query("coffee machine descaled", { mode: "lexical" }));
  assert.equal(cold.result.results[0]!.source, "kitchen.md");
  assert.deepEqual(cold.readdirs, []);
  assert.deepEqual(
    cold.reads.filter((p) => p.startsWith(workspace)),
    [],
  );
  assert.equal(fresh.scans, 0, "no scan");
  // and a change is still seen by the next query
  appendFileSync(join(workspace, "kitchen.md"), "\n## Toaster\n\nThe toaster is descaled by the night porter.\n");
  assert.match((await fresh.query("toaster night porter", { mode: "lexical", topk: 1 })).results[0]!.text, /night porter/);
  assert.equal(fresh.scans, 1);
});

test("lexical first: an index is queryable before its vectors exist, says so, and the fill behind it completes", async (t) => {
  const { runtime } = makeRuntime(t);
  const emb = new GatedEmbedder();
  const rag = new Rag({ runtime, embedder: emb, backgroundDense: true });
  rag.syncFill = 0;
  t.after(() => rag.close());
  const lex = await rag.index({ lexicalOnly: true });
  assert.equal(emb.calls, 0, "nothing embedded");
  assert.deepEqual(lex.dense, { ready: 0, total: lex.chunks });
  emb.hold();
  const early = await rag.query("coffee machine descaled", { mode: "hybrid" });
  assert.equal(early.results[0]!.source, "kitchen.md", "answered from BM25");
  assert.equal(early.dense?.ready, 0);
  assert.equal(early.dense?.total, lex.chunks);
  assert.equal(early.results[0]!.denseScore, undefined);
  assert.match(early.warnings!.join(), /dense vectors cover 0 of \d+ passages so far: ranked by BM25 alone/);
  // the first query started the fill in the background; it waits on the gate
  const during = await rag.query("bike shed", { mode: "hybrid" });
  assert.equal(during.dense?.filling, true);
  assert.match(during.warnings!.join(), /being embedded in the background/);
  emb.open();
  await rag.settled();
  const after = await rag.query("coffee machine descaled", { mode: "hybrid" });
  assert.equal(after.dense, undefined, "complete: no partial notice");
  assert.equal(typeof after.results[0]!.denseScore, "number", "hybrid uses the vectors now");
  assert.equal(emb.texts.filter((x) => x !== "coffee machine descaled").length, lex.chunks, "each chunk embedded once (and the last question)");
  // saved: a new process sees a complete index
  const st = await makeRag(runtime, new CountingEmbedder()).status();
  assert.deepEqual(st.dense, { ready: lex.chunks, total: lex.chunks });
});

test("the CLI (no background fill) answers a hybrid query on a lexical-only index from BM25 and leaves vectors to rag index", async (t) => {
  const { runtime } = makeRuntime(t);
  const emb = new CountingEmbedder();
  const rag = makeRag(runtime, emb);
  rag.syncFill = 0;
  await rag.index({ lexicalOnly: true });
  const q = await rag.query("coffee machine descaled", { mode: "hybrid" });
  assert.equal(q.results[0]!.source, "kitchen.md");
  assert.equal(q.dense?.ready, 0);
  assert.match(q.warnings!.join(), /run `rag index` to embed the rest/);
  assert.equal(emb.calls, 0);
  const full = await rag.index();
  assert.equal(full.embeddedChunks, full.chunks);
  assert.deepEqual(full.dense, { ready: full.chunks, total: full.chunks });
});

test("Stop during the dense fill: AbortedError; the lexical index and the vectors so far are saved; the next index embeds only the rest", async (t) => {
  const { runtime } = makeRuntime(t);
  const ac = new AbortController();
  const emb = new GatedEmbedder();
  emb.onCall = (n) => n === 2 && ac.abort(); // Stop while the second batch is embedding
  const rag = makeRag(runtime, emb);
  await assert.rejects(rag.index({ signal: ac.signal }), (e: unknown) => {
    assert.ok(e instanceof OpenClawError && e.code === "aborted", String(e));
    assert.match(e.message, /indexing stopped after \d+ of \d+ new chunks; the lexical index is complete and saved .*the next `rag index` resumes/);
    return true;
  });
  const done = emb.texts.length;
  // a new process answers lexically at once, without scanning
  const next = makeRag(runtime, new CountingEmbedder());
  const q = await next.query("coffee machine descaled", { mode: "lexical" });
  assert.equal(q.results[0]!.source, "kitchen.md");
  assert.equal(next.scans, 0);
  const st = await next.status();
  assert.ok(st.dense.ready > 0 && st.dense.ready < st.dense.total, JSON.stringify(st.dense));
  assert.ok(st.dense.ready <= done);
  const emb2 = new CountingEmbedder();
  const r = await makeRag(runtime, emb2).index();
  assert.equal(r.embeddedChunks, st.dense.total - st.dense.ready, "only the missing vectors");
  assert.equal(emb2.texts.length, r.embeddedChunks);
  assert.deepEqual(r.dense, { ready: r.chunks, total: r.chunks });
});

test("vector cache: an edited file's unchanged passages keep their vectors; only new text is embedded", async (t) => {
  const { runtime, workspace } = makeRuntime(t);
  const para = (w: string) => Array.from({ length: 30 }, (_, i) => `${w} ${i} is a sentence about ${w}s and their care.`).join(" ");
  writeFileSync(join(workspace, "garden.md"), `# Garden\n\n## Roses\n\n${para("rose")}\n\n## Tulips\n\n${para("tulip")}\n\n## Ferns\n\n${para("fern")}\n`);
  const emb = new CountingEmbedder();
  const rag = makeRag(runtime, emb);
  const first = await rag.index();
  const before = emb.texts.length;
  assert.equal(before, first.chunks);
  appendFileSync(join(workspace, "garden.md"), `\n## Cacti\n\n${para("cactus")}\n`);
  const r = await rag.index();
  assert.deepEqual(r.embeddedFiles, ["garden.md"]);
  const fresh = emb.texts.slice(before);
  assert.equal(fresh.length, r.embeddedChunks);
  assert.ok((r.reusedVectors ?? 0) >= 2, `reused ${r.reusedVectors}`);
  assert.ok(fresh.length >= 1 && fresh.every((x) => /cactus|Cacti/.test(x)), `only the new section: ${fresh.map((x) => x.slice(0, 40)).join(" | ")}`);
  // and the reused vectors answer as before
  assert.equal((await rag.query("tulip care", { mode: "dense", topk: 1 })).results[0]!.source, "garden.md");
});

test("an index in the previous layout (chunks inside manifest.json) is read, its vectors kept, and rewritten in the current one", async (t) => {
  const { runtime } = makeRuntime(t);
  const emb = new CountingEmbedder();
  const r = await makeRag(runtime, emb).index();
  const { readChunks, readManifest, CHUNKS, CHUNKS_INDEX, MANIFEST } = await import("../../runtime/rag/store.js");
  const m = readManifest(r.indexDir)!;
  const chunks = readChunks(r.indexDir, m).all();
  const old: Record<string, unknown> = { ...m, format: 1, chunks };
  for (const k of ["chunkCount", "chunksBytes", "chunksSha256", "dense", "dirs"]) delete old[k];
  writeFileSync(join(r.indexDir, MANIFEST), JSON.stringify(old));
  fs.rmSync(join(r.indexDir, CHUNKS));
  fs.rmSync(join(r.indexDir, CHUNKS_INDEX));
  const emb2 = new CountingEmbedder();
  const again = await makeRag(runtime, emb2).index();
  assert.equal(emb2.calls, 0, "vectors kept");
  assert.equal(readManifest(r.indexDir)!.format, 2);
  assert.equal(again.chunks, r.chunks);
  const q = await makeRag(runtime, new CountingEmbedder() as Embedder).query("coffee machine descaled", { mode: "hybrid" });
  assert.equal(q.results[0]!.source, "kitchen.md");
});

test("operation params are checked by build-time validators (dist/validators/op-*.cjs): the CLI's rag query never loads ajv, and errors still name the field", async () => {
  const { spawnSync } = await import("node:child_process");
  const { ROOT } = await import("../helpers/index.js");
  const script = `
    import { createRequire } from "node:module";
    const { validateParams } = await import(${JSON.stringify(join(ROOT, "dist/runtime/operations/validate.js"))});
    const { ragQuery } = await import(${JSON.stringify(join(ROOT, "dist/runtime/operations/table.js"))});
    const out = [JSON.stringify(validateParams(ragQuery, { query: "ok", topk: 3 }))];
    try { validateParams(ragQuery, { query: "x", topk: 0 }); } catch (e) { out.push(e.code + " " + e.message); }
    out.push(String(Object.keys(createRequire(import.meta.url).cache).some((k) => /[\\\\/]ajv[\\\\/]dist[\\\\/]ajv\\.js$/.test(k))));
    console.log(out.join("\\n"));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split("\n"), ['{"query":"ok","topk":3}', "bad_params params.topk must be >= 1", "false"]);
});

test("embedding workers end when indexing is done (idle), and closing the runtime closes its Rag: a CLI process is not kept alive by them", { timeout: 300_000 }, async (t) => {
  const { pathToFileURL } = await import("node:url");
  const { ROOT } = await import("../helpers/index.js");
  const { UseLiteEmbedder } = (await import(pathToFileURL(join(ROOT, "dist", "runtime", "rag", "embedders", "use-lite.js")).href)) as typeof import("../../runtime/rag/embedders/use-lite.js");
  const pooled = new UseLiteEmbedder({ threads: 2 });
  t.after(() => pooled.close());
  pooled.prepare(UseLiteEmbedder.POOL_MIN);
  await pooled.embed(Array.from({ length: 16 }, (_, i) => `note ${i} about sockets`));
  const workers = () => (pooled as unknown as { workers?: unknown[] }).workers;
  assert.equal(workers()?.length, 2, "the batch went to the pool");
  await pooled.idle();
  assert.equal(workers(), undefined, "the pool is gone");
  assert.equal((await pooled.embed(["one question"]))[0]!.length, 512, "a query still embeds, on this thread");
  assert.equal(workers(), undefined);
  // Runtime.close() closes the Rag (which stops a background fill and closes the embedder)
  const { runtime } = makeRuntime(t);
  const rag = await runtime.rag();
  let closed = 0;
  rag.close = async () => void closed++;
  await runtime.close();
  assert.equal(closed, 1);
});
