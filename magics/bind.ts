/**
 * Binds the grammar to the operation table: a command maps its positionals and flags to
 * an operation's params, runs the operation's handler with an OpContext made from the
 * front door's CommandContext, and renders the data. The operation is the same one the
 * gateway's WebSocket method runs.
 */
import { UsageError, type ExitCode, EXIT } from "../runtime/errors.js";
import type { Door } from "../runtime/governor/types.js";
import { makeServices, ParamsError, validateParams, type Operation, type OpContext } from "../runtime/operations/index.js";
import type { Runtime } from "../runtime/runtime.js";
import type { CommandContext, CommandResult, CommandSpec, FlagSpec, ParsedArgs, PositionalSpec } from "./types.js";

const doors = new WeakMap<Runtime, Door>();

/** The front door's Door, made once per runtime; the runtime itself is built on first use. */
function lazyDoor(ctx: CommandContext): Door {
  const get = async () => {
    const rt = await ctx.runtime();
    let d = doors.get(rt);
    if (!d) doors.set(rt, (d = rt.door()));
    return d;
  };
  return {
    get actor() {
      return { host: ctx.host, sessionId: "" };
    },
    invoke: async (n, p, o) => (await get()).invoke(n, p, o),
    applyPatch: async (p, o) => (await get()).applyPatch(p, o),
    skills: async () => (await get()).skills(),
    tools: async () => (await get()).tools(),
    execList: async () => (await get()).execList(),
    execLog: async (id) => (await get()).execLog(id),
    execKill: async (id) => (await get()).execKill(id),
    auditTail: async (n) => (await get()).auditTail(n),
    auditVerify: async (o) => (await get()).auditVerify(o),
    auditHead: async () => (await get()).auditHead(),
  };
}

/** The OpContext of a CLI or kernel front door. */
export function opContextFor(ctx: CommandContext): OpContext {
  return {
    door: lazyDoor(ctx),
    signal: ctx.signal,
    approver: ctx.approver,
    emit: ctx.emit,
    owner: ctx.host,
    prompt: ctx.prompt,
    services: makeServices({ host: ctx.host === "gateway" ? "gateway" : ctx.host, env: ctx.env, cwd: ctx.cwd, configPath: ctx.configPath }, () => ctx.runtime()),
  };
}

/** How a param is named on this command line: `--topk`, `-n`, `QUERY`. */
function displayName(field: string, flags: FlagSpec[], positionals: PositionalSpec[], names: Record<string, string>): string {
  if (names[field]) return names[field]!;
  const kebab = field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const f = flags.find((x) => x.name === field || x.name === kebab);
  if (f) return f.name.length === 1 ? `-${f.name}` : `--${f.name}`;
  const p = positionals.find((x) => x.name === field);
  if (p) return p.name.toUpperCase();
  return field || "the parameters";
}

/** Runs an operation for a front door: params validated by the operation's schema, errors phrased for the command line. */
export async function runOp<P, R>(op: Operation<P, R>, raw: unknown, ctx: CommandContext, spec?: Pick<CommandSpec, "flags" | "positionals" | "path">, names: Record<string, string> = {}): Promise<R> {
  let params: P;
  try {
    params = validateParams(op, raw);
  } catch (e) {
    if (!(e instanceof ParamsError) || !spec) throw e;
    const shown = displayName(e.field, spec.flags ?? [], spec.positionals ?? [], names);
    throw new UsageError(`${shown} ${e.problem.replace(/^is not a parameter of this operation$/, `is not a parameter of \`${spec.path.join(" ")}\``)}`, { fix: `see \`${spec.path.join(" ")} --help\`` });
  }
  return op.handler(params, opContextFor(ctx));
}

export interface Rendered {
  exitCode?: ExitCode;
  text?: string;
  html?: string;
  markdown?: string;
}

export interface Binding<P, R> extends Omit<CommandSpec, "run" | "summary" | "op"> {
  op: Operation<P, R>;
  summary?: string;
  /** CommandResult.command (default: the operation's name). */
  command?: string;
  /** Positionals and flags -> the operation's params (default: flags by name, kebab-case to camelCase). */
  params?(args: ParsedArgs, ctx: CommandContext): unknown | Promise<unknown>;
  /** How params are named on the command line, when not a flag or positional of the same name. */
  names?: Record<string, string>;
  /** Wraps the call (e.g. forwards progress events on the CLI). */
  around?<T>(ctx: CommandContext, fn: () => Promise<T>): Promise<T>;
  render(data: R, args: ParsedArgs, ctx: CommandContext): Rendered | Promise<Rendered>;
}

function defaultParams(args: ParsedArgs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args.flags)) if (v !== undefined) out[k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())] = v;
  return out;
}

/** A grammar entry bound to an operation. */
export function bind<P, R>(b: Binding<P, R>): CommandSpec {
  const { op, command, params, names, around, render, ...grammar } = b;
  const spec: CommandSpec = {
    ...grammar,
    summary: b.summary ?? op.summary,
    op: op.name,
    async run(args, ctx): Promise<CommandResult> {
      const raw = params ? await params(args, ctx) : defaultParams(args);
      const call = () => runOp(op, raw, ctx, spec, names);
      const data = around ? await around(ctx, call) : await call();
      return present(data, args, ctx);
    },
    present: (data, args, ctx) => present(data as R, args, ctx),
  };
  async function present(data: R, args: ParsedArgs, ctx: CommandContext): Promise<CommandResult> {
    const r = await render(data, args, ctx);
    return { command: command ?? op.name, exitCode: r.exitCode ?? EXIT.OK, data, ...(r.text !== undefined ? { text: r.text } : {}), ...(r.html !== undefined ? { html: r.html } : {}), ...(r.markdown !== undefined ? { markdown: r.markdown } : {}) };
  }
  return spec;
}
