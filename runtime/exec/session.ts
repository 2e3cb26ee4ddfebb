import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Capture } from "./capture.js";
import { procStartTicks } from "./foreign.js";
import { EXEC_ID_VAR, KILL_GRACE_MS, killGroup, signalGroup, signalRun } from "./kill.js";
import type { ExecResult, ExecSessionInfo, ExecStatus } from "./types.js";

/** How long to wait for the pipes to close after the group is gone (an escaped grandchild may hold them). */
const DRAIN_MS = 500;
/** After the leader's exit, how long the pipes may stay open before we look for escaped processes holding them. */
const ESCAPE_CHECK_MS = 50;

export interface SessionSpec {
  id: string;
  /** What was asked for (shown, audited). */
  argv: string[];
  /** What is spawned: argv, or bwrap … -- argv. */
  spawnArgv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  /** Bytes of each stream's log kept on disk (default 32 MiB). */
  maxLogBytes?: number;
  sandboxed: boolean;
  /** Folder for this session's log files (created on first need). */
  logDir: string;
  owner?: string;
  label?: string;
}

/**
 * One child process: its own process group (detached), stdin /dev/null, output
 * captured, a hard timeout that kills the whole group. `done` settles once the group
 * is gone and the output is complete; it never rejects.
 */
export class ExecSession {
  readonly id: string;
  readonly spec: SessionSpec;
  readonly startedAt = new Date();
  readonly done: Promise<void>;
  pid: number | null = null;
  status: ExecStatus = "running";
  exitCode: number | null = null;
  signal: string | null = null;
  timedOut = false;
  error: string | undefined;
  endedAt: Date | null = null;
  background = false;
  private startTicks: string | null | undefined;
  private leaderStart: number | null = null;
  private aborted = false;
  private readonly t0 = performance.now();
  private t1: number | null = null;
  private dirMade = false;
  private readonly out: Capture;
  private readonly err: Capture;
  private timer: NodeJS.Timeout | null = null;

  constructor(spec: SessionSpec) {
    this.id = spec.id;
    this.spec = spec;
    this.out = new Capture(spec.maxOutputBytes, () => this.file("stdout.log"), spec.maxLogBytes);
    this.err = new Capture(spec.maxOutputBytes, () => this.file("stderr.log"), spec.maxLogBytes);
    this.done = this.start();
  }

  private file(name: string): string {
    if (!this.dirMade) {
      mkdirSync(this.spec.logDir, { recursive: true, mode: 0o700 });
      this.dirMade = true;
    }
    return join(this.spec.logDir, name);
  }

  private start(): Promise<void> {
    return new Promise<void>((resolve) => {
      const [file, ...args] = this.spec.spawnArgv;
      let child: ChildProcess;
      try {
        // detached: the child leads a new process group, so one kill(-pid) reaches its whole tree.
        // Unsandboxed, the child carries its run id: a descendant that calls setsid leaves the
        // group (and, once its parent exits, the ancestry), but keeps the mark (kill.ts runProcesses).
        const env = this.spec.sandboxed ? this.spec.env : { ...this.spec.env, [EXEC_ID_VAR]: this.id };
        child = spawn(file!, args, { cwd: this.spec.cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"], shell: false, windowsHide: true });
      } catch (e) {
        this.fail(e as Error);
        return resolve();
      }
      this.pid = child.pid ?? null;
      if (this.pid !== null && !this.spec.sandboxed) this.leaderStart = Number(procStartTicks(this.pid)) || null;
      child.stdout!.on("data", (b: Buffer) => this.out.push(b));
      child.stderr!.on("data", (b: Buffer) => this.err.push(b));
      let closed = false;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        if (this.timer) clearTimeout(this.timer);
        this.out.close();
        this.err.close();
        this.t1 ??= performance.now();
        this.endedAt = new Date();
        this.status = this.error !== undefined ? "failed" : this.timedOut ? "timeout" : this.aborted ? "aborted" : this.exitCode === 0 ? "ok" : "failed";
        this.writeMeta();
        resolve();
      };
      child.once("error", (e) => {
        // spawn failures (ENOENT, EACCES) arrive here, with no pid and no exit event.
        if (this.pid === null) {
          this.fail(e);
          finish();
        }
      });
      child.once("exit", (code, sig) => {
        this.t1 = performance.now();
        this.exitCode = code;
        this.signal = sig;
        // The leader is gone; whatever it left in its group goes too (no orphans).
        if (this.pid !== null) signalGroup(this.pid, "SIGKILL");
        // Unsandboxed, a process that left the group (setsid) and still holds our pipes keeps
        // them open: find it by its mark and kill it too. A run whose pipes close at once costs nothing.
        if (this.pid !== null && !this.spec.sandboxed) {
          const leader = this.pid;
          setTimeout(() => {
            if (!closed) signalRun(leader, this.id, this.leaderStart, "SIGKILL");
          }, ESCAPE_CHECK_MS).unref();
        }
        setTimeout(() => {
          if (!closed) {
            child.stdout?.destroy();
            child.stderr?.destroy();
          }
        }, DRAIN_MS).unref();
      });
      child.once("close", () => {
        closed = true;
        finish();
      });
      if (this.spec.timeoutMs > 0) {
        this.timer = setTimeout(() => {
          this.timedOut = true;
          this.terminate();
        }, this.spec.timeoutMs);
        this.timer.unref();
      }
    });
  }

  private fail(e: Error): void {
    this.error = `${(e as NodeJS.ErrnoException).code ?? "error"}: cannot start ${this.spec.argv[0]}: ${e.message}`;
  }

  /**
   * Kill the whole group (SIGTERM, then SIGKILL after a grace). Sandboxed, bwrap's pid
   * namespace holds every descendant; unsandboxed, also every process of the run that
   * left the group (setsid), found by ancestry and by its mark, SIGKILLed after the grace
   * even if the leader is gone by then.
   */
  private terminate(): void {
    if (this.pid === null || this.status !== "running") return;
    if (this.spec.sandboxed) return killGroup(this.pid, this.done);
    const leader = this.pid;
    signalRun(leader, this.id, this.leaderStart, "SIGTERM");
    setTimeout(() => signalRun(leader, this.id, this.leaderStart, "SIGKILL"), KILL_GRACE_MS).unref();
  }

  /** Stop it on request (Stop button, `exec kill`, close()). */
  abort(): void {
    if (this.status !== "running") return;
    this.aborted = true;
    this.terminate();
  }

  /** The run outlived backgroundMs: from now on every byte also goes to disk. */
  toBackground(): void {
    this.background = true;
    this.out.attach();
    this.err.attach();
    this.writeMeta();
  }

  private writeMeta(): void {
    if (!this.dirMade) return;
    try {
      // hostPid and startTicks let another process (a terminal's `exec list|kill`) tell a live session from a recycled pid.
      this.startTicks ??= this.pid !== null && this.status === "running" ? procStartTicks(this.pid) : null;
      const meta: Record<string, unknown> = { ...this.info(), hostPid: process.pid, startTicks: this.startTicks, background: this.background };
      // Once finished, the whole streams' size and sha256: a reader in another process reads only the tail.
      if (this.status !== "running") Object.assign(meta, { stdoutBytes: this.out.bytes, stderrBytes: this.err.bytes, stdoutSha256: this.out.sha256(), stderrSha256: this.err.sha256() });
      writeFileSync(join(this.spec.logDir, "meta.json"), JSON.stringify(meta, null, 2) + "\n", { mode: 0o600 });
    } catch {
      /* post-mortem metadata is best effort; the audit log holds the record */
    }
  }

  get durationMs(): number {
    return Math.round(((this.t1 ?? performance.now()) - this.t0) * 1000) / 1000;
  }

  get logDir(): string | null {
    return this.dirMade ? this.spec.logDir : null;
  }

  result(): ExecResult {
    const r: ExecResult = {
      id: this.id,
      status: this.status,
      argv: this.spec.argv,
      pid: this.pid,
      exitCode: this.exitCode,
      signal: this.signal,
      timedOut: this.timedOut,
      durationMs: this.durationMs,
      stdout: this.out.text(),
      stderr: this.err.text(),
      truncated: this.out.truncated || this.err.truncated,
      sandboxed: this.spec.sandboxed,
      stdoutSha256: this.out.sha256(),
      stderrSha256: this.err.sha256(),
      stdoutBytes: this.out.bytes,
      stderrBytes: this.err.bytes,
      logDir: this.logDir,
    };
    if (this.error !== undefined) r.error = this.error;
    return r;
  }

  info(): ExecSessionInfo {
    return {
      id: this.id,
      argv: this.spec.argv,
      pid: this.pid,
      status: this.status,
      owner: this.spec.owner,
      label: this.spec.label,
      startedAt: this.startedAt.toISOString(),
      endedAt: this.endedAt?.toISOString() ?? null,
      exitCode: this.exitCode,
      signal: this.signal,
      timedOut: this.timedOut,
      durationMs: this.durationMs,
      sandboxed: this.spec.sandboxed,
      truncated: this.out.truncated || this.err.truncated,
      logDir: this.logDir,
    };
  }
}
