/**
 * What TypeScript cells see: `openclaw`, an explicit object acting as the person through
 * the kernel's door (`await openclaw.rag.query("…")`, `await openclaw.skills.run(…)`),
 * and `display` helpers that send rich output. Both act for the cell running when they
 * are called. There is no way from here to the Runtime, a part, an actor or a model door:
 * whatever a cell does is audited as the kernel's person, never as a model. An agent turn
 * (`openclaw.agent.run`) acts as the model through the agent's own factory, as in a magic.
 */
import { inspect } from "node:util";
import type { CommandContext } from "../magics/types.js";
import type { QueryOptions } from "../runtime/rag/types.js";
import type { Bundle, LiveDisplay, Output } from "./output.js";

/** The running cell as the facade sees it (set by the kernel for each cell). */
export interface CellScope {
  output: Output;
  ctx(): CommandContext;
  /** Runs a magic line the way a cell would and shows its output. */
  magic(line: string, body?: string): Promise<unknown>;
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

export function makeFacade(scope: CellScope) {
  const rt = () => scope.ctx().runtime();
  const door = async () => (await rt()).door();
  const callOpts = () => {
    const c = scope.ctx();
    return { signal: c.signal, approver: c.approver };
  };
  const facade = {
    magic: (line: string, body?: string) => scope.magic(line, body),
    approve: (summary: string, argv?: string[]) => scope.approve(summary, argv),
    /** A copy of the validated config: changing it changes nothing. */
    config: async () => structuredClone((await rt()).config),
    skills: {
      list: async () => (await door()).skills(),
      show: async (name: string) => (await (await rt()).skills()).details(name),
      run: async (name: string, params: Record<string, unknown> = {}) => (await door()).invoke(String(name), isRecord(params) ? params : {}, callOpts()),
    },
    rag: {
      query: async (q: string, opts: Pick<QueryOptions, "topk" | "mode"> = {}) => {
        const o = isRecord(opts) ? opts : {};
        return (await (await rt()).rag()).query(String(q), { ...(o.topk !== undefined ? { topk: o.topk } : {}), ...(o.mode !== undefined ? { mode: o.mode } : {}), signal: scope.ctx().signal });
      },
      index: async (opts: { full?: boolean } = {}) => (await (await rt()).rag()).index({ full: isRecord(opts) && opts.full === true, signal: scope.ctx().signal }),
      status: async () => (await (await rt()).rag()).status(),
    },
    models: {
      list: async (opts: { remote?: boolean } = {}) => (await (await rt()).models()).list({ remote: isRecord(opts) && opts.remote === true, signal: scope.ctx().signal }),
    },
    agent: {
      run: async (req: string | CellTurnRequest) => {
        const r: Partial<CellTurnRequest> = typeof req === "string" ? { prompt: req } : isRecord(req) ? req : {};
        const c = scope.ctx();
        return (await (await rt()).agent()).run({
          prompt: String(r.prompt ?? ""),
          ...(r.model !== undefined ? { model: String(r.model) } : {}),
          ...(r.maxSteps !== undefined ? { maxSteps: r.maxSteps } : {}),
          ...(r.stream !== undefined ? { stream: r.stream === true } : {}),
          ...(r.toolChoice !== undefined ? { toolChoice: r.toolChoice } : {}),
          signal: c.signal,
          approver: c.approver,
          onEvent: c.emit,
        });
      },
    },
    exec: {
      list: async () => (await door()).execList(),
      log: async (id: string) => (await door()).execLog(String(id)),
      kill: async (id: string) => (await door()).execKill(String(id)),
    },
    audit: {
      tail: async (n = 20) => (await door()).auditTail(n),
      verify: async () => (await door()).auditVerify(),
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
  const base = (value: unknown) => void scope.output.display(valueBundle(value));
  Object.assign(base, helpers((d) => void scope.output.display(d)));
  Object.assign(base, {
    newDisplay() {
      let live: LiveDisplay | undefined;
      const send = (d: Bundle) => {
        live ??= scope.output.live();
        live.finish(d);
      };
      const h = (value: unknown) => send(valueBundle(value));
      return Object.assign(h, helpers(send));
    },
  });
  return base;
}
