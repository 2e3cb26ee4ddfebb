import type { Actor } from "../events.js";

/** What a caller hands the audit log: one decision or one invocation. */
export interface AuditInput {
  actor: Actor;
  /** "skill.invoke" | "apply_patch" | "exec.kill" | "exec.exit" | "approval" … */
  action: string;
  skill?: string;
  argv?: string[];
  cwd?: string;
  decision: "allow" | "deny" | "error";
  /** The policy rule behind the decision, e.g. "params.option_injection". */
  rule?: string;
  reason?: string;
  exitCode?: number | null;
  signal?: string | null;
  timedOut?: boolean;
  durationMs?: number;
  stdout?: { sha256: string; bytes: number };
  stderr?: { sha256: string; bytes: number };
  execId?: string;
  extra?: Record<string, unknown>;
}

/** One line of the JSONL file: the input plus its place in the chain. */
export interface AuditRecord extends AuditInput {
  seq: number;
  /** ISO-8601 time the record was written. */
  ts: string;
  /** The previous record's hash (64 zeros for the first). */
  prevHash: string;
  /** sha256 of the canonical record without `hash`. */
  hash: string;
}

export interface VerifyReport {
  ok: boolean;
  path: string;
  records: number;
  /** Seq of the first record that is modified, missing, reordered or inserted; null when ok. */
  firstBadSeq: number | null;
  /** The file ends in a partial line (a write cut short by a crash): tolerated, reported. */
  tornLastLine: boolean;
  message: string;
}
