/**
 * The audit trail: append-only, hash-chained JSONL (schemas/audit-record.schema.json).
 * One record per decision and per invocation; `verify` names the first bad record.
 */
export { AuditLog } from "./log.js";
export { verifyFile, readHead, headPath } from "./verify.js";
export { canonical, recordHash, sha256, GENESIS } from "./canonical.js";
export type { AuditInput, AuditRecord, VerifyReport } from "./types.js";
