/**
 * What TypeScript cells see: `openclaw`, an explicit object acting as the person through
 * the kernel's door (`await openclaw.rag.query("…")`, `await openclaw.skills.run(…)`),
 * and `display` helpers that send rich output. Both act for the cell running when they
 * are called. There is no way from here to the Runtime, a part, an actor or a model door:
 * whatever a cell does is audited as the kernel's person, never as a model. An agent turn
 * (`openclaw.agent.run`) acts as the model through the agent's own factory, as in a magic.
 */
import { inspect } from "node:util";
import type { CommandContext, CommandResult, ParsedArgs } from "../magics/types.js";
import type { QueryOptions } from "../runtime/rag/types.js";
import type { Bundle, LiveDisplay, Output } from "./output.js";

/** The running cell as the facade sees it (set by the kernel for each cell). */
export interface CellScope {
  output: Output;
  ctx(): CommandContext;
  /** Runs a magic line the way a cell would and shows its output; resolves to the command's result. */
  magic(line: string, body?: string): Promise<CommandResult>;
  approve(summary: string, argv?: string[]): Promise<boolean>;
}

/** What a cell may ask of an agent turn: the turn itself picks who acts (the model, under the kernel's door). */
export interface CellTurnRequest {
  prompt: string;
  model?: string;
  maxSteps?: number;
  stream?: boolean;
  toolChoice?: "auto" | "required" | "none";
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return !!x && typeof x === "object" && !Array.isArray(x);
}

/** The name of the method a value shows itself with (IPython's convention; valueBundle calls it). */
const REPR = "_repr_mimebundle_";
/** The whole bundle, for an explicit display() (which shows it even in the cell that already did). */
const FULL = Symbol.for("openclaw.bundle");

/**
 * Gives `value` (an object or array) a hidden `_repr_mimebundle_`: the bundle `bundle()`
 * makes, so a result shows as rich output when it is a cell's value or passed to
 * display(). Hidden: JSON.stringify, spreading and inspect do not see it. When
 * `shownIn` is given, the value was already displayed in that cell (by a magic): as that
 * cell's value it shows nothing more; in a later cell it shows again.
 */
function withBundle<T>(value: T, bundle: () => Bundle, scope?: CellScope, shownIn?: CommandContext): T {
  if (!value || typeof value !== "object" || Object.isFrozen(value)) return value;
  Object.defineProperty(value, REPR, { value: () => (shownIn && scope?.ctx() === shownIn ? {} : bundle()), enumerable: false, configurable: true, writable: true });
  Object.defineProperty(value, FULL, { value: bundle, enumerable: false, configurable: true, writable: true });
  return value;
}

/** Runs a grammar command's renderer over data an API call returned: the same MIME bundle as the magic. */
async function rich<T>(scope: CellScope, path: string[], value: T, as: (v: T) => unknown = (v) => v, positionals: ParsedArgs["positionals"] = {}): Promise<T> {
  if (!value || typeof value !== "object") return value;
  // Loaded on first use, like the magics themselves: kernel start-up pays for none of it.
  const [{ COMMANDS }, { toMimeBundle }] = await Promise.all([import("../magics/commands/index.js"), import("../magics/render/mime.js")]);
  const spec = COMMANDS.find((c) => c.path.join(" ") === path.join(" "));
  if (!spec?.present) return value;
  try {
    const r = await spec.present(as(value), { positionals, flags: {}, json: false }, scope.ctx());
    const bundle = toMimeBundle(r);
    return withBundle(value, () => bundle);
  } catch {
    return value; // a renderer that cannot draw this value leaves it as it is
  }
}

export function makeFacade(scope: CellScope) {
  const rt = () => scope.ctx().runtime();
  const door = async () => (await rt()).door();
  const callOpts = () => {
    const c = scope.ctx();
    return { signal: c.signal, approver: c.approver };
  };
  const facade = {
    /** Shows the command's output now and returns its data (which, as the cell's value, is not shown a second time). */
    magic: async (line: string, body?: string) => {
      const cell = scope.ctx();
      const r = await scope.magic(line, body);
      const { toMimeBundle } = await import("../magics/render/mime.js");
      return withBundle(r.data, () => toMimeBundle(r), scope, cell);
    },
    approve: (summary: string, argv?: string[]) => scope.approve(summary, argv),
    /** A copy of the validated config: changing it changes nothing. */
    config: async () => structuredClone((await rt()).config),
    skills: {
      list: async () => rich(scope, ["skills", "list"], await (await door()).skills(), (skills) => ({ skills, errors: [], count: skills.length })),
      show: async (name: string) => {
        const d = (await (await rt()).skills()).details(name);
        return d ? rich(scope, ["skills", "show"], d) : d;
      },
      run: async (name: string, params: Record<string, unknown> = {}) => rich(scope, ["skills", "run"], await (await door()).invoke(String(name), isRecord(params) ? params : {}, callOpts()), undefined, { name: String(name) }),
    },
    rag: {
      query: async (q: string, opts: Pick<QueryOptions, "topk" | "mode"> = {}) => {
        const o = isRecord(opts) ? opts : {};
        return rich(scope, ["rag", "query"], await (await (await rt()).rag()).query(String(q), { ...(o.topk !== undefined ? { topk: o.topk } : {}), ...(o.mode !== undefined ? { mode: o.mode } : {}), signal: scope.ctx().signal }));
      },
      index: async (opts: { full?: boolean } = {}) => rich(scope, ["rag", "index"], await (await (await rt()).rag()).index({ full: isRecord(opts) && opts.full === true, signal: scope.ctx().signal })),
      status: async () => rich(scope, ["rag", "status"], await (await (await rt()).rag()).status()),
    },
    models: {
      list: async (opts: { remote?: boolean } = {}) => rich(scope, ["models", "list"], await (await (await rt()).models()).list({ remote: isRecord(opts) && opts.remote === true, signal: scope.ctx().signal })),
    },
    agent: {
      run: async (req: string | CellTurnRequest) => {
        const r: Partial<CellTurnRequest> = typeof req === "string" ? { prompt: req } : isRecord(req) ? req : {};
        const c = scope.ctx();
        const turn = await (await (await rt()).agent()).run({
          prompt: String(r.prompt ?? ""),
          ...(r.model !== undefined ? { model: String(r.model) } : {}),
          ...(r.maxSteps !== undefined ? { maxSteps: r.maxSteps } : {}),
          ...(r.stream !== undefined ? { stream: r.stream === true } : {}),
          ...(r.toolChoice !== undefined ? { toolChoice: r.toolChoice } : {}),
          signal: c.signal,
          approver: c.approver,
          onEvent: c.emit,
        });
        return rich(scope, ["agent"], turn);
      },
    },
    exec: {
      list: async () => rich(scope, ["exec", "list"], await (await door()).execList(), (sessions) => ({ sessions })),
      log: async (id: string) => rich(scope, ["exec", "log"], await (await door()).execLog(String(id))),
      kill: async (id: string) => rich(scope, ["exec", "kill"], await (await door()).execKill(String(id))),
    },
    audit: {
      tail: async (n = 20) => rich(scope, ["audit", "tail"], await (await door()).auditTail(n), (records) => ({ path: "", records })),
      verify: async () => rich(scope, ["audit", "verify"], await (await door()).auditVerify()),
      head: async () => (await door()).auditHead(),
    },
  };
  Object.defineProperty(facade, "signal", { get: () => scope.ctx().signal, enumerable: true });
  return facade as typeof facade & { readonly signal: AbortSignal | undefined };
}

/** A value as a MIME bundle: command results and bundles as they are, the rest inspected. */
export function valueBundle(value: unknown): Bundle {
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (typeof v._repr_mimebundle_ === "function") return (v._repr_mimebundle_ as () => Bundle)();
  }
  return { "text/plain": typeof value === "string" ? value : inspect(value, { depth: 4, colors: false, maxArrayLength: 200 }) };
}

/** What display(value) sends: asked for explicitly, so a result already shown by its magic shows again. */
function displayBundle(value: unknown): Bundle {
  const full = value && typeof value === "object" ? (value as { [FULL]?: () => Bundle })[FULL] : undefined;
  return typeof full === "function" ? full() : valueBundle(value);
}

type Sender = (data: Bundle) => void;

function helpers(send: Sender): Record<string, (x: any) => void> {
  const raw = (mime: string, data: unknown) => send({ [mime]: data instanceof Uint8Array ? Buffer.from(data).toString("base64") : data });
  return {
    html: (s: string) => raw("text/html", s),
    markdown: (s: string) => raw("text/markdown", s),
    text: (s: string) => raw("text/plain", s),
    json: (v: unknown) => send({ "application/json": v, "text/plain": JSON.stringify(v, null, 2) }),
    svg: (s: string) => raw("image/svg+xml", s),
    latex: (s: string) => raw("text/latex", s),
    png: (b: Uint8Array | string) => raw("image/png", b),
    jpeg: (b: Uint8Array | string) => raw("image/jpeg", b),
    raw: (mime: string, data?: unknown) => raw(mime, data),
    bundle: (data: Bundle) => send(data),
  } as Record<string, (x: any) => void>;
}

/** `display(x)`, `display.html(s)`, …, and `display.newDisplay()` for output updated in place. */
export function makeDisplay(scope: CellScope): unknown {
  const base = (value: unknown) => void scope.output.display(displayBundle(value));
  Object.assign(base, helpers((d) => void scope.output.display(d)));
  Object.assign(base, {
    newDisplay() {
      let live: LiveDisplay | undefined;
      const send = (d: Bundle) => {
        live ??= scope.output.live();
        live.finish(d);
      };
      const h = (value: unknown) => send(displayBundle(value));
      return Object.assign(h, helpers(send));
    },
  });
  return base;
}
