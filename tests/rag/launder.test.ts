// Review 4: a fresh (CLI-host) process reads vectors.f32 without its checksum (store.ts
// readVectors verify=false). If the same process later re-indexes (a second query after a
// workspace edit, e.g. an agent turn that writes a file then searches again), the unverified
// rows are carried into the new index and saved under a NEW checksum: the damage is laundered,
// and the kernel's verified open no longer notices it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rag } from "../../runtime/rag/index.js";
import { VECTORS } from "../../runtime/rag/store.js";
import { CountingEmbedder, makeRuntime } from "./helpers.js";

const f32 = (b: Buffer) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));

test("vectors damaged on disk are not re-saved as valid by a CLI process that re-indexes", async (t) => {
  const env = makeRuntime(t);
  const a = new Rag({ runtime: env.runtime, embedder: new CountingEmbedder() });
  await a.index();
  const dir = a.indexDir;
  await a.close();
  // damage every vector (same size): negate them (unit length kept, meaning reversed)
  const vpath = join(dir, VECTORS);
  const orig = f32(readFileSync(vpath));
  writeFileSync(vpath, Buffer.from(orig.map((x) => -x).buffer));
  // a fresh CLI process: a hybrid query (unverified read), then an edit, then another query
  const b = new Rag({ runtime: env.runtime, embedder: new CountingEmbedder() });
  t.after(() => b.close());
  await b.query("espresso machine", { mode: "hybrid" });
  appendFileSync(join(env.workspace, "payroll.md"), "\n\nA new line about the harbour.\n");
  await b.query("harbour", { mode: "hybrid" });
  await b.close();
  // the kernel opens it with the checksum: the zeroed rows must be noticed (or have been re-embedded)
  const c = new Rag({ runtime: env.runtime, embedder: new CountingEmbedder(), backgroundDense: true, watchFolders: false });
  t.after(() => c.close());
  const r = await c.query("espresso machine", { mode: "dense", topk: 3 });
  const v = f32(readFileSync(vpath));
  const row = (m: Float32Array, i: number) => m.subarray(i * 64, (i + 1) * 64);
  const bad = new Set(Array.from({ length: orig.length / 64 }, (_, i) => row(orig, i)).filter((r) => r.some((x) => x !== 0)).map((r) => Array.from(r, (x) => -x).join(",")));
  const negated = Array.from({ length: v.length / 64 }, (_, i) => row(v, i)).filter((r) => bad.has(Array.from(r).join(","))).length;
  assert.equal(negated, 0, `${negated} of ${v.length / 64} saved vectors are still the damaged (negated) rows and pass the kernel's checksum; top dense cosines: ${r.results.map((h) => h.score).join(",")}`);
});

test("one CLI hybrid query that fills a few missing vectors does not re-save damaged rows under a new checksum", async (t) => {
  const { createHash } = await import("node:crypto");
  const env = makeRuntime(t);
  const a = new Rag({ runtime: env.runtime, embedder: new CountingEmbedder() });
  await a.index();
  const dir = a.indexDir;
  await a.close();
  const vpath = join(dir, VECTORS);
  const mpath = join(dir, "manifest.json");
  const orig = f32(readFileSync(vpath));
  // an interrupted fill's checkpoint: row 0 not embedded yet, saved with a matching checksum
  const ckpt = orig.slice();
  ckpt.fill(0, 0, 64);
  const m = JSON.parse(readFileSync(mpath, "utf8"));
  m.vectorsSha256 = createHash("sha256").update(Buffer.from(ckpt.buffer)).digest("hex");
  m.dense = { ready: m.chunkCount - 1 };
  writeFileSync(mpath, JSON.stringify(m));
  // then damage: the other rows negated (the checksum no longer matches)
  const damaged = ckpt.map((x, i) => (i < 64 ? x : -x));
  writeFileSync(vpath, Buffer.from(damaged.buffer));
  const b = new Rag({ runtime: env.runtime, embedder: new CountingEmbedder() });
  t.after(() => b.close());
  await b.query("espresso machine", { mode: "hybrid" });
  await b.close();
  const c = new Rag({ runtime: env.runtime, embedder: new CountingEmbedder(), backgroundDense: true, watchFolders: false });
  t.after(() => c.close());
  await c.query("espresso machine", { mode: "dense", topk: 3 });
  const v = f32(readFileSync(vpath));
  const row = (x: Float32Array, i: number) => Array.from(x.subarray(i * 64, (i + 1) * 64)).join(",");
  const still = Array.from({ length: v.length / 64 }, (_, i) => i).filter((i) => i > 0 && row(v, i) === row(damaged, i)).length;
  assert.equal(still, 0, `${still} damaged rows were re-saved and pass the kernel's checksum`);
});
