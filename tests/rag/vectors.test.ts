import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HNSW_FILE } from "../../runtime/rag/store.js";
import { Q8_MIN, VectorSearch, normalize } from "../../runtime/rag/vectors.js";
import { tmp } from "../helpers/index.js";
import { CountingEmbedder, makeRuntime } from "./helpers.js";
import { Rag } from "../../runtime/rag/index.js";

function randomVectors(n: number, d: number, seed = 7) {
  let s = seed;
  const r = () => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  const v = new Float32Array(n * d);
  for (let i = 0; i < v.length; i++) v[i] = r();
  for (let i = 0; i < n; i++) normalize(v.subarray(i * d, (i + 1) * d));
  return v;
}

test("exact search returns cosine scores in order; k larger than the corpus is clamped", () => {
  const d = 16;
  const v = randomVectors(50, d);
  const s = new VectorSearch(d, v);
  const hits = s.search(v.subarray(3 * d, 4 * d), 5);
  assert.equal(hits[0]!.row, 3);
  assert.ok(Math.abs(hits[0]!.score - 1) < 1e-5);
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i]!.score <= hits[i - 1]!.score);
  assert.equal(s.search(v.subarray(0, d), 500).length, 50);
  // regression: usearch ignores byteOffset, so views must be copied (row 3 of a view that skips row 0 is row 2)
  assert.equal(new VectorSearch(d, v.subarray(d)).search(v.subarray(3 * d, 4 * d), 1)[0]!.row, 2);
  assert.deepEqual(new VectorSearch(d, new Float32Array(0)).search(v.subarray(0, d), 5), []);
});

test("above Q8_MIN rows: the int8 scan keeps the f32 top k, scores are the exact cosines, and rows filled in later are found", () => {
  const d = 96;
  const n = Q8_MIN + 1000;
  const v = randomVectors(n, d, 11);
  const vs = new VectorSearch(d, v);
  const queries = randomVectors(50, d, 12);
  let kept = 0;
  for (let i = 0; i < 50; i++) {
    const q = queries.subarray(i * d, (i + 1) * d).slice();
    const exact = vs.search(q, 10, { exact: true });
    const fast = vs.search(q, 10, { version: n });
    kept += fast.filter((h) => exact.some((e) => e.row === h.row)).length;
    for (let j = 1; j < fast.length; j++) assert.ok(fast[j - 1]!.score >= fast[j]!.score, "best first");
    for (const h of fast) {
      let s = 0;
      for (let j = 0; j < d; j++) s += v[h.row * d + j]! * q[j]!;
      assert.ok(Math.abs(h.score - s) < 1e-5, "the f32 cosine");
    }
  }
  assert.ok(kept / 500 >= 0.99, `recall@10 ${kept / 500}`);
  // a row written after the int8 copy was made: a new version rebuilds it
  const q = queries.subarray(0, d).slice();
  v.set(q, 5 * d);
  assert.notEqual(vs.search(q, 1, { version: n })[0]!.row, 5, "same version: the copy is reused");
  assert.equal(vs.search(q, 1, { version: n + 1 })[0]!.row, 5);
});

test("HNSW agrees with exact search (recall@5) and survives a save/load round trip", (t) => {
  const d = 32;
  const n = 3000;
  const v = randomVectors(n, d);
  const s = new VectorSearch(d, v);
  s.buildHnsw();
  assert.equal(s.kind, "hnsw");
  let hit = 0;
  for (let q = 0; q < 50; q++) {
    const qv = v.subarray(q * 7 * d, (q * 7 + 1) * d);
    const truth = new Set(s.search(qv, 5, { exact: true }).map((h) => h.row));
    hit += s.search(qv, 5).filter((h) => truth.has(h.row)).length;
  }
  assert.ok(hit / 250 >= 0.95, `recall ${hit / 250}`);
  const dir = tmp(t);
  s.saveHnsw(join(dir, "g.usearch"));
  const s2 = new VectorSearch(d, v);
  assert.equal(s2.loadHnsw(join(dir, "g.usearch")), true);
  assert.deepEqual(s2.search(v.subarray(0, d), 5), s.search(v.subarray(0, d), 5));
  // a graph for other vectors, or garbage, is not trusted
  assert.equal(new VectorSearch(d, v.subarray(0, 100 * d)).loadHnsw(join(dir, "g.usearch")), false);
  writeFileSync(join(dir, "bad.usearch"), "garbage");
  assert.equal(new VectorSearch(d, v).loadHnsw(join(dir, "bad.usearch")), false);
});

test("Rag above the HNSW threshold persists the graph, reloads it, and rebuilds a broken one", async (t) => {
  const { runtime } = makeRuntime(t);
  const r = await new Rag({ runtime, embedder: new CountingEmbedder(), hnswThreshold: 3 }).index();
  assert.equal(r.search, "hnsw");
  const graph = join(r.indexDir, HNSW_FILE);
  assert.ok(existsSync(graph));
  const again = new Rag({ runtime, embedder: new CountingEmbedder(), hnswThreshold: 3 });
  const q = await again.query("espresso machine descaled", { mode: "dense", topk: 2 });
  assert.equal(q.results[0]!.source, "kitchen.md");
  writeFileSync(graph, "broken");
  const third = new Rag({ runtime, embedder: new CountingEmbedder(), hnswThreshold: 3 });
  assert.equal((await third.query("espresso machine descaled", { mode: "dense", topk: 2 })).results[0]!.source, "kitchen.md");
  assert.ok(new VectorSearch(r.dims, new Float32Array(r.chunks * r.dims)).loadHnsw(graph), "the broken graph file was replaced");
});
