import { appendFileSync, chmodSync, closeSync, constants, existsSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, renameSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { KeyObject } from "node:crypto";
import { OpenClawError } from "../errors.js";
import { GENESIS, canonical } from "./canonical.js";
import { chainFiles, headPath, lockPath, readTail, rotatedFiles, rotatedPath } from "./files.js";
import { createKey, defaultKeyPath, headMac, keyMissing, readKey, type AuditKey } from "./key.js";
import { FileLock } from "./lock.js";
import type { AuditHead, AuditInput, AuditRecord, VerifyOptions, VerifyReport } from "./types.js";
import { checkLine, checkedHead, readHead, sealLine, verifyFile } from "./verify.js";

const HEAD_WIDTH = 200;
/** The default rotation size when a caller names none (the config's default is the same). */
export const DEFAULT_ROTATE_BYTES = 64 * 1024 * 1024;

export interface AuditLogConfig {
  path: string;
  fsync: boolean;
  /** The HMAC key file; default audit.key beside the log. The runtime passes <stateDir>/audit/audit.key (hidden from every sandbox). */
  keyPath?: string;
  /** Start a new file once the current one would pass this size; 0 never rotates. */
  rotateBytes?: number;
}

/**
 * The tamper-evident audit trail: append-only JSONL, one record per decision and per
 * invocation, each chained to the previous by an HMAC-SHA256 under a key kept 0600 in
 * the state dir. Writes are synchronous on purpose: a record is on disk (fsync) before
 * append() resolves, so a result never reaches a caller without its record. A lock file
 * serialises read-head + append + write-head across processes (kernel, CLI, gateway), so
 * two writers never fork the chain. The log rotates by size; the chain continues across
 * files.
 */
export class AuditLog {
  readonly path: string;
  readonly fsync: boolean;
  readonly keyPath: string;
  readonly rotateBytes: number;
  private fd: number | null = null;
  private headFd: number | null = null;
  private key: KeyObject | null = null;
  /** Where an unkeyed log of an earlier version was moved when this chain started (for messages); null otherwise. */
  movedAside: string | null = null;
  private lock: FileLock;
  private seq = 0;
  private last = GENESIS;
  /** Bytes and inode we believe the current file has; a mismatch means another process appended or rotated. */
  private size = 0;
  private ino = 0;

  constructor(cfg: AuditLogConfig) {
    this.path = cfg.path;
    this.fsync = cfg.fsync;
    this.keyPath = cfg.keyPath ?? defaultKeyPath(cfg.path);
    this.rotateBytes = cfg.rotateBytes ?? DEFAULT_ROTATE_BYTES;
    this.lock = new FileLock(lockPath(cfg.path));
  }

  private unwritable(e: unknown): OpenClawError {
    if (e instanceof OpenClawError) return e;
    return new OpenClawError(`cannot open the audit log ${this.path}: ${(e as Error).message}`, {
      code: "audit_unwritable",
      fix: "make its folder writable by you, or set audit.path in openclaw.json; nothing runs while the audit log cannot be written",
      cause: e,
    });
  }

  /** Whether any record was ever written (a file with bytes, or a head past 0). */
  private hasRecords(): boolean {
    if (chainFiles(this.path).some((f) => existsSync(f) && statSync(f).size > 0)) return true;
    return (readHead(this.path)?.seq ?? 0) > 0;
  }

  /**
   * No key yet: a fresh chain gets a fresh key. A log written by an earlier, unkeyed
   * version is moved aside whole (audit.jsonl.unkeyed-<time>, with its head) and a new
   * chain starts; a keyed chain whose key is gone cannot continue (fail closed).
   */
  private firstKey(): AuditKey {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.lock.acquire();
    try {
      const again = readKey(this.keyPath); // another process got here first
      if (again) return again;
      if (this.hasRecords()) {
        if (!this.isUnkeyedLegacy()) throw keyMissing(this.keyPath, "the audit log has records, so a new key would make them unverifiable; nothing runs until the key is back or the log is moved aside");
        const aside = `${this.path}.unkeyed-${new Date().toISOString().replace(/[:.]/g, "-")}`;
        renameSync(this.path, aside);
        if (existsSync(headPath(this.path))) renameSync(headPath(this.path), `${aside}.head`);
        this.movedAside = aside;
      }
      return createKey(this.keyPath);
    } finally {
      this.lock.release();
    }
  }

  /** A log from before the keyed chain: one file, whose last record carries a hash in the old (unkeyed, sorted-key) place. */
  private isUnkeyedLegacy(): boolean {
    if (rotatedFiles(this.path).length || !existsSync(this.path)) return false;
    const fd = openSync(this.path, "r");
    try {
      const size = fstatSync(fd).size;
      const line = readTail(fd, size, 1).lines[0];
      if (!line || /,"hash":"[0-9a-f]{64}"\}$/.test(line)) return false;
      const r = JSON.parse(line) as Record<string, unknown>;
      return typeof r.seq === "number" && typeof r.hash === "string";
    } catch {
      return false;
    } finally {
      closeSync(fd);
    }
  }

  private open(): number {
    if (this.fd !== null) return this.fd;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      this.key = (readKey(this.keyPath) ?? this.firstKey()).key;
      const fd = openSync(this.path, "a+", 0o600);
      chmodSync(this.path, 0o600); // an existing file keeps its mode on open; the log is ours alone
      // Not O_APPEND: the head is rewritten in place at offset 0.
      this.headFd = openSync(headPath(this.path), constants.O_RDWR | constants.O_CREAT, 0o600);
      this.fd = fd;
    } catch (e) {
      throw this.unwritable(e);
    }
    this.lock.acquire();
    try {
      this.recover();
    } finally {
      this.lock.release();
    }
    return this.fd;
  }

  /** Re-reads the chain's end from disk (under the lock): on open, and when another process appended or rotated. */
  private recover(): void {
    const fd = this.fd!;
    const st = fstatSync(fd);
    const size = st.size;
    this.ino = st.ino;
    this.seq = 0;
    this.last = GENESIS;
    this.size = size;
    if (size === 0) {
      // Just rotated (or new): the chain continues from the newest rotated file.
      const prev = rotatedFiles(this.path).pop();
      if (prev) {
        const pfd = openSync(prev.path, "r");
        try {
          const line = readTail(pfd, fstatSync(pfd).size, 1).lines[0];
          if (line) this.adopt(line);
        } finally {
          closeSync(pfd);
        }
      }
      return;
    }
    const { lines, partial, partialAt } = readTail(fd, size, 1);
    const lastLine = lines[lines.length - 1];
    if (lastLine) this.adopt(lastLine);
    if (partial !== "") {
      // A crash cut a write short. If the fragment is a whole record, end its line;
      // otherwise move it aside (kept for post-mortem) so the chain can continue.
      if (!checkLine(this.key!, partial, this.seq + 1, this.last)) {
        appendFileSync(fd, "\n");
        this.adopt(partial);
      } else {
        appendFileSync(`${this.path}.torn`, partial + "\n", { mode: 0o600 });
        ftruncateSync(fd, partialAt);
      }
      if (this.fsync) fsyncSync(fd);
      this.size = fstatSync(fd).size;
    }
  }

  private adopt(line: string): void {
    try {
      const r = JSON.parse(line) as AuditRecord;
      if (typeof r.seq === "number" && typeof r.hash === "string") {
        this.seq = r.seq;
        this.last = r.hash;
      }
    } catch {
      /* a damaged last line: keep counting from what we can; verify will name it */
    }
  }

  /** Under the lock: notices another process's appends (size) or rotation (inode) and catches up. */
  private sync(): void {
    let st;
    try {
      st = statSync(this.path);
    } catch {
      st = null; // rotated away and not yet recreated (a crash mid-rotation): reopen creates it
    }
    if (st && st.ino === this.ino && st.size === this.size) return;
    if (!st || st.ino !== this.ino) {
      closeSync(this.fd!);
      this.fd = openSync(this.path, "a+", 0o600);
    }
    this.recover();
  }

  /** Renames the current file to the next rotated name and starts an empty one; the chain's seq and hash carry on. */
  private rotate(): void {
    const n = (rotatedFiles(this.path).pop()?.n ?? 0) + 1;
    renameSync(this.path, rotatedPath(this.path, n));
    closeSync(this.fd!);
    this.fd = openSync(this.path, "a+", 0o600);
    const st = fstatSync(this.fd);
    this.ino = st.ino;
    this.size = st.size;
  }

  /** Opens the log (creating it 0600 in a 0700 folder, and the key); throws when it cannot be written. Callers check this before acting, so nothing runs unrecorded. */
  async ready(): Promise<void> {
    this.open();
  }

  /** Writes one record (fsync'd when configured) and returns it. */
  async append(input: AuditInput): Promise<AuditRecord> {
    return this.appendSync(input);
  }

  appendSync(input: AuditInput): AuditRecord {
    this.open();
    this.lock.acquire();
    try {
      try {
        this.sync();
      } catch (e) {
        throw this.unwritable(e);
      }
      const body = { ...input, seq: this.seq + 1, ts: new Date().toISOString(), prevHash: this.last } as Omit<AuditRecord, "hash">;
      const { line, hash } = sealLine(this.key!, canonical(body));
      const bytes = Buffer.from(line + "\n");
      try {
        if (this.rotateBytes > 0 && this.size > 0 && this.size + bytes.length > this.rotateBytes) this.rotate();
        writeSync(this.fd!, bytes);
        // fdatasync: the data and the new file size, without the mtime-only metadata flush.
        if (this.fsync) fdatasyncSync(this.fd!);
      } catch (e) {
        throw new OpenClawError(`cannot write the audit log ${this.path}: ${(e as Error).message}`, { code: "audit_unwritable", fix: "free disk space or fix the file's permissions", cause: e });
      }
      this.size += bytes.length;
      this.seq = body.seq;
      this.last = hash;
      // Fixed width so an in-place overwrite never leaves stale bytes; not fsync'd on
      // purpose (verify tolerates a head one record behind after a crash). MAC'd, so a
      // cut log cannot be made to match by rewriting the head.
      writeSync(this.headFd!, JSON.stringify({ seq: body.seq, hash, mac: headMac(this.key!, body.seq, hash) }).padEnd(HEAD_WIDTH - 1) + "\n", 0);
      return { ...body, hash } as AuditRecord;
    } finally {
      this.lock.release();
    }
  }

  /** The last n records, oldest first (reaching into the newest rotated file when needed). A torn last line is skipped. */
  async tail(n = 20): Promise<AuditRecord[]> {
    if (n <= 0) return [];
    const files = chainFiles(this.path).filter((f) => existsSync(f)).reverse();
    const out: AuditRecord[] = [];
    for (const f of files.slice(0, 2)) {
      const fd = openSync(f, "r");
      try {
        const size = fstatSync(fd).size;
        if (size === 0) continue;
        const got: AuditRecord[] = [];
        for (const l of readTail(fd, size, n - out.length).lines) {
          try {
            got.push(JSON.parse(l) as AuditRecord);
          } catch {
            /* damaged line: verify reports it */
          }
        }
        out.unshift(...got);
      } finally {
        closeSync(fd);
      }
      if (out.length >= n) break;
    }
    return out.slice(-n);
  }

  /** The current head (seq and hash), checked against the key: an anchor to keep elsewhere. */
  async head(): Promise<AuditHead> {
    return checkedHead(this.path, this.keyPath);
  }

  /** Streams the whole chain (or, with `checkpoint`, only what follows the last verified point). */
  async verify(opts: Omit<VerifyOptions, "keyPath"> = {}): Promise<VerifyReport> {
    return verifyFile(this.path, { ...opts, keyPath: this.keyPath });
  }

  async close(): Promise<void> {
    for (const fd of [this.fd, this.headFd]) if (fd !== null) closeSync(fd);
    this.fd = this.headFd = null;
  }
}
