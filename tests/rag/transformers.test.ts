// The transformers (ONNX) loader driven by a tiny BERT-shaped model the test writes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { OpenClawError } from "../../runtime/errors.js";
import { TransformersEmbedder, meanPool } from "../../runtime/rag/embedders/index.js";
import { tmp } from "../helpers/index.js";
import { writeTinyBert } from "../fixtures/rag/tiny-bert.js";
import { makeRag, makeRuntime } from "./helpers.js";

const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);

test("mean pooling averages only unmasked tokens", () => {
  const hidden = { dims: [1, 3, 2], data: Float32Array.from([1, 0, 3, 0, 100, 100]) };
  const mask = { dims: [1, 3], data: BigInt64Array.from([1n, 1n, 0n]) };
  const [v] = meanPool(hidden, mask);
  assert.deepEqual(Array.from(v!), [1, 0]); // mean (2, 0) normalized; the padded 100s ignored
});

test("tiny ONNX model loads offline, vectors are unit length and independent of padding", async (t) => {
  const dir = tmp(t);
  writeTinyBert(dir, "tiny/bert-mini", 16);
  const e = new TransformersEmbedder("tiny/bert-mini", dir);
  assert.equal(e.id, "transformers:tiny/bert-mini");
  const [alone] = await e.embed(["demo"]);
  const [padded, long] = await e.embed(["demo", "how do we onboard new hires for product training"]);
  assert.equal(alone!.length, 16);
  assert.equal(await e.dims(), 16);
  assert.ok(Math.abs(dot(alone!, alone!) - 1) < 1e-5);
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(alone![i]! - padded![i]!) < 1e-5, "padding changed the vector");
  assert.ok(dot(padded!, long!) < 0.999);
  const { env } = await import("@huggingface/transformers");
  assert.equal(env.allowRemoteModels, false);
  await e.close();
});

test("a missing model fails with the path and the `rag pull` fix, without touching the network", async (t) => {
  const e = new TransformersEmbedder("Xenova/all-MiniLM-L6-v2", tmp(t));
  await assert.rejects(e.embed(["x"]), (err: unknown) => {
    assert.ok(err instanceof OpenClawError);
    assert.equal(err.code, "rag_model_missing");
    assert.match(err.message, /all-MiniLM-L6-v2\/config\.json is missing/);
    assert.match(err.fix!, /rag pull Xenova\/all-MiniLM-L6-v2/);
    return true;
  });
  assert.throws(() => new TransformersEmbedder("../../etc", "/tmp"), /not a model id/);
});

test("Rag with rag.embedding.provider=transformers indexes and queries through the tiny model", async (t) => {
  const models = tmp(t);
  writeTinyBert(models, "tiny/bert-mini", 16);
  const { runtime, workspace } = makeRuntime(t, { copyCorpus: false, rag: { embedding: { provider: "transformers", model: "tiny/bert-mini", modelDir: models } } });
  const { mkdirSync, writeFileSync } = await import("node:fs");
  mkdirSync(workspace);
  writeFileSync(join(workspace, "a.md"), "# Deploy\n\nwe deploy the server and restore the database backup\n");
  writeFileSync(join(workspace, "b.md"), "# Travel\n\nbook travel and submit the expense for the holiday\n");
  const rag = makeRag(runtime);
  const r = await rag.index();
  assert.equal(r.embedder, "transformers:tiny/bert-mini");
  assert.equal(r.dims, 16);
  const q = await rag.query("restore database backup", { mode: "dense", topk: 2 });
  assert.equal(q.results[0]!.source, "a.md");
  await rag.close();
});
