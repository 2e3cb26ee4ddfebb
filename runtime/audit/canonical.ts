import { createHash } from "node:crypto";

/**
 * Canonical JSON: object keys sorted, `undefined` dropped, no whitespace. The hash of
 * a record must not depend on the order a writer happened to build its object in,
 * so verify can recompute it from any parse of the line.
 */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonical(v))).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(",")}}`;
}

export function sha256(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The first record's prevHash: the chain's anchor. */
export const GENESIS = "0".repeat(64);

/** A record's hash: sha256 of the canonical form of every field except `hash`. */
export function recordHash(rec: Record<string, unknown>): string {
  const { hash: _omit, ...rest } = rec;
  return sha256(canonical(rest));
}
