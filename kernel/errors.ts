/**
 * A failure as Jupyter shows it: ename, evalue and a short traceback. User mistakes
 * (OpenClawError, TypeScript diagnostics) carry no internal stack; errors thrown by cell
 * code keep only the cell's own frames.
 */
import { formatError, OpenClawError } from "../runtime/errors.js";
import { CompileError } from "./typescript.js";

export interface JupyterError {
  ename: string;
  evalue: string;
  traceback: string[];
}

export function toJupyterError(e: unknown): JupyterError {
  if (e instanceof CompileError) return { ename: e.name, evalue: e.message, traceback: e.diagnostics };
  if (e instanceof OpenClawError) return { ename: e.name, evalue: e.message, traceback: formatError(e).split("\n") };
  if (e instanceof Error) {
    const frames = (e.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l) && /cell\[\d+\]/.test(l));
    return { ename: e.name, evalue: e.message, traceback: [`${e.name}: ${e.message}`, ...frames] };
  }
  return { ename: "Error", evalue: String(e), traceback: [`thrown: ${String(e)}`] };
}

/** Marks an error whose rich rendering was already displayed, so it is not shown twice. */
export class Displayed extends Error {
  constructor(readonly inner: unknown) {
    super(inner instanceof Error ? inner.message : String(inner));
  }
}
