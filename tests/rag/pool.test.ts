import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "../helpers/index.js";

test("USE-lite on worker threads gives the same vectors, in order, as on one thread", { timeout: 300_000 }, async () => {
  // the compiled package has the worker file (npm test builds first)
  const { UseLiteEmbedder } = (await import(pathToFileURL(join(ROOT, "dist", "runtime", "rag", "embedders", "use-lite.js")).href)) as typeof import("../../runtime/rag/embedders/use-lite.js");
  const texts = Array.from({ length: 20 }, (_, i) => `Passage ${i} about ${["retries", "colours", "sockets", "archives"][i % 4]} and item number ${i * 7}.`);
  const pooled = new UseLiteEmbedder({ threads: 2 });
  const single = new UseLiteEmbedder({ threads: 1 });
  pooled.prepare(UseLiteEmbedder.POOL_MIN);
  try {
    const a = await pooled.embed(texts);
    const b = await single.embed(texts);
    assert.equal(a.length, texts.length);
    assert.equal((pooled as unknown as { workers?: unknown[] }).workers?.length, 2, "the batch went to the worker pool");
    a.forEach((v, i) => {
      const dot = v.reduce((s, x, j) => s + x * b[i]![j]!, 0);
      assert.ok(Math.abs(dot - 1) < 1e-4, `vector ${i} differs (dot ${dot})`);
    });
    await assert.rejects(pooled.embed(texts, AbortSignal.abort()), /abort/i);
  } finally {
    await pooled.close();
    await single.close();
  }
});
