import { createHash, type KeyObject } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { OpenClawError, UsageError } from "../errors.js";
import { GENESIS } from "./canonical.js";
import { chainFiles, firstLine, headPath, readRange } from "./files.js";
import { defaultKeyPath, headMac, mac, readKey } from "./key.js";
import type { AuditHead, VerifyOptions, VerifyReport } from "./types.js";

export { headPath } from "./files.js";

/** `,"hash":"` + 64 hex digits + `"}`: every record line ends so. */
const HASH_TAIL = 75;
const HASH_KEY = ',"hash":"';

/**
 * A record's line: the canonical JSON of the record without `hash`, with its MAC appended
 * as the last member. Verify can then check the MAC over the exact bytes written without
 * re-serialising each record; anyone can still recompute it from a parse (canonical form
 * of the record minus `hash`).
 */
export function sealLine(key: KeyObject, canonicalBody: string): { line: string; hash: string } {
  const hash = mac(key, canonicalBody);
  return { line: `${canonicalBody.slice(0, -1)}${HASH_KEY}${hash}"}`, hash };
}

/** The MAC a line carries, when it is a well-formed sealed line whose MAC is right; else why not. */
function unseal(key: KeyObject, line: string): { hash: string } | { why: string } {
  const cut = line.length - HASH_TAIL;
  if (cut < 2 || !line.endsWith('"}') || line.slice(cut, cut + HASH_KEY.length) !== HASH_KEY) return { why: "not a keyed record (no trailing hash: written by an older version or by hand)" };
  const hash = line.slice(cut + HASH_KEY.length, line.length - 2);
  if (mac(key, line.slice(0, cut) + "}") !== hash) return { why: "hash does not match the record's content (modified, or written without the audit key)" };
  return { hash };
}

/** Checks one line against its expected place in the chain; returns why it is bad, or null. */
export function checkLine(key: KeyObject, line: string, expectedSeq: number, prevHash: string): string | null {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return "not valid JSON";
  }
  if (!rec || typeof rec !== "object" || Array.isArray(rec)) return "not a JSON object";
  const r = rec as Record<string, unknown>;
  if (r.seq !== expectedSeq) return typeof r.seq === "number" ? `seq ${r.seq} where ${expectedSeq} was expected (a record was deleted, reordered or inserted)` : "no seq";
  if (r.prevHash !== prevHash) return "prevHash does not match the previous record's hash (chain broken)";
  const u = unseal(key, line);
  if ("why" in u) return u.why;
  if (r.hash !== u.hash) return "hash does not match the record's content (modified)";
  return null;
}

type HeadState = { state: "missing" } | { state: "blank" } | { state: "damaged"; why: string } | { state: "ok"; head: AuditHead; mac: string };

function readHeadFile(logPath: string): HeadState {
  let text: string;
  try {
    text = readFileSync(headPath(logPath), "utf8");
  } catch {
    return { state: "missing" };
  }
  // Created on open, written after the first record's fsync: blank only before (or in a crash right after) record 1.
  if (text.trim() === "") return { state: "blank" };
  try {
    const h = JSON.parse(text) as { seq?: unknown; hash?: unknown; mac?: unknown };
    if (typeof h.seq !== "number" || typeof h.hash !== "string") return { state: "damaged", why: "no seq or hash" };
    return { state: "ok", head: { seq: h.seq, hash: h.hash }, mac: typeof h.mac === "string" ? h.mac : "" };
  } catch {
    return { state: "damaged", why: "not valid JSON" };
  }
}

/** The head file's seq and hash (unchecked); null when absent or unreadable. */
export function readHead(logPath: string): AuditHead | null {
  const h = readHeadFile(logPath);
  return h.state === "ok" ? h.head : null;
}

/** The head, checked against the key: what `audit head` prints. Throws when missing, damaged or forged. */
export function checkedHead(logPath: string, keyPath = defaultKeyPath(logPath)): AuditHead {
  const h = readHeadFile(logPath);
  if (h.state === "missing") {
    if (!chainFiles(logPath).some((f) => existsSync(f) && statSync(f).size > 0)) return { seq: 0, hash: GENESIS };
    throw new OpenClawError(`the audit head file ${headPath(logPath)} is missing while the log has records`, { code: "audit_head_missing", fix: "run `audit verify`: the log may have been cut; keep it for investigation" });
  }
  if (h.state === "blank") {
    if (!chainFiles(logPath).some((f) => existsSync(f) && statSync(f).size > 0)) return { seq: 0, hash: GENESIS };
    throw new OpenClawError(`the audit head file ${headPath(logPath)} is empty while the log has records`, { code: "audit_head_missing", fix: "run `audit verify`: the log may have been cut; keep it for investigation" });
  }
  if (h.state === "damaged") throw new OpenClawError(`the audit head file ${headPath(logPath)} is damaged (${h.why})`, { code: "audit_head_damaged", fix: "run `audit verify` and keep the log for investigation" });
  const key = readKey(keyPath);
  if (!key) throw new OpenClawError(`the audit key ${keyPath} is missing: the head cannot be checked`, { code: "audit_key_missing", fix: `restore ${keyPath} from a backup` });
  if (headMac(key.key, h.head.seq, h.head.hash) !== h.mac) throw new OpenClawError(`the audit head file ${headPath(logPath)} was changed (its MAC does not match)`, { code: "audit_head_forged", fix: "run `audit verify` and keep the log for investigation" });
  return h.head;
}

/**
 * Streams a file's lines from `start` (1 MiB reads; a buffer grows only for a longer line):
 * memory stays flat however long the log. `onLine` gets each newline-terminated line and
 * the offset just past its newline; returning false stops. Resolves with the bytes after
 * the last newline (a torn write), and whether it stopped early.
 */
async function streamLines(path: string, start: number, onLine: (line: string, end: number) => boolean): Promise<{ stopped: boolean; tail: string }> {
  const fh = await open(path, "r");
  try {
    let buf = Buffer.allocUnsafe(1 << 20);
    let have = 0;
    let base = start;
    for (;;) {
      if (have === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, have, buf.length - have, base + have);
      if (bytesRead === 0) break;
      have += bytesRead;
      const view = buf.subarray(0, have);
      let s = 0;
      for (let nl = view.indexOf(10, s); nl !== -1; nl = view.indexOf(10, s)) {
        if (!onLine(view.toString("utf8", s, nl), base + nl + 1)) return { stopped: true, tail: "" };
        s = nl + 1;
      }
      buf.copy(buf, 0, s, have);
      base += s;
      have -= s;
    }
    return { stopped: false, tail: buf.toString("utf8", 0, have) };
  } finally {
    await fh.close();
  }
}

interface Checkpoint {
  log: string;
  seq: number;
  hash: string;
  /** The seq of the first record of the file holding record `seq` (files are renamed by rotation). */
  firstSeq: number;
  /** Offset just past record `seq`'s line in that file. */
  offset: number;
  at: string;
  mac?: string;
}

const cpMac = (key: KeyObject, c: Checkpoint) => mac(key, `openclaw-audit-checkpoint\n${c.log}\n${c.seq}\n${c.hash}\n${c.firstSeq}\n${c.offset}\n${c.at}`);

function realLog(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

export function checkpointPath(logPath: string, dir: string): string {
  return join(dir, `checkpoint-${createHash("sha256").update(realLog(logPath)).digest("hex").slice(0, 16)}.json`);
}

function seqOf(line: string | null): number | null {
  if (!line) return null;
  try {
    const s = (JSON.parse(line) as { seq?: unknown }).seq;
    return typeof s === "number" ? s : null;
  } catch {
    return null;
  }
}

/** Where to resume after a checkpoint, or why it cannot be used (then the walk starts at record 1). */
function resumePoint(key: KeyObject, logPath: string, files: string[], cp: Checkpoint): { file: number; offset: number } | string {
  if (cp.mac !== cpMac(key, cp)) return "its MAC does not match";
  if (cp.log !== realLog(logPath)) return "it belongs to another log";
  const file = files.findIndex((f) => seqOf(firstLine(f)) === cp.firstSeq);
  if (file < 0) return `no file starts at record ${cp.firstSeq} any more`;
  let fd: number;
  try {
    fd = openSync(files[file]!, "r");
  } catch {
    return "its file cannot be read";
  }
  try {
    const from = Math.max(0, cp.offset - 256 * 1024);
    const text = readRange(fd, from, cp.offset).toString("utf8");
    if (!text.endsWith("\n")) return "the log changed under it";
    const body = text.slice(0, -1);
    const nl = body.lastIndexOf("\n");
    if (nl < 0 && from > 0) return "its record is too long to check";
    const line = body.slice(nl + 1);
    const u = unseal(key, line);
    if ("why" in u || u.hash !== cp.hash || seqOf(line) !== cp.seq) return "the record it names changed";
  } finally {
    closeSync(fd);
  }
  return { file, offset: cp.offset };
}

function writeCheckpoint(key: KeyObject, path: string, cp: Checkpoint): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ ...cp, mac: cpMac(key, cp) }) + "\n", { mode: 0o600 });
  renameSync(tmp, path);
}

/**
 * Walks the chain, streamed, from the first rotated file through the current log: each
 * line's seq, prevHash and keyed MAC, then the head (required while there are records,
 * MAC'd). A partial last line of the current log (crash mid-write; its result was never
 * returned) is tolerated and reported; anything else names the first bad seq. Without
 * the key nothing is "ok": the report says the key is missing.
 */
export async function verifyFile(path: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const keyPath = opts.keyPath ?? defaultKeyPath(path);
  const files = chainFiles(path);
  const head = readHeadFile(path);
  const base = { ok: false, path, records: 0, firstBadSeq: null as number | null, tornLastLine: false };
  const withAnchor = (r: VerifyReport): VerifyReport => (opts.anchor ? { ...r, anchor: { ...opts.anchor, found: false } } : r);
  const present = files.filter((f) => existsSync(f));
  if (!present.some((f) => statSync(f).size > 0)) {
    if (head.state === "ok" && head.head.seq > 0) return withAnchor({ ...base, firstBadSeq: 1, message: `the log is missing but its head file says ${head.head.seq} records were written` });
    if (opts.anchor) return withAnchor({ ...base, message: `no audit log: the anchor ${opts.anchor.hash.slice(0, 12)}… cannot be in it` });
    return { ...base, ok: true, message: "no audit log yet (nothing has been recorded)" };
  }
  let key: KeyObject;
  try {
    const k = readKey(keyPath);
    if (!k) {
      const first = present.map((f) => firstLine(f)).find((l) => l);
      const legacy = !!first && !/,"hash":"[0-9a-f]{64}"\}$/.test(first);
      return withAnchor({ ...base, message: legacy ? `the audit key ${keyPath} is missing and this log was written by an earlier version without one: its records cannot be checked as keyed (the next append moves it aside to ${basename(path)}.unkeyed-<time> and starts a keyed chain)` : `the audit key ${keyPath} is missing: the chain cannot be checked without it (restore it from a backup; never treat this log as verified)` });
    }
    key = k.key;
  } catch (e) {
    return withAnchor({ ...base, message: (e as Error).message });
  }

  let expected = 1;
  let prev = GENESIS;
  let prevPrev: string | null = null;
  let startFile = 0;
  let startOffset = 0;
  let note = "";
  let cp: Checkpoint | null = null;
  const cpFile = checkpointPath(path, opts.checkpointDir ?? dirname(keyPath));
  if (opts.checkpoint && !opts.anchor) {
    try {
      cp = JSON.parse(readFileSync(cpFile, "utf8")) as Checkpoint;
    } catch {
      cp = null;
    }
    if (cp) {
      const at = resumePoint(key, path, files, cp);
      if (typeof at === "string") {
        note = `; the checkpoint was not used (${at}), so every record was checked`;
        cp = null;
      } else {
        startFile = at.file;
        startOffset = at.offset;
        expected = cp.seq + 1;
        prev = cp.hash;
      }
    }
  }

  const anchor = opts.anchor ? { ...opts.anchor, found: false } as NonNullable<VerifyReport["anchor"]> : undefined;
  let records = expected - 1;
  let bad: { seq: number; why: string } | null = null;
  let tornLastLine = false;
  let last: { firstSeq: number; offset: number } | null = cp ? { firstSeq: cp.firstSeq, offset: cp.offset } : null;
  let walked = 0;
  const take = (line: string, end: number, firstSeq: number): boolean => {
    const why = checkLine(key, line, expected, prev);
    if (why) {
      bad = { seq: expected, why };
      return false;
    }
    const hash = line.slice(line.length - 66, line.length - 2);
    if (anchor && !anchor.found && hash === anchor.hash && (anchor.seq === undefined || anchor.seq === expected)) {
      anchor.found = true;
      anchor.foundSeq = expected;
    }
    prevPrev = prev;
    prev = hash;
    records = expected;
    expected++;
    last = { firstSeq, offset: end };
    return true;
  };
  for (let i = startFile; i < files.length && !bad; i++) {
    const file = files[i]!;
    if (!existsSync(file)) continue;
    walked++;
    const isCurrent = i === files.length - 1;
    let firstSeq = i === startFile && cp ? cp.firstSeq : expected;
    let atStart = true;
    const r = await streamLines(file, i === startFile ? startOffset : 0, (line, end) => {
      if (atStart) {
        atStart = false;
        if (!(i === startFile && cp)) firstSeq = expected;
      }
      return take(line, end, firstSeq);
    });
    if (r.stopped || bad) break;
    if (r.tail !== "") {
      if (isCurrent && !checkLine(key, r.tail, expected, prev)) {
        take(r.tail, statSync(file).size, atStart ? expected : firstSeq);
      } else if (isCurrent) tornLastLine = true;
      else bad = { seq: expected, why: `${file} ends in a partial line` };
    }
  }
  const report = (ok: boolean, message: string, firstBadSeq: number | null = null): VerifyReport => ({
    ok,
    path,
    records,
    firstBadSeq,
    tornLastLine,
    message,
    ...(walked > 1 ? { files: walked } : {}),
    ...(cp ? { checkpoint: { seq: cp.seq, at: cp.at } } : {}),
    ...(anchor ? { anchor } : {}),
  });
  if (bad) {
    const b = bad as { seq: number; why: string };
    return report(false, `record ${b.seq}: ${b.why}`, b.seq);
  }

  const hp = headProblem(key, path, head, records, prev, prevPrev);
  if (hp) return report(false, hp.message, hp.firstBadSeq);
  if (anchor && !anchor.found) return report(false, `the anchor ${anchor.hash}${anchor.seq !== undefined ? `:${anchor.seq}` : ""} is not in the chain: the log was rewritten or cut since that head was taken`);

  if (opts.checkpoint && last && records > 0) {
    const l = last as { firstSeq: number; offset: number };
    try {
      writeCheckpoint(key, cpFile, { log: realLog(path), seq: records, hash: prev, firstSeq: l.firstSeq, offset: l.offset, at: new Date().toISOString() });
    } catch {
      /* an accelerator only: the next walk is a full one */
    }
  }
  const n = `${records} record${records === 1 ? "" : "s"}`;
  const from = cp ? ` (records 1..${cp.seq} were verified before, at ${cp.at}; ${records - cp.seq} new checked)` : "";
  const torn = tornLastLine ? "; the last line is torn (a write cut short by a crash) and was ignored" : "";
  const anc = anchor ? `; anchor found at record ${anchor.foundSeq}` : "";
  return report(true, `${n}, chain intact${from}${anc}${torn}${note}`);
}

/** What is wrong with the head given the walked chain (records, last two hashes), or null. */
function headProblem(key: KeyObject, path: string, head: HeadState, records: number, last: string, beforeLast: string | null): { message: string; firstBadSeq: number | null } | null {
  const p = headPath(path);
  if (head.state === "missing") return { message: `the head file ${p} is missing while the log has ${records} records: it was deleted, so a cut tail could not be seen; the chain is not verified`, firstBadSeq: null };
  if (head.state === "blank") return records > 1 ? { message: `the head file ${p} is empty while the log has ${records} records: it was wiped, so a cut tail could not be seen; the chain is not verified`, firstBadSeq: null } : null;
  if (head.state === "damaged") return { message: `the head file ${p} is damaged (${head.why})`, firstBadSeq: null };
  const h = head.head;
  if (headMac(key, h.seq, h.hash) !== head.mac) return { message: `the head file ${p} was changed or written without the audit key (its MAC does not match)`, firstBadSeq: null };
  if (h.seq > records) return { message: `records ${records + 1}..${h.seq} are missing: the head file says ${h.seq} were written (the log was truncated)`, firstBadSeq: records + 1 };
  // The head is written right after the record's fsync, so it may lag by one after a crash, never more.
  if (h.seq < records - 1) return { message: `records after ${h.seq + 1} were added without the head file (appended outside the audit log)`, firstBadSeq: h.seq + 2 };
  const atHead = h.seq === records ? last : beforeLast;
  if (h.seq > 0 && atHead !== h.hash) return { message: `record ${h.seq} does not match the head file's hash (rewritten)`, firstBadSeq: h.seq };
  return null;
}


/** Parses an anchor as `audit head` prints it: HASH or HASH:SEQ (64 hex digits, a positive seq). */
export function parseAnchor(text: string): { hash: string; seq?: number } {
  const m = /^([0-9a-f]{64})(?::([1-9][0-9]*))?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--anchor takes HASH or HASH:SEQ as \`audit head\` prints it (64 hex digits, then optionally : and the record's seq), got ${JSON.stringify(text)}`, { fix: "copy the anchor line `audit head` printed" });
  return { hash: m[1]!.toLowerCase(), ...(m[2] ? { seq: Number(m[2]) } : {}) };
}
