import { randomBytes } from "node:crypto";
import { mkdirSync, realpathSync, rmSync } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { ExecConfig } from "../config/index.js";
import { NotFoundError, PolicyError, UsageError } from "../errors.js";
import type { RuntimeEventInput } from "../events.js";
import { childEnv } from "./env.js";
import { isInside, makeReadOnlyPlaceholders, probeSandbox, sandboxArgv, BWRAP_CANDIDATES, type SandboxProbe } from "./sandbox.js";
import { ExecSession } from "./session.js";
import { foreignResult, listForeign, readMeta, sameProcess, type ForeignMeta } from "./foreign.js";
import { KILL_GRACE_MS, signalGroup } from "./kill.js";
import type { ExecNotice, ExecRequest, ExecResult, ExecSessionInfo } from "./types.js";

export interface ExecManagerOptions {
  config: ExecConfig;
  workspace: string;
  stateDir: string;
  emit: (e: RuntimeEventInput) => void;
  /** The host environment children's allow-listed variables come from (default process.env). */
  hostEnv?: NodeJS.ProcessEnv;
  /** Where to look for bubblewrap (tests point it at nothing to simulate its absence). */
  bwrapCandidates?: string[];
  /** Paths kept read-only inside the sandbox besides the skill folders (the config file). */
  readOnlyPaths?: string[];
}

const NOTICE_TAIL_CHARS = 2000;
const MAX_PENDING_NOTICES = 1000;



/**
 * The governed process runner: argv only, no shell, a process group per run, the
 * workspace as cwd, a minimal environment, bubblewrap when present, timeouts that
 * kill whole trees, background sessions with exactly one exit notice, and cleanup.
 * Only skills.invoke calls run(); front doors never reach it directly.
 */
export class ExecManager {
  readonly config: ExecConfig;
  readonly workspace: string;
  readonly stateDir: string;
  private readonly emit: ExecManagerOptions["emit"];
  private readonly hostEnv: NodeJS.ProcessEnv;
  private readonly bwrapCandidates: string[];
  private readonly extraReadOnly: string[];
  private readonly sessions = new Map<string, ExecSession>();
  private readonly notices: ExecNotice[] = [];
  private readonly cleanups = new Map<string, NodeJS.Timeout>();
  private realWorkspace: string | null = null;
  private swept: Promise<void> | undefined;
  private closed = false;

  constructor(opts: ExecManagerOptions) {
    this.config = opts.config;
    this.workspace = opts.workspace;
    this.stateDir = opts.stateDir;
    this.emit = opts.emit;
    this.hostEnv = opts.hostEnv ?? process.env;
    this.bwrapCandidates = opts.bwrapCandidates ?? BWRAP_CANDIDATES;
    // The Node install running us stays visible inside the sandbox even when it lives
    // under /tmp (the sandbox's private tmpfs): children are often `node` themselves.
    const nodePrefix = dirname(dirname(process.execPath));
    this.extraReadOnly = [...(opts.readOnlyPaths ?? []), ...(nodePrefix === "/" ? [] : [nodePrefix])];
  }

  /** Whether runs will be sandboxed, and why not. */
  sandbox(): SandboxProbe & { mode: ExecConfig["sandbox"] } {
    if (this.config.sandbox === "off") return { mode: "off", available: false, path: null, reason: "tools.exec.sandbox is off" };
    return { mode: this.config.sandbox, ...probeSandbox(this.bwrapCandidates) };
  }

  private ws(): string {
    if (this.realWorkspace) return this.realWorkspace;
    mkdirSync(this.workspace, { recursive: true });
    return (this.realWorkspace = realpathSync(this.workspace));
  }

  /** cwd by real path, inside the workspace (a symlink out of it is refused). */
  private cwdFor(req: ExecRequest): string {
    const ws = this.ws();
    if (req.cwd === undefined) return ws;
    let real: string;
    try {
      real = realpathSync(resolve(ws, req.cwd));
    } catch {
      throw new UsageError(`exec cwd ${req.cwd} does not exist`, { fix: `create it inside the workspace ${ws}` });
    }
    if (!isInside(ws, real)) throw new PolicyError(`exec cwd ${req.cwd} resolves to ${real}, outside the workspace ${ws}`, { rule: "exec.cwd", fix: "run inside the workspace" });
    return real;
  }

  /**
   * Runs argv. Resolves with the finished result, or with status "running" and an id
   * once the run outlives backgroundMs. Throws PolicyError before spawning anything
   * when a rule refuses the run (env, cwd, sandbox required but unavailable).
   */
  async run(req: ExecRequest): Promise<ExecResult> {
    if (this.closed) throw new UsageError("exec is closed (the runtime is shutting down)");
    if (!Array.isArray(req.argv) || req.argv.length === 0 || req.argv.some((a) => typeof a !== "string")) throw new UsageError("exec needs argv: a non-empty list of strings");
    if (req.argv.some((a) => a.includes("\0"))) throw new PolicyError("an argument contains a NUL byte", { rule: "exec.argv" });
    // Collecting an earlier process's leftovers runs beside this run, never before it.
    this.swept ??= this.sweep();
    const cwd = this.cwdFor(req);
    const env = childEnv(this.hostEnv, this.config.env, req.env, req.secretEnv);
    const sb = this.sandbox();
    if (sb.mode === "required" && !sb.available) {
      throw new PolicyError(`sandbox required but unavailable: ${sb.reason}`, { rule: "sandbox.required", fix: "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) and allow user namespaces, or set tools.exec.sandbox to \"auto\"" });
    }
    const sandboxed = sb.mode !== "off" && sb.available;
    // Read-only paths inside the workspace (its skills folder, skills.dirs entries, .git)
    // must exist to be mounted read-only: otherwise a run could create them and plant a
    // skill that a later run trusts, or a .git whose config runs code on the host.
    if (sandboxed) makeReadOnlyPlaceholders(this.ws(), [...(req.readOnlyPaths ?? []), join(this.ws(), "skills")]);
    const id = `x${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
    const spawnArgv = sandboxed
      ? [sb.path!, ...sandboxArgv(sb.path!, { workspace: this.ws(), cwd, hide: [this.stateDir], readOnly: [...(req.readOnlyPaths ?? []), ...this.extraReadOnly, join(this.ws(), "skills")] }, req.argv)]
      : req.argv;
    const timeoutSec = Math.min(req.timeoutSec ?? this.config.timeoutSec, this.config.timeoutSec);
    const session = new ExecSession({
      id,
      argv: req.argv,
      spawnArgv,
      cwd,
      env,
      timeoutMs: timeoutSec * 1000,
      maxOutputBytes: this.config.maxOutputBytes,
      maxLogBytes: this.config.maxLogBytes,
      sandboxed,
      logDir: join(this.stateDir, "exec", id),
      owner: req.owner,
      label: req.label,
    });
    const onAbort = () => session.abort();
    if (req.signal?.aborted) session.abort();
    req.signal?.addEventListener("abort", onAbort, { once: true });
    const backgroundMs = req.backgroundMs ?? this.config.backgroundMs;
    let bgTimer: NodeJS.Timeout | undefined;
    const wentBackground = await Promise.race([
      session.done.then(() => false),
      new Promise<boolean>((res) => {
        // A run whose timeout already fired is being killed: wait for that, never background it.
        bgTimer = setTimeout(() => {
          if (!session.timedOut) res(true);
        }, backgroundMs);
      }),
    ]);
    clearTimeout(bgTimer);
    // The caller's signal stops a run only while the caller waits for it.
    req.signal?.removeEventListener("abort", onAbort);
    if (!wentBackground) {
      if (session.logDir) this.scheduleCleanup(session);
      return session.result();
    }
    session.toBackground();
    this.sessions.set(id, session);
    this.emit({ type: "exec.background", id, owner: req.owner, backgroundMs, argv: req.argv, pid: session.pid });
    void session.done.then(() => this.finished(session));
    return session.result();
  }

  /** A background session ended: one notice (unless suppressed), then cleanup later. */
  private finished(s: ExecSession): void {
    const r = s.result();
    const empty = r.stdoutBytes === 0 && r.stderrBytes === 0;
    const notify = this.config.notifyOnExit && !(r.status === "ok" && empty && !this.config.notifyOnExitEmptySuccess);
    if (notify) {
      const tail = (r.stdout + (r.stderr ? (r.stdout ? "\n" : "") + r.stderr : "")).slice(-NOTICE_TAIL_CHARS);
      const notice: ExecNotice = { id: s.id, owner: s.spec.owner, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs, tail };
      // Queued only for a named owner (who will drain it); bounded so an owner that never drains cannot grow it forever.
      if (notice.owner !== undefined) {
        this.notices.push(notice);
        if (this.notices.length > MAX_PENDING_NOTICES) this.notices.shift();
      }
      this.emit({ type: "exec.exit", ...notice, status: r.status });
    }
    this.scheduleCleanup(s);
  }

  private scheduleCleanup(s: ExecSession): void {
    const t = setTimeout(() => this.collect(s.id, s.logDir), this.config.cleanupMs);
    t.unref();
    this.cleanups.set(s.id, t);
  }

  /** Forget a finished session and delete its files. */
  private collect(id: string, dir: string | null): void {
    this.cleanups.delete(id);
    this.sessions.delete(id);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }

  /**
   * Collects log folders an earlier process left behind (it was killed, or exited
   * before its cleanupMs timers fired): any whose files are older than cleanupMs.
   * Best effort, once per manager, started by the first run and never awaited by it:
   * one folder at a time on async fs calls, so 10k leftovers cost a run nothing and
   * never block the event loop. Resolves when done (sweepDone()).
   */
  private async sweep(): Promise<void> {
    const root = join(this.stateDir, "exec");
    let names: string[];
    try {
      names = await readdir(root);
    } catch {
      return;
    }
    const cutoff = Date.now() - this.config.cleanupMs;
    for (const n of names) {
      if (this.closed) return;
      const d = join(root, n);
      try {
        if (this.sessions.has(n) || this.cleanups.has(n)) continue;
        const files = await readdir(d);
        let newest = (await stat(d)).mtimeMs;
        for (const f of files) newest = Math.max(newest, (await stat(join(d, f))).mtimeMs);
        if (newest >= cutoff) continue;
        const meta = readMeta(d);
        if (meta?.status === "running" && sameProcess(meta)) continue; // another process's live session
        await rm(d, { recursive: true, force: true });
      } catch {
        /* raced with another process: fine */
      }
    }
  }

  /** The leftover sweep's completion (resolved at once when no run started it). */
  sweepDone(): Promise<void> {
    return this.swept ?? Promise.resolve();
  }

  /**
   * Background sessions, running and finished-but-not-yet-collected: this process's,
   * then those other processes on the same state dir left on disk (marked foreign).
   */
  list(limit?: number): ExecSessionInfo[] {
    const mine = [...this.sessions.values()].map((s) => s.info());
    const all = [...mine, ...listForeign(this.stateDir, new Set(this.sessions.keys()), limit)];
    // Newest first; ties (same ms) by id, which starts with the start time too.
    all.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
    return limit === undefined ? all : all.slice(0, limit);
  }

  private notFound(id: string): NotFoundError {
    return new NotFoundError(`no exec session "${id}"`, { fix: "`exec list` shows the background sessions; finished ones are collected after tools.exec.cleanupMs" });
  }

  private session(id: string): ExecSession {
    const s = this.sessions.get(id);
    if (!s) throw this.notFound(id);
    return s;
  }

  /** A session of another process: its folder and meta, or NotFoundError. Ids are ours, so a path in one is refused. */
  private foreign(id: string): { dir: string; meta: ForeignMeta } {
    if (!/^x[0-9a-z]+$/.test(id)) throw this.notFound(id);
    const dir = join(this.stateDir, "exec", id);
    const meta = readMeta(dir);
    if (!meta) throw this.notFound(id);
    return { dir, meta };
  }

  async log(id: string): Promise<ExecResult> {
    if (this.sessions.has(id)) return this.session(id).result();
    const f = this.foreign(id);
    return foreignResult(f.dir, f.meta, this.config.maxOutputBytes);
  }

  /** Resolves when the session ends (at once if it has). */
  async wait(id: string): Promise<ExecResult> {
    const s = this.session(id);
    await s.done;
    return s.result();
  }

  /**
   * Kills the session's whole process group and waits for it. A foreign session is
   * signalled only if its leader is provably the process that was started; its own
   * host then records the exit.
   */
  async kill(id: string): Promise<ExecResult> {
    if (!this.sessions.has(id)) return this.killForeign(id);
    const s = this.session(id);
    s.abort();
    await s.done;
    return s.result();
  }

  private async killForeign(id: string): Promise<ExecResult> {
    const { dir, meta } = this.foreign(id);
    if (meta.status === "running" && sameProcess(meta)) {
      signalGroup(meta.pid!, "SIGTERM");
      const end = Date.now() + KILL_GRACE_MS;
      while (Date.now() < end && sameProcess(meta)) await new Promise((r) => setTimeout(r, 25));
      if (sameProcess(meta)) signalGroup(meta.pid!, "SIGKILL");
      // Give its host a moment to record the exit in meta.json.
      const until = Date.now() + 1000;
      while (Date.now() < until && readMeta(dir)?.status === "running") await new Promise((r) => setTimeout(r, 25));
    }
    return foreignResult(dir, readMeta(dir) ?? meta, this.config.maxOutputBytes);
  }

  /** Pending exit notices for `owner`, each delivered once. */
  drainNotices(owner: string): ExecNotice[] {
    const mine = this.notices.filter((n) => n.owner === owner);
    if (mine.length) {
      const rest = this.notices.filter((n) => n.owner !== owner);
      this.notices.length = 0;
      this.notices.push(...rest);
    }
    return mine;
  }

  /** Kills every running session and waits for them; later runs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.sessions.values()].filter((s) => s.status === "running");
    for (const s of running) s.abort();
    await Promise.all(running.map((s) => s.done));
    for (const t of this.cleanups.values()) clearTimeout(t);
    this.cleanups.clear();
  }
}
