/**
 * The main thread's handle on the compiler thread (ts-compiler-worker.ts). `warm()` is
 * called once the first kernel_info_reply is out; a cell that arrives sooner simply waits
 * for the same load. The worker is unref'd: it never keeps the kernel alive.
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { CompilerOp, CompilerReply } from "./ts-compiler-worker.js";

export class CompilerThread {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private failed: Error | undefined;

  constructor(private readonly prelude: () => string) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const file = fileURLToPath(new URL("./ts-compiler-worker.js", import.meta.url));
    const w = new Worker(file);
    w.unref();
    w.on("message", (r: CompilerReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else p.reject(new Error(`TypeScript compiler: ${r.message}`));
    });
    const lost = (e: Error) => {
      this.failed = e;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on("error", (e) => lost(new Error(`the TypeScript compiler thread failed: ${e.message}`)));
    w.on("exit", (code) => {
      if (this.worker === w) lost(new Error(`the TypeScript compiler thread exited (code ${code})`));
    });
    this.failed = undefined;
    return (this.worker = w);
  }

  call<T>(op: CompilerOp, ...args: unknown[]): Promise<T> {
    const w = this.ensure();
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ id, op, args });
    });
  }

  /** Loads the compiler in the background (errors surface on the first real cell). */
  warm(): void {
    this.call("warm", this.prelude()).catch(() => undefined);
  }

  get started(): boolean {
    return this.worker !== undefined;
  }

  lastError(): Error | undefined {
    return this.failed;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }
}
