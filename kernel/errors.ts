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
  // Already shown as rich output: one short line, not the same message again as a traceback.
  if (e instanceof Displayed) {
    const inner = e.inner instanceof CommandFailed ? e.inner : e.inner instanceof Error ? e.inner : undefined;
    const ename = inner?.name ?? "Error";
    const evalue = inner?.message ?? String(e.inner);
    return { ename, evalue, traceback: [`${ename}: ${evalue}`] };
  }
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

/**
 * A command that ran and whose result is a failure (exit 1: doctor FAIL, a failed audit
 * verify, an agent turn that did not end ok): its output is already shown; this fails the
 * cell with a short name and value ("DoctorFailed: 2 checks failed; see above").
 */
export class CommandFailed extends Error {
  constructor(ename: string, evalue: string) {
    super(evalue);
    this.name = ename;
  }
}

/** The short ename/evalue of a failed command's result. */
export function commandFailure(command: string, data: unknown): CommandFailed {
  const ename = `${command
    .split(/[.\s_-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("")}Failed`;
  const d = (data ?? {}) as Record<string, any>;
  let what = `${command} failed (exit 1)`;
  if (command === "doctor" && typeof d.summary?.fail === "number") what = `${d.summary.fail} check${d.summary.fail === 1 ? "" : "s"} failed`;
  else if (command === "audit.verify" && typeof d.message === "string") what = `the audit log does not verify: ${d.message}`;
  else if (command === "agent" && typeof d.status === "string") what = `the turn ended ${d.status}${d.error ? `: ${String(d.error).split("\n")[0]}` : ""}`;
  else if (typeof d.error === "string") what = `${command} failed: ${d.error.split("\n")[0]}`;
  return new CommandFailed(command === "agent" && d.status ? `Agent${pascal(String(d.status))}` : ename, `${what}; see above`);
}

function pascal(s: string): string {
  return s
    .split(/[._-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}
