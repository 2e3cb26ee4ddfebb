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
  /** HMAC-SHA256, under the audit key, of the canonical (RFC 8785) record without `hash`; `hash` is the line's last member. */
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
  /** Files walked (rotated files, then the current log); present only when the chain spans more than one. */
  files?: number;
  /** Records skipped because a keyed checkpoint vouched for them (doctor); absent on a full walk. */
  checkpoint?: { seq: number; at: string };
  /** The anchor asked for (`audit verify --anchor HASH[:SEQ]`) and whether the chain still holds it. */
  anchor?: { hash: string; seq?: number; found: boolean; foundSeq?: number };
}

/** The head file's content: the last record's seq and hash, MAC'd under the key. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export interface VerifyOptions {
  /** The key file; default audit.key beside the log (the runtime passes <stateDir>/audit/audit.key). */
  keyPath?: string;
  /** Require the chain to contain this record (a head kept elsewhere). */
  anchor?: { hash: string; seq?: number };
  /** Start after a keyed checkpoint when one matches, and leave a new one after a clean walk. */
  checkpoint?: boolean;
  /** Where checkpoints live; default beside the key. */
  checkpointDir?: string;
}
