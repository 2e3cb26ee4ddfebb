import { OpenClawError, type ExitCode } from "../errors.js";

/**
 * A model call that failed in a way a person can act on: missing key, wrong model
 * name, rate limit, provider down, timeout, bad model file. `code` is stable for
 * tests and JSON output; the message never carries a key.
 */
export class ModelError extends OpenClawError {
  /** HTTP status where the provider answered. */
  readonly status?: number;
  constructor(message: string, opts: { code: string; fix?: string; status?: number; details?: string[]; cause?: unknown; exitCode?: ExitCode }) {
    super(message, { code: opts.code, fix: opts.fix, details: opts.details, cause: opts.cause, exitCode: opts.exitCode });
    this.status = opts.status;
  }
}
