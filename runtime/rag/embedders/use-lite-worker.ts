/**
 * A worker thread running its own single-threaded USE-lite model: the pool in use-lite.ts
 * spreads a batch over one of these per core, and embedAside runs one question on one.
 */
import { parentPort, workerData } from "node:worker_threads";
import { UseLiteEmbedder, type UseLiteBackend } from "./use-lite.js";

const { backend, warm } = (workerData ?? {}) as { backend?: UseLiteBackend; warm?: boolean };
const model = new UseLiteEmbedder({ threads: 1, ...(backend ? { backend } : {}) });
// started ahead of its text (prestartAside): load the model now, and say when that is over (the
// thread may be ended from then on: use-lite.ts OrtThread); a failure shows on the first embed
if (warm)
  void model
    .backend()
    .catch(() => undefined)
    .finally(() => parentPort!.postMessage({ loaded: true }));
parentPort!.on("message", async (m: { id: number; texts: string[] }) => {
  try {
    const vecs = await model.embed(m.texts);
    const flat = new Float32Array(vecs.length * 512);
    vecs.forEach((v, i) => flat.set(v, i * 512));
    parentPort!.postMessage({ id: m.id, flat, ...(model.fallbackReason ? { fallbackReason: model.fallbackReason } : {}) }, [flat.buffer]);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
