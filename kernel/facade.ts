/**
 * What TypeScript cells see: `openclaw`, a thin facade over the same Runtime the magics
 * use (`await openclaw.rag.query("…")`, `await openclaw.skills.list()`), and `display`
 * helpers that send rich output. Both act for the cell running when they are called.
 */
import { inspect } from "node:util";
import type { CommandContext } from "../magics/types.js";
import type { Bundle, LiveDisplay, Output } from "./output.js";

/** The running cell as the facade sees it (set by the kernel for each cell). */
export interface CellScope {
  output: Output;
  ctx(): CommandContext;
  /** Runs a magic line the way a cell would and shows its output. */
  magic(line: string, body?: string): Promise<unknown>;
  approve(summary: string, argv?: string[]): Promise<boolean>;
}

const PARTS = ["audit", "exec", "skills", "models", "agent", "rag", "gateway"] as const;

/** `openclaw.rag.query(…)` -> `(await (await runtime()).rag()).query(…)`, bound to the part. */
function partProxy(scope: CellScope, part: (typeof PARTS)[number]): unknown {
  return new Proxy(
    {},
    {
      get(_t, method) {
        if (typeof method !== "string" || method === "then") return undefined;
        return async (...args: unknown[]) => {
          const rt = (await scope.ctx().runtime()) as unknown as Record<string, () => Promise<Record<string, unknown>>>;
          const obj = await rt[part]!();
          const f = obj[method];
          if (typeof f !== "function") return f;
          return (f as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    },
  );
}

export function makeFacade(scope: CellScope): Record<string, unknown> {
  const facade: Record<string, unknown> = {
    runtime: () => scope.ctx().runtime(),
    magic: (line: string, body?: string) => scope.magic(line, body),
    approve: (summary: string, argv?: string[]) => scope.approve(summary, argv),
    config: async () => (await scope.ctx().runtime()).config,
  };
  Object.defineProperty(facade, "signal", { get: () => scope.ctx().signal, enumerable: true });
  for (const p of PARTS) facade[p] = partProxy(scope, p);
  return facade;
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
