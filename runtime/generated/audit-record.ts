/* eslint-disable */
// GENERATED from schemas/audit-record.schema.json by scripts/gen-types.mjs (json-schema-to-typescript). Do not edit:
// change the schema, then run `npm run gen:types`; tests/types/generated.test.ts fails while this file is stale.

export type Sha256 = string;

/**
 * One line of the audit log (JSONL): a decision or an invocation, chained to the previous line by HMAC-SHA256 under a key kept 0600 in the state dir. hash = HMAC-SHA256 of the canonical JSON (RFC 8785: keys sorted, no whitespace) of the record without `hash`; the line carries `hash` as its last member.
 */
export interface AuditRecord {
  /**
   * 1 for the first record, then +1.
   */
  seq: number;
  ts: string;
  actor: {
    host: "cli" | "kernel" | "gateway";
    sessionId: string;
    /**
     * A gateway connection's id, so records tell two clients apart.
     */
    clientId?: string;
    /**
     * The model ref that asked (agent turns).
     */
    modelRef?: string;
    /**
     * The model id the provider reported back.
     */
    modelId?: string;
  };
  /**
   * skill.invoke, apply_patch, exec.exit, exec.kill, approval, …
   */
  action: string;
  skill?: string;
  argv?: string[];
  cwd?: string;
  decision: "allow" | "deny" | "error";
  /**
   * The policy rule behind the decision.
   */
  rule?: string;
  reason?: string;
  exitCode?: number | null;
  signal?: string | null;
  timedOut?: boolean;
  durationMs?: number;
  stdout?: Digest;
  stderr?: Digest;
  execId?: string;
  extra?: {
    [k: string]: unknown;
  };
  prevHash: Sha256;
  hash: Sha256;
}
export interface Digest {
  sha256: Sha256;
  bytes: number;
}
