/**
 * TypeScript cells through tslab's converter used as a library: it type-checks each cell
 * against the declarations of the cells before it (so `const x` in one cell is typed in
 * the next), supports top-level await, and emits CommonJS we run in this process.
 * tslab's own executor/protocol are not used: its executor prints through its own
 * console and hooks its Jupyter layer, which loses messages on zeromq 6. The compiler
 * loads on the first TypeScript cell, never before kernel_info. @types/node comes from
 * tslab's own node_modules when the notebook's folder has none.
 */
import Module, { createRequire } from "node:module";
import { join } from "node:path";
import vm from "node:vm";
import { AbortedError } from "../runtime/errors.js";
import { runningSync } from "./syncflag.js";

const requireHere = createRequire(import.meta.url);

interface Diagnostic {
  start: { line: number; character: number };
  messageText: string;
  code: number;
}
interface Converter {
  convert(prevDecl: string, src: string): { output?: string; declOutput?: string; diagnostics: Diagnostic[]; lastExpressionVar?: string; hasToplevelAwait?: boolean };
  complete(prevDecl: string, src: string, position: number): { start: number; end: number; candidates: string[] };
  inspect(prevDecl: string, src: string, position: number): { displayParts?: Array<{ text: string }>; documentation?: Array<{ text: string }> } | undefined;
  close(): void;
}
interface ConverterModule {
  createConverter(): Converter;
  isCompleteCode(src: string): { completed: boolean; indent?: string };
}

/** Types of what every cell sees: the `openclaw` facade and `display` helpers. */
export const PRELUDE = `interface OpenClawDisplay {
  (value: unknown): void;
  html(s: string): void; markdown(s: string): void; text(s: string): void; json(value: unknown): void;
  svg(s: string): void; latex(s: string): void; png(b: Uint8Array | string): void; jpeg(b: Uint8Array | string): void;
  raw(mime: string, data: unknown): void; bundle(data: Record<string, unknown>): void;
}
interface OpenClawFacade {
  /** Runs a magic line, shows its rich output and returns its result. */
  magic(line: string, body?: string): Promise<any>;
  /** Asks the person through stdin (denied when the front end allows no input). */
  approve(summary: string, argv?: string[]): Promise<boolean>;
  /** A copy of the validated config. */
  config(): Promise<any>;
  skills: { list(): Promise<any[]>; show(name: string): Promise<any>; run(name: string, params?: Record<string, unknown>): Promise<any> };
  rag: { query(q: string, opts?: { topk?: number; mode?: "hybrid" | "dense" | "lexical" }): Promise<any>; index(opts?: { full?: boolean }): Promise<any>; status(): Promise<any> };
  models: { list(opts?: { remote?: boolean }): Promise<any> };
  agent: { run(req: string | { prompt: string; model?: string; maxSteps?: number; stream?: boolean; toolChoice?: "auto" | "required" | "none" }): Promise<any> };
  exec: { list(): Promise<any[]>; log(id: string): Promise<any>; kill(id: string): Promise<any> };
  audit: { tail(n?: number): Promise<any[]>; verify(): Promise<any> };
  /** Aborted when the cell is interrupted. */
  readonly signal: AbortSignal;
}
declare const openclaw: OpenClawFacade;
declare const display: OpenClawDisplay & { newDisplay(): OpenClawDisplay };
`;

export class CompileError extends Error {
  constructor(readonly diagnostics: string[]) {
    super(diagnostics[0] ?? "TypeScript error");
    this.name = "TypeScriptError";
  }
}

export type RunOutcome = { hasValue: false } | { hasValue: true; value: unknown };

export class TypeScriptCells {
  private mod: ConverterModule | undefined;
  private conv: Converter | undefined;
  private prevDecl = PRELUDE;
  private readonly locals: Record<string, unknown> = {};
  private readonly exportsProxy: object;
  private readonly req: NodeJS.Require;
  private cellNo = 0;

  constructor(cwd: string, globals: Record<string, unknown>) {
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

  get loaded(): boolean {
    return !!this.conv;
  }

  private converterModule(): ConverterModule {
    return (this.mod ??= requireHere("tslab/dist/converter.js") as ConverterModule);
  }

  private converter(): Converter {
    return (this.conv ??= this.converterModule().createConverter());
  }

  /** Compiles (type-checks) and runs one cell; rejects with CompileError, AbortedError or what the code threw. */
  async run(code: string, signal?: AbortSignal): Promise<RunOutcome> {
    const converted = this.converter().convert(this.prevDecl, code);
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

  complete(code: string, pos: number): { start: number; end: number; matches: string[] } {
    const c = this.converter().complete(this.prevDecl, code, pos);
    return { start: c.start, end: c.end, matches: c.candidates };
  }

  inspect(code: string, pos: number): string | undefined {
    const info = this.converter().inspect(this.prevDecl, code, pos);
    if (!info) return undefined;
    const sig = (info.displayParts ?? []).map((p) => p.text).join("");
    const doc = (info.documentation ?? []).map((p) => p.text).join("");
    return [sig, doc].filter(Boolean).join("\n\n") || undefined;
  }

  isComplete(code: string): { completed: boolean; indent?: string } {
    return this.converterModule().isCompleteCode(code);
  }

  close(): void {
    this.conv?.close();
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
