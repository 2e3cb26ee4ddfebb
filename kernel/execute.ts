/**
 * One execute_request: busy, execute_input, each part of the cell (magic lines through
 * the magics grammar, then TypeScript), execute_reply, idle. Magic results become MIME
 * bundles; live events update one display per command; errors become Jupyter errors.
 */
import type { CommandContext, CommandResult, ScopeHit } from "../magics/types.js";
import { AbortedError, ConfigError, EXIT, OpenClawError, SafetyError, UsageError } from "../runtime/errors.js";
import type { RuntimeEvent } from "../runtime/events.js";
import { splitCell } from "./cells.js";
import { commandFailure, Displayed, toJupyterError } from "./errors.js";
import { EventView } from "./events.js";
import { makeDisplay, makeFacade, valueBundle, type CellScope } from "./facade.js";
import type { Kernel } from "./kernel.js";
import type { Message } from "./session.js";
import { TypeScriptCells } from "./typescript.js";

export class CellRunner {
  private count = 0;
  private ts: TypeScriptCells | undefined;
  private readonly scope: CellScope;
  /** The context of the running cell (signal, emit, approver, prompt bound to it). */
  private cellCtx: CommandContext;
  private parentMsg: Message | undefined;

  constructor(private readonly kernel: Kernel) {
    this.cellCtx = kernel.ctx;
    this.scope = {
      output: kernel.output,
      ctx: () => this.cellCtx,
      magic: (line, body) => this.runMagic(line, body),
      approve: (summary, argv) => (this.parentMsg ? kernel.stdin.approver(this.parentMsg, this.cellCtx.signal)({ kind: "skill", summary, argv }) : Promise.resolve(false)),
    };
  }

  /** Built on first use; the compiler itself loads on the first TypeScript cell. */
  get typescript(): TypeScriptCells {
    return (this.ts ??= new TypeScriptCells(this.kernel.ctx.cwd, { openclaw: makeFacade(this.scope), display: makeDisplay(this.scope) }));
  }

  close(): void {
    void this.ts?.close();
  }

  /** Replies `aborted` to a request dropped behind a failed cell (stop_on_error). */
  async abortRequest(msg: Message): Promise<void> {
    const out = this.kernel.output;
    await out.publish("status", { execution_state: "busy" }, msg);
    await this.kernel.wire.reply("shell", msg, "execute_reply", { status: "aborted", execution_count: this.count });
    await out.publish("status", { execution_state: "idle" }, msg);
  }

  /** Runs one cell; resolves false when it failed (for stop_on_error). */
  async execute(msg: Message): Promise<boolean> {
    const { kernel } = this;
    const out = kernel.output;
    const c = msg.content as { code?: string; silent?: boolean; store_history?: boolean };
    const code = String(c.code ?? "");
    const silent = !!c.silent;
    const abort = new AbortController();
    kernel.running = { msg, abort };
    kernel.setParent(msg);
    this.parentMsg = msg;
    this.cellCtx = {
      ...kernel.ctx,
      signal: abort.signal,
      prompt: (q, o) => kernel.stdin.ask(msg, q, o.password, abort.signal),
      // No stdin (nbclient, a headless run): no approver at all, so the runtime records
      // "approval.none" (nobody could answer) rather than a person's "no".
      approver: msg.content.allow_stdin ? kernel.stdin.approver(msg, abort.signal) : undefined,
      ...(kernel.clientScope
        ? { scope: (name, limits) => this.clientLookup(msg, name, limits.maxChars, abort.signal), scopeLanguage: kernel.clientScope }
        : { scope: (name) => this.ts?.lookup(name) ?? { found: false } }),
    };
    const parts = splitCell(code);
    // A TypeScript-only cell goes to the compiler now: its check overlaps busy and execute_input.
    if (parts.length === 1 && parts[0]!.kind === "typescript") {
      try {
        this.typescript.compileAhead(parts[0]!.code);
      } catch {
        /* the cell's own run reports what is wrong */
      }
    }
    await out.publish("status", { execution_state: "busy" }, msg);
    if (!silent && c.store_history !== false) {
      this.count++;
      kernel.history?.add(this.count, code);
    }
    const n = this.count;
    if (!silent) await out.publish("execute_input", { code, execution_count: n }, msg);
    let ok = true;
    try {
      for (const part of parts) {
        if (abort.signal.aborted) throw new AbortedError("interrupted");
        if (part.kind === "magic") {
          const r = await this.runMagic(part.line, part.body);
          if (abort.signal.aborted) throw new Displayed(new AbortedError("interrupted"));
          // A result that is a failure (exit 1) fails the cell, after its output, so Run All stops.
          if (r.exitCode !== 0) throw new Displayed(commandFailure(r.command, r.data));
        } else await this.runTypeScript(part.code, n, silent);
      }
      out.flush();
      await kernel.wire.reply("shell", msg, "execute_reply", { status: "ok", execution_count: n, user_expressions: {}, payload: [] });
    } catch (raw) {
      ok = false;
      const e = raw instanceof Displayed ? raw.inner : raw;
      // A synchronous loop stopped by SIGINT (breakOnSigint) reads as an interrupt, like an aborted await.
      const stopped = (abort.signal.aborted && !(e instanceof OpenClawError)) || (e as { code?: unknown })?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
      const je = toJupyterError(stopped ? (raw instanceof Displayed ? new Displayed(new AbortedError("interrupted")) : new AbortedError("interrupted")) : raw);
      await out.publish("error", je, msg);
      await kernel.wire.reply("shell", msg, "execute_reply", { status: "error", execution_count: n, ...je });
      // stop_on_error aborts what was queued behind this cell when its error went out; a request
      // the client sends after reading the error (before this cell's idle) is not behind it.
      kernel.queuedAtFailure = kernel.queued;
    } finally {
      this.ts?.dropAhead();
      kernel.running = undefined;
      this.cellCtx = kernel.ctx;
      await out.publish("status", { execution_state: "idle" }, msg);
    }
    return ok;
  }

  /**
   * {name} from the client's namespace (the IPython extension's host): asked over stdin. A
   * client that does not say it can answer (an older extension) gets an error, not a wait.
   */
  private async clientLookup(msg: Message, name: string, maxChars: number, signal: AbortSignal): Promise<ScopeHit> {
    if (msg.metadata?.openclaw_scope !== 1) {
      throw new UsageError(`{${name}} needs the Python kernel's value, but its openclaw_kernel_ext is older than this openclaw-kernel and cannot send one`, {
        fix: "run `openclaw-kernel install --ipython` again with the same options, then restart the Python kernel",
      });
    }
    const r = await this.kernel.stdin.lookup(msg, name, maxChars, signal);
    if (!r.found) return { found: false };
    const { charCount, tooLong, unusable } = await import("../runtime/agent/interpolate.js");
    if (r.problem !== undefined) throw unusable(name, r.problem);
    if (r.chars !== undefined) throw tooLong(name, r.chars, maxChars);
    if (r.text === undefined) throw unusable(name, "the Python kernel sent no text for it");
    // The host checks what it was sent, whatever the extension checked.
    const chars = charCount(r.text, maxChars);
    if (chars > maxChars) throw tooLong(name, chars, maxChars);
    return { found: true, value: r.text };
  }

  private async runTypeScript(code: string, n: number, silent: boolean): Promise<void> {
    const r = await this.typescript.run(code, this.cellCtx.signal);
    const data = r.hasValue && !silent ? valueBundle(r.value) : {};
    // An empty bundle: the value was already shown in this cell (openclaw.magic's result).
    if (Object.keys(data).length) await this.kernel.output.publish("execute_result", { execution_count: n, data, metadata: {} });
  }

  /** One magic line (or cell magic with its body); shows the result, throws Displayed on error. */
  async runMagic(line: string, body?: string): Promise<CommandResult> {
    const { kernel } = this;
    const out = kernel.output;
    const live = out.live();
    const view = new EventView(live, `%openclaw ${line}`.trim());
    const ctx: CommandContext = {
      ...this.cellCtx,
      emit: (e: RuntimeEvent) => {
        kernel.notice(e);
        // A followed log streams into the cell as lines, not into a transcript display.
        if (e.type === "gateway.log") out.write("stdout", `${e.message}\n`);
        else if (e.type !== "exec.exit") view.add(e);
      },
    };
    const [{ dispatch }, mime] = await Promise.all([import("../magics/dispatch.js"), import("../magics/render/mime.js")]);
    try {
      const { result, json } = await raceAbort(dispatch(line, ctx, body === undefined ? {} : { body }), ctx.signal);
      // Ended within Stop's grace: its live display got its last events (an "aborted" transcript);
      // the cell shows the interruption, not the command's result.
      if (ctx.signal?.aborted) throw new AbortedError("interrupted");
      const bundle = json ? { "application/json": result.data, "text/plain": mime.toJson(result) } : mime.toMimeBundle(result);
      if (live.opened) live.finish(bundle);
      else await out.display(bundle, { metadata: { openclaw: { command: result.command, exitCode: result.exitCode } } });
      if (result.exitCode !== 0 && result.exitCode !== 1) {
        throw new Displayed(
          result.exitCode === EXIT.SAFETY
            ? new SafetyError(`${result.command} refused for safety (exit ${result.exitCode}); see the output above`)
            : result.command.startsWith("config")
              ? new ConfigError(`${result.command}: the config is invalid (exit ${result.exitCode}); see the output above`)
              : new UsageError(`${result.command} failed: bad usage or invalid config (exit ${result.exitCode}); see the output above`),
        );
      }
      return result;
    } catch (e) {
      if (e instanceof Displayed) throw e;
      live.flush();
      await out.display(mime.errorBundle(e));
      throw new Displayed(e);
    }
  }
}

/**
 * Gives up on a command that ignores its AbortSignal, so Stop always answers quickly; one
 * that honours it gets a short grace to end with its own result (an agent turn's
 * "aborted" transcript), which the cell then shows before failing as interrupted.
 */
function raceAbort<T>(p: Promise<T>, signal?: AbortSignal, graceMs = 300): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError("interrupted"));
    const onAbort = () => setTimeout(() => reject(new AbortedError("interrupted")), graceMs).unref();
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
