import type { ExecResult } from "../exec/types.js";
import type { RuleId } from "../policy/index.js";

export interface SkillInfo {
  name: string;
  description: string;
  source: "bundled" | "workspace" | "config" | "session";
  /** SKILL.md's absolute path ("session:<name>" for one registered from text). */
  path: string;
  /** exec.cmd as argv, placeholders shown as {{name}}. */
  argvTemplate: string[];
  /** JSON Schema (type object) of the parameters. */
  parameters: object;
  risk: "normal" | "high";
  /** Why it cannot run on this machine (e.g. a missing program), or null. */
  blocked: string | null;
  /** The SKILL.md this one shadows (a workspace skill over a bundled one), or null. */
  overrides: string | null;
  /** Why this skill runs code its caller chooses (`bash -c {{script}}`, `python3 {{file}}`), or null: see runtime/skills/lint.ts. */
  runsModelCode: string | null;
}

/** What `skills run --json` prints: the exec result's public fields, named for the skill. */
export interface InvokeResult extends Pick<ExecResult, "argv" | "exitCode" | "signal" | "timedOut" | "durationMs" | "stdout" | "stderr" | "truncated"> {
  skill: string;
  status: "ok" | "failed" | "timeout" | "running" | "denied";
  /** Exec session id (for `exec log|kill` when running). */
  id: string | null;
  /** Why it was denied or failed to start. */
  reason?: string;
  /** The policy rule that denied it (or, for a failed apply_patch, the step that failed). */
  rule?: RuleId;
}

/** A tool as a model sees it. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: object;
}
