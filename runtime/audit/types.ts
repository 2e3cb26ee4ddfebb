/**
 * The audit record's shape is schemas/audit-record.schema.json (generated into
 * runtime/generated/audit-record.ts); these are views of it.
 */
import type { AuditRecord } from "../generated/audit-record.js";

export type { AuditRecord, Digest } from "../generated/audit-record.js";

/** What a caller hands the audit log: one decision or one invocation (the record without its place in the chain). */
export type AuditInput = Omit<AuditRecord, "seq" | "ts" | "prevHash" | "hash" | "extra"> & {
  /** Free-form details; must be JSON. */
  extra?: Record<string, unknown>;
};

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
