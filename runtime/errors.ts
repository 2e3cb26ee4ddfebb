/**
 * One error hierarchy for the whole runtime. Every error a user can hit carries
 * what they need to fix it (`fix`) and the process exit code the CLI maps it to,
 * so front doors (CLI, kernel, gateway) never guess.
 *
 * Exit codes (DESIGN.md): 0 ok, 1 a check or command failed, 2 bad usage or
 * invalid config, 78 refused for safety.
 */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, SAFETY: 78 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class OpenClawError extends Error {
  /** Stable machine-readable code, e.g. "config_invalid". */
  readonly code: string;
  readonly exitCode: ExitCode;
  /** One sentence telling the user what to do about it. */
  readonly fix?: string;
  /** Extra lines shown under the message (e.g. every config error). */
  readonly details: string[];

  constructor(message: string, opts: { code?: string; exitCode?: ExitCode; fix?: string; details?: string[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code ?? "error";
    this.exitCode = opts.exitCode ?? EXIT.FAILED;
    this.fix = opts.fix;
    this.details = opts.details ?? [];
  }

  toJSON(): Record<string, unknown> {
    return { error: this.name, code: this.code, message: this.message, details: this.details, fix: this.fix ?? null };
  }
}

/** Bad command line or magic: unknown subcommand, missing argument, bad flag. */
export class UsageError extends OpenClawError {
  constructor(message: string, opts: { fix?: string; details?: string[] } = {}) {
    super(message, { code: "usage", exitCode: EXIT.USAGE, ...opts });
  }
}

/** openclaw.json is unreadable, not JSON, or fails the schema. */
export class ConfigError extends OpenClawError {
  constructor(message: string, opts: { fix?: string; details?: string[]; code?: string; cause?: unknown } = {}) {
    super(message, { code: opts.code ?? "config_invalid", exitCode: EXIT.USAGE, ...opts });
  }
}

/** A setting or request that would be unsafe; refused, exit 78. */
export class SafetyError extends OpenClawError {
  constructor(message: string, opts: { fix?: string; details?: string[]; code?: string } = {}) {
    super(message, { code: opts.code ?? "unsafe", exitCode: EXIT.SAFETY, ...opts });
  }
}

/** A policy decision denied an action (skill argument, applyPatch gate, approval). */
export class PolicyError extends OpenClawError {
  readonly rule: string;
  constructor(message: string, opts: { rule: string; fix?: string; details?: string[] }) {
    super(message, { code: "policy_denied", exitCode: EXIT.SAFETY, fix: opts.fix, details: opts.details });
    this.rule = opts.rule;
  }
}

/** Something the user named does not exist (skill, session, model file). */
export class NotFoundError extends OpenClawError {
  constructor(message: string, opts: { fix?: string; details?: string[] } = {}) {
    super(message, { code: "not_found", exitCode: EXIT.FAILED, ...opts });
  }
}

/** The operation was aborted (kernel Stop button, SIGINT, AbortSignal). */
export class AbortedError extends OpenClawError {
  constructor(message = "aborted") {
    super(message, { code: "aborted", exitCode: EXIT.FAILED });
  }
}

export function isOpenClawError(e: unknown): e is OpenClawError {
  return e instanceof OpenClawError;
}

/** Human text for any error: message, details, then the fix. */
export function formatError(e: unknown): string {
  if (e instanceof OpenClawError) {
    const lines = [`${e.name}: ${e.message}`, ...e.details.map((d) => `  ${d}`)];
    if (e.fix) lines.push(`fix: ${e.fix}`);
    return lines.join("\n");
  }
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
