import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/** Replaces lone surrogates (which RFC 8785 refuses) with U+FFFD, deeply; only called when they occur. */
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const fix = (s: string) => s.replace(LONE, "\uFFFD");
function wellFormed(value: unknown): unknown {
  if (typeof value === "string") return fix(value);
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [fix(k), wellFormed(v)]));
  return value;
}

/**
 * Canonical JSON (RFC 8785, JCS, by the `canonicalize` package): object keys sorted by
 * UTF-16 code units, `undefined` dropped, ES number formatting, no whitespace. The MAC of
 * a record must not depend on the order a writer happened to build its object in, so a
 * verifier can recompute it from any parse of the line. NaN/Infinity are refused (plain
 * JSON.stringify would turn them into null, so two records would share one hash); a lone
 * surrogate (broken text from a model or a child's argv) is stored as U+FFFD.
 */
export function canonical(value: unknown): string {
  try {
    return canonicalize(value) ?? "null";
  } catch (e) {
    if (/surrogate/i.test((e as Error).message)) return canonicalize(wellFormed(value)) ?? "null";
    throw e;
  }
}

export function sha256(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The first record's prevHash: the chain's anchor. */
export const GENESIS = "0".repeat(64);

/** The unkeyed hash of earlier versions: sha256 of the canonical record without `hash`. Kept for reading old logs; verify requires the keyed MAC. */
export function recordHash(rec: Record<string, unknown>): string {
  const { hash: _omit, ...rest } = rec;
  return sha256(canonical(rest));
}
