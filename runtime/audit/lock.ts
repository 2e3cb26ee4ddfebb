import { closeSync, constants, lstatSync, openSync, readlinkSync, symlinkSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { OpenClawError } from "../errors.js";
import { pidAlive } from "../pid.js";

const SLEEP = new Int32Array(new SharedArrayBuffer(4));
/** A synchronous sleep (append is synchronous by design: a record is on disk before a result returns). */
const sleep = (ms: number) => Atomics.wait(SLEEP, 0, 0, ms);
/** A lock older than this is stale whatever its owner says: the lock is held for one write + fsync. */
const STALE_MS = 30_000;
const HOST = hostname();


function readOwner(path: string): { text: string; ino: number; mtimeMs: number } | null {
  try {
    const st = lstatSync(path);
    return { text: st.isSymbolicLink() ? readlinkSync(path) : "", ino: st.ino, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
}

/**
 * A cross-process lock: a symlink whose target is "pid host", created atomically (symlink
 * fails with EEXIST when the name exists, like O_EXCL). A symlink rather than a file with
 * the pid in it: one syscall, and a short target lives in the inode, so no data block is
 * written and the log's fdatasync has less to flush. Node has no flock; proper-lockfile's
 * sync lock neither waits nor retries and keeps timers to refresh its mtime, which does
 * not fit a synchronous append. A lock whose owner is dead (same host) or that is older
 * than 30 s is stale; breaking it is itself guarded by a second O_EXCL file so two waiters
 * never both remove a live lock.
 */
export class FileLock {
  constructor(
    readonly path: string,
    readonly timeoutMs = 10_000,
  ) {}

  acquire(): void {
    const deadline = Date.now() + this.timeoutMs;
    let wait = 1;
    for (;;) {
      try {
        symlinkSync(`${process.pid} ${HOST}`, this.path);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new OpenClawError(`cannot lock the audit log (${this.path}): ${(e as Error).message}`, { code: "audit_unwritable", fix: "make the audit folder writable by you", cause: e });
      }
      if (this.breakIfStale()) continue;
      if (Date.now() > deadline) {
        const owner = readOwner(this.path)?.text.trim() || "an unknown process";
        throw new OpenClawError(`the audit log has been locked by ${owner} for over ${this.timeoutMs / 1000} s (${this.path})`, { code: "audit_locked", fix: `if no openclaw process is running, remove ${this.path}` });
      }
      sleep(wait);
      wait = Math.min(wait * 2, 16);
    }
  }

  release(): void {
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone: nothing to release */
    }
  }

  private isStale(o: { text: string; mtimeMs: number }): boolean {
    if (Date.now() - o.mtimeMs > STALE_MS) return true;
    const m = /^(\d+) (.*)$/.exec(o.text);
    if (!m) return false; // not ours to judge: wait for it to age
    const pid = Number(m[1]);
    return m[2] === HOST && (pid === process.pid || !pidAlive(pid)); // our own pid: a leftover of a dead process whose pid we reuse
  }

  /** Removes the lock when its owner is gone; true when it did. */
  private breakIfStale(): boolean {
    const seen = readOwner(this.path);
    if (!seen || !this.isStale(seen)) return false;
    const guard = `${this.path}.break`;
    let fd: number;
    try {
      fd = openSync(guard, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch {
      const g = readOwner(guard);
      if (g && Date.now() - g.mtimeMs > STALE_MS) unlinkSync(guard);
      return false;
    }
    try {
      closeSync(fd);
      const now = readOwner(this.path);
      if (now && now.ino === seen.ino && now.text === seen.text) {
        unlinkSync(this.path);
        return true;
      }
      return false;
    } finally {
      try {
        unlinkSync(guard);
      } catch {
        /* ignore */
      }
    }
  }
}
