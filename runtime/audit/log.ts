import { appendFileSync, chmodSync, constants, existsSync, closeSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { OpenClawError } from "../errors.js";
import { GENESIS, canonical, recordHash } from "./canonical.js";
import type { AuditInput, AuditRecord, VerifyReport } from "./types.js";
import { checkRecord, headPath, verifyFile } from "./verify.js";

const HEAD_WIDTH = 120;

/** Reads the bytes [start, end) of an open file. */
function readRange(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.alloc(end - start);
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, start + off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/**
 * The last `want` newline-terminated lines of the file (and any partial line after
 * them), read backwards in growing chunks so a long log is never read whole.
 */
function readTail(fd: number, size: number, want: number): { lines: string[]; partial: string; partialAt: number } {
  let chunk = 64 * 1024;
  for (;;) {
    const start = Math.max(0, size - chunk);
    const text = readRange(fd, start, size).toString("utf8");
    const parts = text.split("\n");
    const partial = parts.pop()!;
    // The first part may be cut mid-line unless we read from the file's start.
    const complete = start === 0 ? parts : parts.slice(1);
    if (complete.length >= want || start === 0) {
      return { lines: complete.slice(-want), partial, partialAt: size - Buffer.byteLength(partial) };
    }
    chunk *= 4;
  }
}

/**
 * The tamper-evident audit trail: append-only JSONL, one record per decision and per
 * invocation, each chained to the previous by sha256. Writes are synchronous on
 * purpose: a record is on disk (fsync) before append() resolves, so a result never
 * reaches a caller without its record, and no interleaving inside one process can
 * fork the chain.
 */
export class AuditLog {
  readonly path: string;
  readonly fsync: boolean;
  private fd: number | null = null;
  private headFd: number | null = null;
  private seq = 0;
  private last = GENESIS;
  /** Bytes we believe the file holds; a mismatch means another process appended. */
  private size = 0;

  constructor(cfg: { path: string; fsync: boolean }) {
    this.path = cfg.path;
    this.fsync = cfg.fsync;
  }

  private open(): number {
    if (this.fd !== null) return this.fd;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      const fd = openSync(this.path, "a+", 0o600);
      chmodSync(this.path, 0o600); // an existing file keeps its mode on open; the log is ours alone
      // Not O_APPEND: the head is rewritten in place at offset 0.
      this.headFd = openSync(headPath(this.path), constants.O_RDWR | constants.O_CREAT, 0o600);
      this.fd = fd;
    } catch (e) {
      throw new OpenClawError(`cannot open the audit log ${this.path}: ${(e as Error).message}`, {
        code: "audit_unwritable",
        fix: "make its folder writable by you, or set audit.path in openclaw.json; nothing runs while the audit log cannot be written",
        cause: e,
      });
    }
    this.recover();
    return this.fd;
  }

  /** Re-reads the chain's end from disk: on open, and when another process appended. */
  private recover(): void {
    const fd = this.fd!;
    const size = fstatSync(fd).size;
    this.seq = 0;
    this.last = GENESIS;
    this.size = size;
    if (size === 0) return;
    const { lines, partial, partialAt } = readTail(fd, size, 1);
    const lastLine = lines[lines.length - 1];
    if (lastLine) {
      try {
        const r = JSON.parse(lastLine) as AuditRecord;
        this.seq = r.seq;
        this.last = r.hash;
      } catch {
        /* a damaged last line: keep counting from what we can; verify will name it */
      }
    }
    if (partial !== "") {
      // A crash cut a write short. If the fragment is a whole record, end its line;
      // otherwise move it aside (kept for post-mortem) so the chain can continue.
      let rec: unknown;
      try {
        rec = JSON.parse(partial);
      } catch {
        rec = undefined;
      }
      if (rec !== undefined && !checkRecord(rec, this.seq + 1, this.last)) {
        appendFileSync(fd, "\n");
        this.seq++;
        this.last = (rec as AuditRecord).hash;
      } else {
        appendFileSync(`${this.path}.torn`, partial + "\n", { mode: 0o600 });
        ftruncateSync(fd, partialAt);
      }
      if (this.fsync) fsyncSync(fd);
      this.size = fstatSync(fd).size;
    }
  }

  /** Opens the log (creating it 0600 in a 0700 folder); throws when it cannot be written. Callers check this before acting, so nothing runs unrecorded. */
  async ready(): Promise<void> {
    this.open();
  }

  /** Writes one record (fsync'd when configured) and returns it. */
  async append(input: AuditInput): Promise<AuditRecord> {
    return this.appendSync(input);
  }

  appendSync(input: AuditInput): AuditRecord {
    const fd = this.open();
    if (fstatSync(fd).size !== this.size) this.recover();
    const body = { ...input, seq: this.seq + 1, ts: new Date().toISOString(), prevHash: this.last } as Omit<AuditRecord, "hash"> & { hash?: string };
    const hash = recordHash(body as Record<string, unknown>);
    const rec = { ...body, hash } as AuditRecord;
    const line = Buffer.from(canonical(rec) + "\n");
    try {
      writeSync(fd, line);
      // fdatasync: the data and the new file size, without the mtime-only metadata flush.
      if (this.fsync) fdatasyncSync(fd);
    } catch (e) {
      throw new OpenClawError(`cannot write the audit log ${this.path}: ${(e as Error).message}`, { code: "audit_unwritable", fix: "free disk space or fix the file's permissions", cause: e });
    }
    this.size += line.length;
    this.seq = rec.seq;
    this.last = hash;
    // Fixed width so an in-place overwrite never leaves stale bytes; not fsync'd on
    // purpose (verify tolerates a head one record behind after a crash).
    writeSync(this.headFd!, JSON.stringify({ seq: rec.seq, hash }).padEnd(HEAD_WIDTH - 1) + "\n", 0);
    return rec;
  }

  /** The last n records, oldest first. A torn last line is skipped. */
  async tail(n = 20): Promise<AuditRecord[]> {
    if (this.fd === null && !existsSync(this.path)) return [];
    const fd = this.open();
    const size = fstatSync(fd).size;
    if (size === 0 || n <= 0) return [];
    const out: AuditRecord[] = [];
    for (const l of readTail(fd, size, n).lines) {
      try {
        out.push(JSON.parse(l) as AuditRecord);
      } catch {
        /* damaged line: verify reports it */
      }
    }
    return out;
  }

  async verify(): Promise<VerifyReport> {
    return verifyFile(this.path);
  }

  async close(): Promise<void> {
    for (const fd of [this.fd, this.headFd]) if (fd !== null) closeSync(fd);
    this.fd = this.headFd = null;
  }
}
