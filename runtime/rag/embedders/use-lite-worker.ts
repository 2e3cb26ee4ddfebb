/**
 * A worker thread running its own USE-lite model: the pool in use-lite.ts spreads a batch
 * over one of these per core, since the TF.js WASM backend computes on one thread.
 */
import { parentPort } from "node:worker_threads";
import { UseLiteEmbedder } from "./use-lite.js";

const model = new UseLiteEmbedder({ threads: 1 });
parentPort!.on("message", async (m: { id: number; texts: string[] }) => {
  try {
    const vecs = await model.embed(m.texts);
    const flat = new Float32Array(vecs.length * 512);
    vecs.forEach((v, i) => flat.set(v, i * 512));
    parentPort!.postMessage({ id: m.id, flat }, [flat.buffer]);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
