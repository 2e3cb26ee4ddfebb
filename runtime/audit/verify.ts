import { existsSync, readFileSync } from "node:fs";
import { GENESIS, recordHash } from "./canonical.js";
import type { VerifyReport } from "./types.js";

/** The head file: the last record's seq and hash, kept apart so a cut tail shows. */
export function headPath(logPath: string): string {
  return `${logPath}.head`;
}

export function readHead(logPath: string): { seq: number; hash: string } | null {
  try {
    const h = JSON.parse(readFileSync(headPath(logPath), "utf8")) as { seq?: unknown; hash?: unknown };
    return typeof h.seq === "number" && typeof h.hash === "string" ? { seq: h.seq, hash: h.hash } : null;
  } catch {
    return null;
  }
}

/** Checks one parsed line against its expected place in the chain; returns why it is bad, or null. */
export function checkRecord(rec: unknown, expectedSeq: number, prevHash: string): string | null {
  if (!rec || typeof rec !== "object" || Array.isArray(rec)) return "not a JSON object";
  const r = rec as Record<string, unknown>;
  if (r.seq !== expectedSeq) return typeof r.seq === "number" ? `seq ${r.seq} where ${expectedSeq} was expected (a record was deleted, reordered or inserted)` : "no seq";
  if (r.prevHash !== prevHash) return "prevHash does not match the previous record's hash (chain broken)";
  if (typeof r.hash !== "string" || recordHash(r) !== r.hash) return "hash does not match the record's content (modified)";
  return null;
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * Walks the whole chain: each line's seq, prevHash and hash, then the head file.
 * A partial last line (crash mid-write; its result was never returned) is tolerated
 * and reported; anything else names the first bad seq.
 */
export function verifyFile(path: string): VerifyReport {
  const head = readHead(path);
  if (!existsSync(path)) {
    if (head && head.seq > 0) return { ok: false, path, records: 0, firstBadSeq: 1, tornLastLine: false, message: `the log is missing but its head file says ${head.seq} records were written` };
    return { ok: true, path, records: 0, firstBadSeq: null, tornLastLine: false, message: "no audit log yet (nothing has been recorded)" };
  }
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n");
  const tail = lines.pop()!; // "" when the file ends in a newline
  let prev = GENESIS;
  let records = 0;
  const bad = (seq: number, why: string): VerifyReport => ({ ok: false, path, records, firstBadSeq: seq, tornLastLine: false, message: `record ${seq} (line ${seq}): ${why}` });
  for (let i = 0; i < lines.length; i++) {
    const expected = i + 1;
    const rec = parse(lines[i]!);
    const why = rec === undefined ? "not valid JSON" : checkRecord(rec, expected, prev);
    if (why) return bad(expected, why);
    prev = (rec as { hash: string }).hash;
    records++;
  }
  let tornLastLine = false;
  if (tail !== "") {
    const rec = parse(tail);
    if (rec !== undefined && !checkRecord(rec, records + 1, prev)) {
      prev = (rec as { hash: string }).hash;
      records++;
    } else tornLastLine = true;
  }
  if (head) {
    if (head.seq > records) return { ok: false, path, records, firstBadSeq: records + 1, tornLastLine, message: `records ${records + 1}..${head.seq} are missing: the head file says ${head.seq} were written (the log was truncated)` };
    // The head is written right after the record's fsync, so it may lag by one after a crash, never more.
    if (head.seq < records - 1) return { ok: false, path, records, firstBadSeq: head.seq + 2, tornLastLine, message: `records after ${head.seq + 1} were added without the head file (appended outside the audit log)` };
    if (head.seq > 0) {
      const at = parse(lines[head.seq - 1] ?? tail) as { hash?: string } | undefined;
      if (at?.hash !== head.hash) return { ok: false, path, records, firstBadSeq: head.seq, tornLastLine, message: `record ${head.seq} does not match the head file's hash (rewritten)` };
    }
  }
  return { ok: true, path, records, firstBadSeq: null, tornLastLine, message: `${records} record${records === 1 ? "" : "s"}, chain intact${tornLastLine ? "; the last line is torn (a write cut short by a crash) and was ignored" : ""}` };
}
