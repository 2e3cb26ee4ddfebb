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
}
