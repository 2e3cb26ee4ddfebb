import type { CheckResult } from "../config/index.js";
import type { Runtime } from "../runtime.js";

export type CheckStatus = "ok" | "warn" | "fail";

export interface Check {
  /** Stable id, e.g. "gateway.bind". */
  id: string;
  status: CheckStatus;
  message: string;
  /** What to do about a warn or fail; null when ok. */
  fix: string | null;
}

export interface DoctorContext {
  /** The config check (issues, source, and the config when valid). */
  checked: CheckResult;
  env: NodeJS.ProcessEnv;
  /** Present when the config is valid: the runtime to inspect (parts load on demand). */
  runtime?: Runtime;
}

/** A group of checks an area contributes. Must not throw; a crash becomes a failed check. */
export type CheckProvider = (ctx: DoctorContext) => Promise<Check[]>;

export const ok = (id: string, message: string): Check => ({ id, status: "ok", message, fix: null });
export const warn = (id: string, message: string, fix: string): Check => ({ id, status: "warn", message, fix });
export const fail = (id: string, message: string, fix: string): Check => ({ id, status: "fail", message, fix });
