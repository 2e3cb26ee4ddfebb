import { createHmac, createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { OpenClawError } from "../errors.js";

/**
 * The audit key: 32 random bytes (hex) in a 0600 file inside the state dir, which the
 * sandbox hides from skills. Every record's hash is HMAC-SHA256 under it, so a log
 * rewritten by anyone without the key no longer verifies.
 */
export interface AuditKey {
  path: string;
  key: KeyObject;
}

/** Where the key lives when a caller names none: beside the log (tests, benches). The runtime passes <stateDir>/audit/audit.key. */
export function defaultKeyPath(logPath: string): string {
  return join(dirname(logPath), "audit.key");
}

export function keyMissing(path: string, why: string): OpenClawError {
  return new OpenClawError(`the audit key ${path} is missing: ${why}`, {
    code: "audit_key_missing",
    fix: `restore ${path} from a backup; if it is lost for good, keep the log for investigation and move it aside (with its .head and rotated files) so a new keyed chain starts`,
  });
}

/** Reads the key; null when the file does not exist. Refuses a key others can read. */
export function readKey(path: string): AuditKey | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new OpenClawError(`cannot read the audit key ${path}: ${(e as Error).message}`, { code: "audit_key_unreadable", fix: `make ${path} readable by you (chmod 600)`, cause: e });
  }
  try {
    const mode = fstatSync(fd).mode & 0o777;
    if (mode & 0o077) throw new OpenClawError(`the audit key ${path} is mode ${mode.toString(8)}: others could read it and forge records`, { code: "audit_key_insecure", fix: `chmod 600 ${path}` });
    const hex = readFileSync(fd, "utf8").trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new OpenClawError(`the audit key ${path} is damaged (not 64 hex digits)`, { code: "audit_key_damaged", fix: `restore ${path} from a backup` });
    return { path, key: createSecretKey(Buffer.from(hex, "hex")) };
  } finally {
    closeSync(fd);
  }
}

/** Creates the key (0600, folder 0700) unless one exists; safe when two processes race (link is atomic). */
export function createKey(path: string): AuditKey {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const fd = openSync(tmp, "wx", 0o600);
  try {
    writeSync(fd, randomBytes(32).toString("hex") + "\n");
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  } finally {
    unlinkSync(tmp);
  }
  return readKey(path)!;
}

export function mac(key: KeyObject, text: string): string {
  return createHmac("sha256", key).update(text).digest("hex");
}

/** The head's MAC: domain-separated from records (a record's MAC input always starts with "{"). */
export function headMac(key: KeyObject, seq: number, hash: string): string {
  return mac(key, `openclaw-audit-head\n${seq}\n${hash}`);
}
