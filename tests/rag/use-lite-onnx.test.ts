// USE-lite on onnxruntime (runtime/rag/embedders/use-lite-onnx.ts): the rebuilt graph must
// compute what the package's TF.js graph computes, its tokenizer must give the package's ids,
// and the int8 default must stay next to the float model. Real model from node_modules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { UseLiteEmbedder, useLitePackageDir } from "../../runtime/rag/embedders/index.js";
import { UseLiteTokenizer } from "../../runtime/rag/embedders/use-lite-tokenizer.js";
import { TEXT_VERSION } from "../../runtime/rag/indexer.js";
import { MANIFEST } from "../../runtime/rag/store.js";
import { ROOT } from "../helpers/index.js";
import { CountingEmbedder, makeRag, makeRuntime, packageCacheIn } from "./helpers.js";

const require = createRequire(import.meta.url);
const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);

/** Texts of 1 to 300+ tokens (over the model's 128), with markup, unknown characters, NFKC forms and code. */
const TEXTS = [
  "x",
  "How do I book a meeting room?",
  "npm install --save-dev typescript@5 && npx tsc -p tsconfig.json",
  "Ｆｕｌｌｗｉｄｔｈ text, ligature ﬁle, emoji 😀😀 and 日本語の文 mixed in",
  "Configuration\nSet `retries` to 3 in openclaw.json; the gateway binds 127.0.0.1 only. ".repeat(3),
  "The quick brown fox jumps over the lazy dog while the package manager resolves peer dependencies. ".repeat(12),
  "\u0000\u0007 control characters ¿¡ and a tab\there",
];

test("the linear tokenizer gives the package's SentencePiece ids for every text", () => {
  const vocab = JSON.parse(readFileSync(join(useLitePackageDir()!, "dist", "vocab.json"), "utf8")) as Array<[string, number]>;
  const { EmbeddingsModel } = require("@energetic-ai/embeddings") as { EmbeddingsModel: new (d: unknown) => { tokenizer: { encode(s: string): number[] } } };
  const theirs = new EmbeddingsModel({ vocabulary: vocab, model: null }).tokenizer;
  const ours = new UseLiteTokenizer(vocab);
  for (const t of [...TEXTS, "", " ", "constructor __proto__ toString hasOwnProperty", readFileSync(join(ROOT, "README.md"), "utf8").slice(0, 4000)]) {
    assert.deepEqual(ours.encode(t), theirs.encode(t), JSON.stringify(t.slice(0, 60)));
  }
});

test("the float ONNX graph gives TF.js's vectors (padded batch of mixed lengths, texts past 128 tokens); int8 stays within cosine 0.99 and a text's vector does not depend on its batch", { timeout: 300_000 }, async () => {
  const tf = new UseLiteEmbedder({ threads: 1, backend: "tfjs" });
  const f32 = new UseLiteEmbedder({ threads: 1, backend: "onnx" });
  const int8 = new UseLiteEmbedder({ threads: 1, backend: "onnx-int8" });
  assert.equal(await f32.backend(), "onnx");
  assert.equal(await int8.backend(), "onnx-int8");
  assert.equal(f32.id, tf.id);
  assert.equal(int8.id, tf.id, "one model, one id: TEXT_VERSION moved with the arithmetic");
  const [a, b, c] = [await tf.embed(TEXTS), await f32.embed(TEXTS), await int8.embed(TEXTS)];
  // and each text alone gives what it gets in the padded batch (int8: with any batch-mates)
  const alone = await Promise.all(TEXTS.map(async (t) => (await f32.embed([t]))[0]!));
  const alone8 = await Promise.all(TEXTS.map(async (t) => (await int8.embed([t]))[0]!));
  TEXTS.forEach((t, i) => {
    const maxDiff = Math.max(...a[i]!.map((v, j) => Math.abs(v - b[i]![j]!)));
    assert.ok(maxDiff < 1e-5, `float onnx vs tfjs, text ${i}: max difference ${maxDiff}`);
    assert.ok(Math.max(...b[i]!.map((v, j) => Math.abs(v - alone[i]![j]!))) < 1e-5, `text ${i} alone vs in the batch`);
    assert.ok(Math.max(...c[i]!.map((v, j) => Math.abs(v - alone8[i]![j]!))) < 1e-6, `int8: text ${i} alone vs in the batch`);
    assert.ok(dot(a[i]!, c[i]!) > 0.99, `int8 vs tfjs, text ${i}: cosine ${dot(a[i]!, c[i]!)}`);
    assert.ok(Math.abs(dot(c[i]!, c[i]!) - 1) < 1e-4, "unit length");
  });
  assert.equal(new UseLiteEmbedder({ threads: 1 }).wanted, "onnx-int8", "int8 is the default where onnxruntime-node is installed");
});

test("an index written before the int8 default (text version 5, float vectors) is re-embedded once, not refused and not mixed", async (t) => {
  const { runtime } = makeRuntime(t);
  const first = await makeRag(runtime, new CountingEmbedder("use-lite@0.2.0")).index();
  const mpath = join(first.indexDir, MANIFEST);
  const m = JSON.parse(readFileSync(mpath, "utf8"));
  assert.equal(m.textVersion, TEXT_VERSION);
  m.textVersion = 5;
  writeFileSync(mpath, JSON.stringify(m));
  const emb = new CountingEmbedder("use-lite@0.2.0");
  const again = await makeRag(runtime, emb).index();
  assert.equal(again.embeddedChunks, again.chunks, "every vector recomputed");
  assert.equal(again.reusedVectors, 0);
  assert.equal(JSON.parse(readFileSync(mpath, "utf8")).textVersion, TEXT_VERSION);
});

test("a pool worker that exits on its own fails its batch instead of leaving the fill waiting", { timeout: 300_000 }, async (t) => {
  // the compiled package has the worker file (npm test builds first)
  const { UseLiteEmbedder: Compiled } = (await import(pathToFileURL(join(ROOT, "dist", "runtime", "rag", "embedders", "use-lite.js")).href)) as typeof import("../../runtime/rag/embedders/use-lite.js");
  const pooled = new Compiled({ threads: 2 });
  t.after(() => pooled.close());
  pooled.prepare(Compiled.POOL_MIN);
  const texts = Array.from({ length: 64 }, (_, i) => `passage ${i} about sockets, retries and archives`);
  const pending = pooled.embed(texts);
  const workers = (pooled as unknown as { workers?: Array<{ w: { terminate(): Promise<number> } }> }).workers!;
  await workers[0]!.w.terminate();
  await assert.rejects(pending, /embedding worker thread exited/);
  // the next batch starts a fresh pool
  assert.equal((await pooled.embed(texts)).length, texts.length);
});

test("the built ONNX model is cached in the package cache folder: a second load reads it; a copy others may write, or in a folder others may write, is never used", async (t) => {
  const { modelBytes } = await import("../../runtime/rag/embedders/use-lite-onnx.js");
  const { chmodSync, readdirSync, statSync } = await import("node:fs");
  const cache = packageCacheIn(t);
  const dist = join(useLitePackageDir()!, "dist");
  const built = modelBytes(dist, true);
  const files = readdirSync(cache).filter((f) => f.endsWith(".onnx"));
  assert.equal(files.length, 1, "written on the first build");
  const file = join(cache, files[0]!);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  // a planted copy of the right name is read only while it is a file of ours nobody else may write
  writeFileSync(file, Buffer.from("planted"));
  chmodSync(file, 0o600);
  assert.equal(Buffer.from(modelBytes(dist, true)).toString(), "planted", "a hit is read from the cache");
  chmodSync(file, 0o666);
  assert.deepEqual(Buffer.from(modelBytes(dist, true)), Buffer.from(built), "a group/other-writable copy is rebuilt, not read");
  chmodSync(file, 0o600);
  writeFileSync(file, Buffer.from("planted"));
  chmodSync(cache, 0o777);
  try {
    assert.deepEqual(Buffer.from(modelBytes(dist, true)), Buffer.from(built), "a folder others may write is not read");
  } finally {
    chmodSync(cache, 0o700);
  }
});
