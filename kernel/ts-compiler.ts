/**
 * The main thread's handle on the TypeScript compiler, which never runs on the kernel's
 * main thread. Two ways to run it, same requests and replies:
 * - a process started from a Node startup snapshot of the compiler, its declaration files
 *   already parsed and bound (kernel/ts-snapshot.ts; one for every folder), when a current
 *   one exists: it makes this folder's program from them, in a fraction of the time a
 *   fresh program takes;
 * - else a worker thread (ts-compiler-worker.ts) that builds the program, after which the
 *   snapshot is built in the background for the next kernel, in any folder.
 * `warm()` is called once the first kernel_info_reply is out; a cell that arrives sooner
 * simply waits for the same load. Neither keeps the kernel alive.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { CompilerOp, CompilerReply, CompilerRequest } from "./ts-compiler-worker.js";
import { codeCacheDir } from "../runtime/cache-dir.js";
import { buildSnapshot, dropSnapshot, findSnapshot, snapshotsEnabled, stopSnapshotBuild } from "./ts-snapshot.js";

export interface CompilerOptions {
  /** The cells' folder; with `prelude`, enables snapshots (off when absent). */
  cwd?: string;
  /** The prelude a snapshot is built with (the first cell's declarations). */
  prelude?: string;
}

interface Backend {
  kind: "worker" | "snapshot";
  send(m: CompilerRequest): void;
  stop(): Promise<void>;
  /** Keeps the process alive while a request waits (never while idle). */
  busy?(on: boolean): void;
}

interface Pending {
  req: CompilerRequest;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/** A compiler process spawned from a snapshot before the kernel's own modules load (prestartCompiler). */
interface Spawned {
  blob: string;
  cwd: string;
  prelude: string;
  child: ChildProcess;
  ready: boolean;
  exit: string | undefined;
}

function spawnSnapshot(blob: string, cwd: string, prelude: string): Spawned {
  // No environment: the compiler needs none, and a child gets no secrets. Its folder is the
  // cells' (the converter it makes reads it); the prelude it checks on start comes as argv.
  const child = spawn(process.execPath, ["--snapshot-blob", blob, "--", JSON.stringify({ prelude })], { cwd, env: {}, stdio: ["ignore", "ignore", "ignore", "ipc"] });
  const s: Spawned = { blob, cwd, prelude, child, ready: false, exit: undefined };
  child.on("message", (r: CompilerReply) => {
    if (r?.id === 0) s.ready = true;
  });
  child.on("error", (e) => (s.exit ??= `failed: ${e.message}`));
  child.on("exit", (code, signal) => (s.exit ??= `exited (${signal ?? `code ${code}`})`));
  child.unref();
  (child as unknown as { channel?: { unref(): void } }).channel?.unref();
  return s;
}

let early: Spawned | undefined;

/**
 * Starts the compiler process from the snapshot, if a current one exists, before the kernel
 * loads the rest of its modules: it deserializes and makes this folder's program on another
 * core meanwhile. The first CompilerThread for the same folder and prelude adopts it. A few
 * ms of file checks.
 */
export function prestartCompiler(cwd: string, prelude: string): void {
  if (early || !snapshotsEnabled() || resolve(cwd) !== process.cwd()) return;
  const dir = codeCacheDir();
  const blob = dir ? findSnapshot(dir) : undefined;
  if (blob) early = spawnSnapshot(blob, cwd, prelude);
}

export class CompilerThread {
  private backend: Backend | undefined;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private failed: Error | undefined;
  /** A snapshot that failed to start is not tried again by this kernel. */
  private snapshotBroken = false;
  /** Requests held until the snapshot process says it is ready. */
  private held: CompilerRequest[] | undefined;

  constructor(
    private readonly prelude: () => string,
    private readonly opts: CompilerOptions = {},
  ) {}

  /** Snapshots only where the worker would see the same folder (tslab reads the process's cwd). */
  private snapshotDir(): string | undefined {
    if (!this.opts.cwd || this.opts.prelude === undefined || !snapshotsEnabled() || resolve(this.opts.cwd) !== process.cwd()) return undefined;
    return codeCacheDir();
  }

  private ensure(): Backend {
    if (this.backend) return this.backend;
    const dir = this.snapshotDir();
    this.failed = undefined;
    const pre = early;
    early = undefined;
    if (pre && dir && pre.cwd === this.opts.cwd && pre.prelude === this.opts.prelude) {
      if (!pre.exit) return (this.backend = this.startSnapshot(pre));
      this.snapshotBroken = true;
      dropSnapshot(pre.blob);
    } else if (pre) pre.child.kill("SIGKILL"); // started for another folder: not ours to use
    const blob = dir && !this.snapshotBroken ? findSnapshot(dir) : undefined;
    return (this.backend = blob ? this.startSnapshot(spawnSnapshot(blob, this.opts.cwd!, this.opts.prelude!)) : this.startWorker());
  }

  private onReply(r: CompilerReply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (!this.pending.size) this.backend?.busy?.(false);
    if (r.ok) p.resolve(r.value);
    else p.reject(new Error(`TypeScript compiler: ${r.message}`));
  }

  private lost(b: Backend, e: Error): void {
    if (this.backend !== b) return;
    this.failed = e;
    this.backend = undefined;
    this.held = undefined;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private startWorker(): Backend {
    const file = fileURLToPath(new URL("./ts-compiler-worker.js", import.meta.url));
    // Plain JavaScript from dist/: no loader flags of the parent (a test runner's --import resolves from the cwd).
    const w = new Worker(file, { execArgv: [] });
    w.unref();
    const b: Backend = { kind: "worker", send: (m) => w.postMessage(m), stop: () => w.terminate().then(() => undefined) };
    w.on("message", (r: CompilerReply) => this.onReply(r));
    w.on("error", (e) => this.lost(b, new Error(`the TypeScript compiler thread failed: ${e.message}`)));
    w.on("exit", (code) => this.lost(b, new Error(`the TypeScript compiler thread exited (code ${code})`)));
    return b;
  }

  private startSnapshot(sp: Spawned): Backend {
    const { child, blob } = sp;
    let ready = sp.ready;
    this.held = ready ? undefined : [];
    const channel = (child as unknown as { channel?: { ref(): void; unref(): void } }).channel;
    const b: Backend = {
      kind: "snapshot",
      busy: (on) => (on ? (child.ref(), channel?.ref()) : (child.unref(), channel?.unref())),
      send: (m) => (this.held ? this.held.push(m) : child.send(m)),
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    };
    child.on("message", (r: CompilerReply) => {
      if (r.id === 0) {
        if (ready) return;
        ready = true;
        const held = this.held ?? [];
        this.held = undefined;
        for (const m of held) child.send(m);
        return;
      }
      this.onReply(r);
    });
    const gone = (why: string) => {
      if (this.backend !== b) return;
      if (!ready) {
        // It never came up (a Node that cannot load it, a damaged file): drop it and
        // answer the same requests from a worker thread.
        this.snapshotBroken = true;
        dropSnapshot(blob);
        const again = [...this.pending.values()].map((p) => p.req);
        this.held = undefined;
        this.backend = this.startWorker();
        for (const m of again) this.backend.send(m);
        return;
      }
      this.lost(b, new Error(`the TypeScript compiler process ${why}`));
    };
    child.on("error", (e) => gone(`failed: ${e.message}`));
    child.on("exit", (code, signal) => gone(`exited (${signal ?? `code ${code}`})`));
    return b;
  }

  call<T>(op: CompilerOp, ...args: unknown[]): Promise<T> {
    const b = this.ensure();
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const req = { id, op, args };
      this.pending.set(id, { req, resolve: resolve as (v: unknown) => void, reject });
      b.busy?.(true);
      b.send(req);
    });
  }

  /** Loads the compiler in the background (errors surface on the first real cell). */
  warm(): void {
    this.warmed().catch(() => undefined);
  }

  /**
   * Warms the compiler; when it came up the slow way (a worker) and there is no current
   * snapshot, builds it in the background for the next kernel (in any folder). Resolves with
   * what was used; from a snapshot, also how many declaration files its parse cache served.
   */
  async warmed(): Promise<{ kind: "worker" | "snapshot"; codeCache: string; parseCache?: { hits: number; misses: number; cached: number } }> {
    const b = this.ensure();
    const r = await this.call<{ codeCache: string; parseCache?: { hits: number; misses: number; cached: number } }>("warm", this.prelude());
    const kind = this.backend?.kind ?? b.kind;
    const dir = this.snapshotDir();
    if (kind === "worker" && dir && !findSnapshot(dir)) {
      this.snapshotBuild = buildSnapshot(dir, this.opts.prelude!).catch(() => false);
    }
    return { kind, codeCache: r.codeCache, ...(r.parseCache ? { parseCache: r.parseCache } : {}) };
  }

  /** The background snapshot build started by warmed(), if any (tests and the bench wait on it). */
  snapshotBuild: Promise<boolean> | undefined;

  /** How the compiler runs now, if it was started. */
  get kind(): "worker" | "snapshot" | undefined {
    return this.backend?.kind;
  }

  get started(): boolean {
    return this.backend !== undefined;
  }

  lastError(): Error | undefined {
    return this.failed;
  }

  async close(): Promise<void> {
    // A build this compiler started ends with it (a kernel that exits must leave no ~50 MB leftovers or process).
    if (this.snapshotBuild !== undefined) stopSnapshotBuild();
    const b = this.backend;
    this.backend = undefined;
    await b?.stop();
  }
}
