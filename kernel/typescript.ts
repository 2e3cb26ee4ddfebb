/**
 * TypeScript cells through tslab's converter used as a library: it type-checks each cell
 * against the declarations of the cells before it (so `const x` in one cell is typed in
 * the next), supports top-level await, and emits CommonJS we run in this process.
 * tslab's own executor/protocol are not used: its executor prints through its own
 * console and hooks its Jupyter layer, which loses messages on zeromq 6. The compiler
 * loads right after the first kernel_info_reply, off the main thread (kernel/ts-compiler.ts). @types/node comes from
 * tslab's own node_modules when the notebook's folder has none.
 */
import { existsSync } from "node:fs";
import Module from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { AbortedError } from "../runtime/errors.js";
import { packageRoot } from "../runtime/paths.js";
import { runningSync } from "./syncflag.js";
import { CompilerThread } from "./ts-compiler.js";

interface Diagnostic {
  start: { line: number; character: number };
  messageText: string;
  code: number;
}
interface Converted {
  output?: string;
  declOutput?: string;
  diagnostics: Diagnostic[];
  lastExpressionVar?: string;
  hasToplevelAwait?: boolean;
}

/**
 * The declarations tsc emits for kernel/facade-types.ts (dist/kernel/facade-types.d.ts,
 * beside this module when it runs from dist/), as an import specifier without extension;
 * null when the package is not built.
 */
export function facadeTypesModule(): string | null {
  const here = fileURLToPath(new URL("./facade-types.d.ts", import.meta.url));
  for (const p of [here, join(packageRoot(), "dist", "kernel", "facade-types.d.ts")]) if (existsSync(p)) return p.slice(0, -".d.ts".length);
  return null;
}

/**
 * Types of what every cell sees: `openclaw` typed by the OpenClawFacade interface (so
 * completion on `openclaw.rag.` lists the real members) and the `display` helpers. Read
 * by the TypeScript service only when the first TypeScript cell loads it.
 */
export function prelude(facadeTypes = facadeTypesModule()): string {
  const from = (name: string) => (facadeTypes ? `import(${JSON.stringify(facadeTypes)}).${name}` : "any");
  return `type OpenClawFacade = ${from("OpenClawFacade")};
type OpenClawDisplay = ${from("OpenClawDisplay")};
declare const openclaw: OpenClawFacade;
declare const display: ${from("OpenClawDisplayRoot")};
`;
}

export const PRELUDE = prelude();

export class CompileError extends Error {
  constructor(readonly diagnostics: string[]) {
    super(diagnostics[0] ?? "TypeScript error");
    this.name = "TypeScriptError";
  }
}

export type RunOutcome = { hasValue: false } | { hasValue: true; value: unknown };

export class TypeScriptCells {
  /** tslab's converter off the main thread; loads on warm() or the first cell. */
  private readonly compiler: CompilerThread;
  private prevDecl = PRELUDE;
  private readonly locals: Record<string, unknown> = {};
  private readonly exportsProxy: object;
  private readonly req: NodeJS.Require;
  private cellNo = 0;

  constructor(cwd: string, globals: Record<string, unknown>) {
    this.compiler = new CompilerThread(() => this.prevDecl, { cwd, prelude: PRELUDE });
    Object.assign(this.locals, globals);
    const locals = this.locals;
    // TypeScript emits `Object.defineProperty(exports, …)` for imports; store plain values so later cells may reassign.
    this.exportsProxy = new Proxy(locals, {
      defineProperty(_t, prop, attrs) {
        if (prop === "__esModule") return true;
        locals[prop as string] = attrs.get ? attrs.get() : attrs.value;
        return true;
      },
    });
    const base = Module.createRequire(join(cwd, "__openclaw_cell__.js"));
    const tslabCompat = () => ({ display: globals.display, newDisplay: (globals.display as { newDisplay(): unknown }).newDisplay, versions: { node: process.version } });
    // Cells resolve packages from the notebook's folder; `import … from "tslab"` gets our display helpers.
    this.req = new Proxy(base, { apply: (t, self, args: [string]) => (args[0] === "tslab" ? tslabCompat() : Reflect.apply(t, self, args)) });
  }

  /** A top-level name of the cells run so far ({name} in an agent prompt). */
  lookup(name: string): { found: boolean; value?: unknown } {
    return Object.hasOwn(this.locals, name) ? { found: true, value: this.locals[name] } : { found: false };
  }

  get loaded(): boolean {
    return this.compiler.started;
  }

  /** How the compiler runs ("snapshot" or "worker"), once started. */
  get compilerKind(): "worker" | "snapshot" | undefined {
    return this.compiler.kind;
  }

  /** Starts loading the compiler in the background (after kernel_info, before the first cell). */
  warm(): void {
    this.compiler.warm();
  }

  /** A check sent ahead by compileAhead(), for run() with the same code and declarations. */
  private ahead: { code: string; decl: string; converted: Promise<Converted> } | undefined;

  /**
   * Sends a cell to the compiler before the kernel announces it (busy, execute_input), so the
   * check overlaps those sends; the next run() of the same code, with the same declarations,
   * uses it. The cell runner drops it when its request ends (dropAhead), used or not.
   */
  compileAhead(code: string): void {
    const converted = this.compiler.call<Converted>("convert", this.prevDecl, code);
    // Its failure is run()'s to report (or nobody's, if the cell never runs).
    converted.catch(() => undefined);
    this.ahead = { code, decl: this.prevDecl, converted };
  }

  dropAhead(): void {
    this.ahead = undefined;
  }

  /** Compiles (type-checks) and runs one cell; rejects with CompileError, AbortedError or what the code threw. */
  async run(code: string, signal?: AbortSignal): Promise<RunOutcome> {
    const a = this.ahead;
    this.ahead = undefined;
    const pending = a && a.code === code && a.decl === this.prevDecl ? a.converted : this.compiler.call<Converted>("convert", this.prevDecl, code);
    const converted = await raceAbort(pending, signal);
    if (converted.diagnostics.length) throw new CompileError(converted.diagnostics.map((d) => `${d.start.line + 1}:${d.start.character + 1} - ${d.messageText} (TS${d.code})`));
    if (!converted.output) {
      this.prevDecl = converted.declOutput || this.prevDecl;
      return { hasValue: false };
    }
    const n = ++this.cellNo;
    // Called inside the script so breakOnSigint covers the cell's synchronous run (a Stop on a `while (true)`).
    (globalThis as Record<string, unknown>).__openclaw_cell__ = { exports: this.exportsProxy, require: this.req };
    const wrapped = `(${converted.hasToplevelAwait ? "async " : ""}function (exports, require) { ${converted.output}\n})(__openclaw_cell__.exports, __openclaw_cell__.require)`;
    const ret = runningSync(() => vm.runInThisContext(wrapped, { filename: `cell[${n}]`, breakOnSigint: true }) as unknown);
    if (converted.hasToplevelAwait) await raceAbort(ret as Promise<unknown>, signal);
    // Declarations stick only once the cell ran, as in tslab.
    this.prevDecl = converted.declOutput || this.prevDecl;
    const key = converted.lastExpressionVar;
    if (key && key in this.locals) {
      const value = this.locals[key];
      delete this.locals[key];
      if (value !== undefined) return { hasValue: true, value };
    }
    return { hasValue: false };
  }

  async complete(code: string, pos: number): Promise<{ start: number; end: number; matches: string[] }> {
    const c = await this.compiler.call<{ start: number; end: number; candidates: string[] }>("complete", this.prevDecl, code, pos);
    return { start: c.start, end: c.end, matches: c.candidates };
  }

  async inspect(code: string, pos: number): Promise<string | undefined> {
    const info = await this.compiler.call<{ displayParts?: Array<{ text: string }>; documentation?: Array<{ text: string }> } | null>("inspect", this.prevDecl, code, pos);
    if (!info) return undefined;
    const sig = (info.displayParts ?? []).map((p) => p.text).join("");
    const doc = (info.documentation ?? []).map((p) => p.text).join("");
    return [sig, doc].filter(Boolean).join("\n\n") || undefined;
  }

  isComplete(code: string): Promise<{ completed: boolean; indent?: string }> {
    return this.compiler.call("isComplete", code);
  }

  close(): Promise<void> {
    return this.compiler.close();
  }
}

/** Stop waiting for a cell's promise when it is interrupted (the promise may run on, unobserved). */
function raceAbort<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new AbortedError("interrupted"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError("interrupted"));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
