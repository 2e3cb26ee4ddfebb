/**
 * The audit trail: append-only JSONL chained by HMAC-SHA256 under a key kept in the state
 * dir (schemas/audit-record.schema.json). One record per decision and per invocation;
 * `verify` streams the chain (across rotated files) and names the first bad record.
 */
export { AuditLog, DEFAULT_ROTATE_BYTES, type AuditLogConfig } from "./log.js";
export { verifyFile, readHead, checkedHead, headPath, checkpointPath } from "./verify.js";
export { canonical, recordHash, sha256, GENESIS } from "./canonical.js";
export { defaultKeyPath } from "./key.js";
export { parseAnchor } from "./verify.js";
export type { AuditHead, AuditInput, AuditRecord, VerifyOptions, VerifyReport } from "./types.js";
