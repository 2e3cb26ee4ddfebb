/**
 * The kernel: routes authenticated requests, runs execute_requests one at a time with
 * busy/idle around each, and keeps one command context (and so one Runtime) for its life.
 * No policy lives here: cells go to the magics grammar or to TypeScript.
 */
import { Console } from "node:console";
import { Writable } from "node:stream";
import { makeContext } from "../magics/commands/context.js";
import type { CommandContext } from "../magics/types.js";
import { AbortedError } from "../runtime/errors.js";
import type { RuntimeEvent } from "../runtime/events.js";
import type { Runtime } from "../runtime/runtime.js";
import { CellRunner } from "./execute.js";
import { killDescendants } from "./children.js";
import { completeMagic, commandWords } from "./complete.js";
import { magicAt, splitCell } from "./cells.js";
import { History, historyPath } from "./history.js";
import { kernelInfo } from "./info.js";
import { commandsFor } from "../magics/dispatch.js";
import { tokenize } from "../magics/tokenize.js";
import { Output, type ParentRef } from "./output.js";
import type { Message } from "./session.js";
import { Stdin } from "./stdin.js";
import type { TypeScriptCells } from "./typescript.js";
import type { KernelWire as Wire, Log, RequestChannel } from "./wire.js";
import { renderEventLine } from "../magics/render/events.js";
import { badge, box, esc, pre } from "../magics/render/html.js";

export interface KernelOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  version: string;
  log: Log;
  /** Called once shutdown is complete (main exits the process). */
  onExit?: (code: number) => void;
  /** Keep input history in the state dir (the Jupyter kernel; not the IPython extension's host). */
  history?: boolean;
  /**
   * Where {name} in an agent prompt is looked up: the client that sent the cell (the IPython
   * extension, which answers openclaw_scope_request from its user namespace), not the
   * TypeScript cells. The IPython extension's host sets "Python".
   */
  clientScope?: "Python";
}

interface Running {
  msg: Message;
  abort: AbortController;
}

export class Kernel {
  readonly output: Output;
  /** Input history across restarts (kernel/history.ts), when kept. */
  readonly history: History | undefined;
  readonly stdin: Stdin;
  readonly ctx: CommandContext & { closeAll(): Promise<void> };
  /** Secrets entered with `%openclaw secret NAME`: this process's memory only. */
  readonly secrets = new Map<string, string>();
  private readonly parent: ParentRef = { current: undefined };
  private readonly queue: Message[] = [];
  /** execute_requests waiting behind the running cell. */
  get queued(): number {
    return this.queue.length;
  }
  /** How many were queued when the running cell's error reply went out (set by the cell runner). */
  queuedAtFailure?: number;
  private draining = false;
  running: Running | undefined;
  private readonly runner: CellRunner;
  private readonly watched = new WeakSet<Runtime>();
  private readonly noticed = new Set<string>();
  private shuttingDown = false;
  /** KernelOptions.clientScope. */
  readonly clientScope: "Python" | undefined;

  constructor(readonly wire: Wire, private readonly opts: KernelOptions) {
    this.clientScope = opts.clientScope;
    this.output = new Output(wire, this.parent);
    this.stdin = new Stdin(wire, opts.log);
    const ctx = makeContext({ host: "kernel", cwd: opts.cwd, env: opts.env, sessionId: wire.session.id, secrets: this.secrets });
    const build = ctx.runtime;
    const kernel = this;
    // Subscribe to every Runtime the context builds: exit notices of background runs arrive between cells.
    ctx.runtime = function (this: CommandContext) {
      const p = build.call(this);
      p.then((rt) => kernel.watch(rt), () => undefined);
      return p;
    };
    this.ctx = ctx;
    this.history = opts.history ? new History(historyPath(opts.env), opts.log) : undefined;
    this.runner = new CellRunner(this);
  }

  get typescript(): TypeScriptCells {
    return this.runner.typescript;
  }

  /** Binds the sockets' handlers and routes cell output (console, process.stdout) to iopub. */
  start(): void {
    const write = (name: "stdout" | "stderr") => (chunk: unknown) => (this.output.write(name, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8")), true);
    const stream = (name: "stdout" | "stderr") =>
      new Writable({
        decodeStrings: false,
        write: (chunk, _enc, done) => {
          write(name)(chunk);
          done();
        },
      });
    globalThis.console = new Console({ stdout: stream("stdout"), stderr: stream("stderr") });
    process.stdout.write = write("stdout") as typeof process.stdout.write;
    process.stderr.write = write("stderr") as typeof process.stderr.write;
    this.wire.events.onInterrupt = () => this.interrupt();
    this.wire.listen((msg, channel) => this.handle(msg, channel));
  }

  private watch(rt: Runtime): void {
    if (this.watched.has(rt)) return;
    this.watched.add(rt);
    rt.on((e) => this.notice(e));
  }

  /**
   * A background notice (exec exit) shown once, as a notice display (not red stderr) with its
   * session id, on the running cell or, between cells, the last one.
   */
  notice(e: RuntimeEvent): void {
    if (e.type !== "exec.exit" && e.type !== "exec.background") return;
    const key = `${e.type}:${e.id}`;
    if (this.noticed.has(key)) return;
    this.noticed.add(key);
    if (this.noticed.size > 10000) this.noticed.clear();
    const line = renderEventLine(e);
    // The last lines of a finished run's output come with its notice (the exec area bounds them).
    const tail = e.type === "exec.exit" && e.tail.trim() ? e.tail.replace(/\s+$/, "").replace(/^/gm, "  ") + "\n" : "";
    if (!line) return;
    const state = e.type === "exec.background" ? "running" : e.exitCode === 0 && !e.signal && !e.timedOut ? "ok" : "fail";
    const html = box("oc-notice", `background run ${e.id}`, `<div>${badge(state)} ${esc(line)}</div>${e.type === "exec.exit" && tail ? pre(e.tail.replace(/\s+$/, ""), 160) : ""}`);
    void this.output.display({ "text/plain": `${line}\n${tail}`, "text/html": html }, { metadata: { openclaw: { notice: e.type, session: e.id, state } } });
  }

  setParent(msg: Message): void {
    this.parent.current = msg;
  }

  async handle(msg: Message, channel: RequestChannel): Promise<void> {
    const type = msg.header.msg_type;
    if (channel === "stdin") return this.stdin.onReply(msg);
    if (this.shuttingDown) return;
    switch (type) {
      case "execute_request":
        this.queue.push(msg);
        void this.drain();
        return;
      case "interrupt_request":
        this.interrupt();
        await this.wire.reply(channel, msg, "interrupt_reply", { status: "ok" });
        return;
      case "shutdown_request":
        return this.shutdown(msg, channel);
    }
    // Status busy/idle only while no cell runs: a front end would read this idle as the cell's.
    const status = !this.running;
    if (status) await this.output.publish("status", { execution_state: "busy" }, msg);
    try {
      const [replyType, content] = await this.answer(msg);
      if (replyType) await this.wire.reply(channel, msg, replyType, content);
      // The first kernel_info_reply is out: load the TypeScript compiler on its own thread
      // now, so the first TypeScript cell does not pay for it (magics never wait on it).
      if (replyType === "kernel_info_reply" && !this.runner.typescript.loaded) this.runner.typescript.warm();
    } finally {
      if (status) await this.output.publish("status", { execution_state: "idle" }, msg);
    }
  }

  /** Replies to everything but execute/interrupt/shutdown. */
  private async answer(msg: Message): Promise<[string | undefined, object]> {
    const c = msg.content as Record<string, any>;
    switch (msg.header.msg_type) {
      case "kernel_info_request":
        return ["kernel_info_reply", kernelInfo(this.opts.version)];
      case "complete_request":
        return ["complete_reply", { status: "ok", metadata: {}, ...(await this.complete(String(c.code ?? ""), Number(c.cursor_pos ?? 0))) }];
      case "inspect_request":
        return ["inspect_reply", await this.inspect(String(c.code ?? ""), Number(c.cursor_pos ?? 0))];
      case "is_complete_request":
        return ["is_complete_reply", await this.isComplete(String(c.code ?? ""))];
      case "history_request":
        return ["history_reply", this.history ? this.history.query(c) : { status: "ok", history: [] }];
      case "comm_info_request":
        return ["comm_info_reply", { status: "ok", comms: {} }];
      case "comm_open":
        // No comm targets: close it so the front end does not wait.
        await this.output.publish("comm_close", { comm_id: c.comm_id, data: {} }, msg);
        return [undefined, {}];
      case "comm_msg":
      case "comm_close":
        return [undefined, {}];
      default:
        this.opts.log(`unhandled request ${msg.header.msg_type}`);
        return [msg.header.msg_type.replace(/_request$/, "_reply"), { status: "error", ename: "NotImplemented", evalue: `${msg.header.msg_type} is not supported`, traceback: [] }];
    }
  }

  /** Runs queued execute_requests one at a time, in arrival order. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length && !this.shuttingDown) {
        const msg = this.queue.shift()!;
        this.queuedAtFailure = undefined;
        const ok = await this.runner.execute(msg);
        // stop_on_error: abort what was already queued behind a failed cell when its error reply
        // went out, nothing sent later (a client that read the error and sent the next cell).
        if (!ok && msg.content.stop_on_error !== false) {
          const aborted = this.queue.splice(0, this.queuedAtFailure ?? this.queue.length);
          for (const m of aborted) await this.runner.abortRequest(m);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Stop: aborts the running cell's signal (exec, agent turn, awaited TypeScript) and any question on stdin. */
  interrupt(): void {
    this.running?.abort.abort(new AbortedError("interrupted"));
    this.stdin.cancel();
  }

  private async complete(code: string, pos: number) {
    const magic = magicAt(code, pos);
    if (magic) {
      return completeMagic(code.slice(magic.offset, code.indexOf("\n", magic.offset) < 0 ? code.length : code.indexOf("\n", magic.offset)), pos - magic.offset, magic.offset, {
        skills: () => this.vocab("skills"),
        models: () => this.vocab("models"),
        skillParams: (name) => this.skillParams(name),
      });
    }
    try {
      const tsStart = this.tsOffset(code);
      if (tsStart === undefined || pos < tsStart) return { matches: [], cursor_start: pos, cursor_end: pos };
      const r = await this.runner.typescript.complete(this.tsSource(code), pos);
      // `display` is callable, but its helpers are what a cell wants, not Function.prototype's members.
      const onDisplay = /\bdisplay(?:\.newDisplay\(\))?\.\w*$/.test(code.slice(0, pos));
      const matches = onDisplay ? r.matches.filter((m) => !FUNCTION_MEMBERS.has(m)) : r.matches;
      return { matches, cursor_start: r.start, cursor_end: r.end };
    } catch (e) {
      this.opts.log(`complete failed: ${(e as Error).message}`);
      return { matches: [], cursor_start: pos, cursor_end: pos };
    }
  }

  /** Where TypeScript begins in a cell (after leading magic lines), or undefined for a cell magic. */
  private tsOffset(code: string): number | undefined {
    const parts = splitCell(code);
    const ts = parts.find((p) => p.kind === "typescript");
    if (parts[0]?.kind === "magic" && parts[0].body !== undefined) return undefined;
    if (!ts) return code.length;
    return code.split("\n").slice(0, ts.lineNo - 1).join("\n").length + (ts.lineNo > 1 ? 1 : 0);
  }

  /** The cell with magic lines blanked (same offsets) so TypeScript positions stay true. */
  private tsSource(code: string): string {
    return code.replace(/^\s*%openclaw.*$/gm, (l) => " ".repeat(l.length));
  }

  private async vocab(kind: "skills" | "models"): Promise<string[]> {
    try {
      const rt = await this.ctx.runtime();
      // Configured refs, the scripted files and the GGUF files (models list without the network), pinned only.
      if (kind === "models") return [...new Set([rt.config.agentDefaults.model, ...rt.config.models.refs, ...(await (await rt.models()).list().then((l) => l.models.filter((m) => m.pinned).map((m) => m.ref), () => []))])];
      return (await rt.skills()).list().map((s) => s.name);
    } catch {
      return [];
    }
  }

  private async skillParams(name: string): Promise<string[]> {
    try {
      const skill = (await (await this.ctx.runtime()).skills()).list().find((s) => s.name === name);
      return Object.keys((skill?.parameters as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
    } catch {
      return [];
    }
  }

  private async inspect(code: string, pos: number): Promise<object> {
    const magic = magicAt(code, pos);
    try {
      if (magic) {
        const { dispatch } = await import("../magics/dispatch.js");
        const { toMimeBundle } = await import("../magics/render/mime.js");
        const line = code.slice(magic.offset).split("\n")[0]!;
        const words = commandWords(line);
        // On `skills run NAME` / `skills show NAME`: that skill's own help, else the command's.
        const skill = words[0] === "skills" && (words[1] === "run" || words[1] === "show") ? line.trim().split(/\s+/)[2] : undefined;
        const shown = skill && !skill.startsWith("-") ? await dispatch(["skills", "show", skill], this.ctx).catch(() => undefined) : undefined;
        const { result } = shown ?? (await dispatch(["help", ...words], this.ctx));
        return { status: "ok", found: true, data: toMimeBundle(result), metadata: {} };
      }
      const text = await this.runner.typescript.inspect(this.tsSource(code), pos);
      return { status: "ok", found: !!text, data: text ? { "text/plain": text } : {}, metadata: {} };
    } catch (e) {
      return { status: "ok", found: false, data: {}, metadata: {}, note: (e as Error).message };
    }
  }

  private async isComplete(code: string): Promise<object> {
    const parts = splitCell(code);
    if (!parts.length) return { status: "complete" };
    // A magic line with an open quote (or a backtick inside one) goes on: the console adds a line.
    for (const p of parts) if (p.kind === "magic" && magicIncomplete(p.line, p.body)) return { status: "incomplete", indent: "" };
    if (parts[0]!.kind === "magic" && parts[0]!.body !== undefined) return { status: "complete" };
    const ts = parts.find((p) => p.kind === "typescript");
    if (!ts || ts.kind !== "typescript") return { status: "complete" };
    try {
      const r = await this.runner.typescript.isComplete(ts.code);
      return r.completed ? { status: "complete" } : { status: "incomplete", indent: r.indent ?? "" };
    } catch {
      return { status: "unknown" };
    }
  }

  /** shutdown_request: reply, stop the runtime (gateway, exec sessions, audit flush), leave no child, exit. */
  async shutdown(msg: Message | undefined, channel: RequestChannel = "control"): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const restart = !!msg?.content.restart;
    this.interrupt();
    if (msg) {
      await this.wire.reply(channel, msg, "shutdown_reply", { status: "ok", restart });
      await this.output.publish("shutdown_reply", { status: "ok", restart }, msg);
    }
    const closing = this.ctx.closeAll().catch((e) => this.opts.log(`closing the runtime failed: ${(e as Error).message}`));
    await Promise.race([closing, new Promise((r) => setTimeout(r, 5000).unref())]);
    try {
      this.runner.close();
    } catch {
      /* compiler already gone */
    }
    await killDescendants(500);
    this.output.flush();
    await this.wire.close();
    this.opts.onExit?.(0);
  }
}

const FUNCTION_MEMBERS = new Set(["apply", "bind", "call", "arguments", "caller", "length", "name", "prototype", "toString"]);

/**
 * A magic that cannot run yet as typed: an unterminated quote, or a cell magic whose command
 * takes the body (`%%openclaw agent`) with neither a body nor the argument on its line.
 */
function magicIncomplete(line: string, body: string | undefined): boolean {
  let tokens: string[];
  try {
    tokens = tokenize(line);
  } catch {
    return true;
  }
  // Backticks are literal here (nothing is expanded), but an odd one is a command left unfinished.
  if ((line.replace(/'[^']*'/g, "").replace(/\\`/g, "").match(/`/g)?.length ?? 0) % 2 === 1) return true;
  if (body === undefined || body.trim() !== "") return false;
  const words = tokens.filter((t) => !t.startsWith("-"));
  const spec = commandsFor("kernel")
    .filter((c) => c.path.every((w, i) => words[i] === w))
    .sort((a, b) => b.path.length - a.path.length)[0];
  return !!spec?.bodyPositional && words.length === spec.path.length && !tokens.some((t) => t === "--help" || t === "-h");
}
