import { assertGpuBackend, type GpuSetting } from "./gpu.js";
import { fork, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AbortedError, ConfigError, NotFoundError } from "../errors.js";
import { ModelError } from "./errors.js";
import type { FromWorker, ToWorker } from "./llamacpp-protocol.js";
import type { ChatModel, ChatRequest, ChatResponse } from "./types.js";

export interface LlamaCppOptions {
  ref: string;
  /** Absolute path of the .gguf file. */
  path: string;
  threads?: number;
  contextSize: number;
  /** models.providers.llamacpp.gpu (default false: CPU only). */
  gpu?: GpuSetting;
  /** Expected sha256 (models.providers.llamacpp.sha256[file]), checked before loading. */
  sha256?: string;
  /** Generation bound per model call. */
  maxTokens?: number;
  loadTimeoutMs?: number;
}

/** Resolves llamacpp/<file>.gguf inside modelsDir; never outside it. */
export function resolveModelFile(modelsDir: string, file: string): string {
  const p = resolve(modelsDir, file);
  const rel = relative(modelsDir, p);
  if (rel.startsWith("..") || isAbsolute(rel)) {
    throw new ConfigError(`llamacpp/${file} points outside models.providers.llamacpp.modelsDir`, { code: "model_path_escape", fix: `put the file in ${modelsDir} and name it by file name` });
  }
  if (!file.endsWith(".gguf")) throw new ConfigError(`llamacpp/${file}: local models are GGUF files`, { code: "model_not_gguf", fix: "name a .gguf file, e.g. llamacpp/qwen2.5-0.5b-instruct-q4_k_m.gguf" });
  if (!existsSync(p) || !statSync(p).isFile()) throw new NotFoundError(`model file ${p} not found`, { fix: `copy the .gguf into ${modelsDir} (nothing is downloaded at run time)` });
  return p;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/**
 * Threads: the configured number, else the cores present less one left for the
 * kernel and notebook (min 1); never more than the cores. llama.cpp threads spin:
 * oversubscribed they collapse (4 threads on 2 cores ran 1000x slower than 1, and
 * 2 threads on 2 busy cores ran the fixture 25-90x slower than 1, bench/agent.bench.ts).
 */
export function defaultThreads(configured?: number, cores = availableParallelism()): number {
  const n = Math.max(1, cores);
  return Math.max(1, Math.min(configured ?? n - 1, n));
}

/** The worker entry beside this file: .js when compiled, .ts under tsx (tests). */
function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) return { file: here.replace(/llamacpp\.ts$/, "llamacpp-worker.ts"), execArgv: ["--import", import.meta.resolve("tsx")] };
  return { file: here.replace(/llamacpp\.js$/, "llamacpp-worker.js"), execArgv: [] };
}

type Pending = { resolve: (m: FromWorker) => void; reject: (e: Error) => void; onDelta?: (t: string) => void };

/**
 * llamacpp/<file>.gguf: node-llama-cpp in a child process. The kernel survives a bad
 * file (the child dies, the call fails with a clear error); the next call starts a
 * fresh child.
 */
export class LlamaCppChatModel implements ChatModel {
  readonly provider = "llamacpp" as const;
  readonly scripted = false;
  readonly local = true;
  readonly threads: number;
  private child?: ChildProcess;
  private ready?: Promise<string>;
  private modelId: string | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly o: LlamaCppOptions) {
    this.threads = defaultThreads(o.threads);
  }

  get ref(): string {
    return this.o.ref;
  }

  /** Starts the child and loads the model once; resolves to the model id (GGUF general.name). */
  load(): Promise<string> {
    this.ready ??= this.start().catch((e) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  private async start(): Promise<string> {
    if (this.o.sha256) {
      const got = await sha256File(this.o.path);
      if (got !== this.o.sha256) {
        throw new ModelError(`${this.o.ref}: sha256 mismatch for ${this.o.path}`, { code: "model_sha256_mismatch", details: [`expected ${this.o.sha256}`, `got      ${got}`], fix: "the file changed: restore the pinned file or update models.providers.llamacpp.sha256" });
      }
    }
    const { file, execArgv } = workerEntry();
    // A minimal environment: the child needs no secrets.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
    for (const k of ["HOME", "TMPDIR", "LANG"]) if (process.env[k]) env[k] = process.env[k];
    const child = fork(file, [], { execArgv, env, stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "advanced" });
    this.child = child;
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on("message", (m: FromWorker) => this.onMessage(m));
    // A failed spawn or IPC error must fail the call, never crash the kernel.
    child.on("error", (e) => (stderr += `\n${e.message}`));
    child.on("exit", (code, signal) => {
      if (this.child === child) {
        this.child = undefined;
        this.ready = undefined;
      }
      const tail = stderr.trim().split("\n").slice(-3).join(" | ");
      const err = new ModelError(`${this.o.ref}: the llama.cpp process ended (${signal ?? `exit ${code}`})${tail ? `: ${tail}` : ""}`, {
        code: "model_process_died",
        fix: `check that ${this.o.path} is a valid GGUF model for this llama.cpp (node-llama-cpp 3.21.1); the kernel itself is unaffected`,
      });
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
    assertGpuBackend(this.o.gpu ?? false);
    const loaded = await this.request({ type: "load", modelPath: this.o.path, threads: this.threads, contextSize: this.o.contextSize, gpu: this.o.gpu ?? false }, 0, this.o.loadTimeoutMs ?? 120_000);
    if (loaded.type !== "loaded") throw new ModelError(`${this.o.ref}: unexpected reply while loading`, { code: "model_load_failed" });
    this.modelId = loaded.modelId;
    return loaded.modelId;
  }

  private onMessage(m: FromWorker): void {
    const id = "id" in m && m.id !== undefined ? m.id : 0;
    const p = this.pending.get(id);
    if (!p) return;
    if (m.type === "delta") return p.onDelta?.(m.text);
    this.pending.delete(id);
    if (m.type === "error") {
      p.reject(m.aborted ? new AbortedError(`model call to ${this.o.ref} aborted`) : new ModelError(`${this.o.ref}: ${m.message}`, { code: id === 0 ? "model_load_failed" : "model_failed", fix: id === 0 ? `check that ${this.o.path} is a llama.cpp GGUF model` : "see the message; a local model may need more context (models.providers.llamacpp.contextSize)" }));
    } else p.resolve(m);
  }

  private request(msg: ToWorker, id: number, timeoutMs: number, onDelta?: (t: string) => void, signal?: AbortSignal): Promise<FromWorker> {
    return new Promise<FromWorker>((resolvePromise, reject) => {
      const child = this.child;
      if (!child?.connected) return reject(new ModelError(`${this.o.ref}: the llama.cpp process is not running`, { code: "model_process_died", fix: "retry; the next call starts it again" }));
      const timer = setTimeout(() => {
        this.pending.delete(id);
        if (id === 0) child.kill("SIGKILL");
        else if (child.connected) child.send({ type: "abort", id } satisfies ToWorker);
        reject(new ModelError(`${this.o.ref}: no answer within ${timeoutMs} ms`, { code: "model_timeout", fix: "use a smaller model, fewer tokens, or more threads" }));
      }, timeoutMs);
      timer.unref();
      const onAbort = () => child.connected && child.send({ type: "abort", id } satisfies ToWorker);
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => (clearTimeout(timer), signal?.removeEventListener("abort", onAbort));
      this.pending.set(id, { onDelta, resolve: (m) => (done(), resolvePromise(m)), reject: (e) => (done(), reject(e)) });
      child.send(msg);
    });
  }

  async chat(req: ChatRequest): Promise<ChatResponse> {
    if (req.signal?.aborted) throw new AbortedError(`model call to ${this.o.ref} aborted`);
    await this.load();
    const id = this.nextId++;
    const r = await this.request({ type: "chat", id, messages: req.messages, tools: req.tools, toolChoice: req.toolChoice ?? "auto", maxTokens: this.o.maxTokens ?? 512, seed: 42 }, id, 600_000, req.onDelta, req.signal);
    if (r.type !== "result") throw new ModelError(`${this.o.ref}: unexpected reply`, { code: "model_failed" });
    return {
      content: r.content,
      toolCalls: r.toolCall ? [{ id: `llama_${id}`, name: r.toolCall.name, arguments: JSON.stringify(r.toolCall.arguments) }] : [],
      modelId: r.modelId,
      usage: r.usage,
      finishReason: r.toolCall ? "tool_calls" : "stop",
    };
  }

  /** Generation speed (benchmark): tokens generated and wall time, no grammar. */
  async bench(tokens: number): Promise<{ tokens: number; ms: number }> {
    await this.load();
    const id = this.nextId++;
    const r = await this.request({ type: "bench", id, tokens }, id, 600_000);
    if (r.type !== "benched") throw new ModelError(`${this.o.ref}: unexpected reply`, { code: "model_failed" });
    return { tokens: r.tokens, ms: r.ms };
  }

  get reportedModelId(): string | null {
    return this.modelId;
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((res) => {
      const t = setTimeout(() => child.kill("SIGKILL"), 2000);
      child.once("exit", () => (clearTimeout(t), res()));
      child.disconnect(); // the worker exits on disconnect
    });
  }
}
