import { closeSync, openSync, readdirSync, readSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The head file: the last record's seq, hash and MAC, kept apart so a cut tail shows. */
export function headPath(logPath: string): string {
  return `${logPath}.head`;
}

export function lockPath(logPath: string): string {
  return `${logPath}.lock`;
}

/** A rotated file's name: the log's name plus a 6-digit number, oldest lowest. */
export function rotatedPath(logPath: string, n: number): string {
  return `${logPath}.${String(n).padStart(6, "0")}`;
}

/** Rotated files of a log, oldest first: [{n, path}]. */
export function rotatedFiles(logPath: string): Array<{ n: number; path: string }> {
  const base = basename(logPath);
  let names: string[];
  try {
    names = readdirSync(dirname(logPath));
  } catch {
    return [];
  }
  const out: Array<{ n: number; path: string }> = [];
  for (const name of names) {
    if (!name.startsWith(base + ".")) continue;
    const rest = name.slice(base.length + 1);
    if (/^\d{6,}$/.test(rest)) out.push({ n: Number(rest), path: join(dirname(logPath), name) });
  }
  return out.sort((a, b) => a.n - b.n);
}

/** Every file of the chain in order: rotated files, then the current log. */
export function chainFiles(logPath: string): string[] {
  return [...rotatedFiles(logPath).map((f) => f.path), logPath];
}

/** Reads the bytes [start, end) of an open file. */
export function readRange(fd: number, start: number, end: number): Buffer {
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
export function readTail(fd: number, size: number, want: number): { lines: string[]; partial: string; partialAt: number } {
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

/** The first line of a file (without reading the rest), or null when it has none. */
export function firstLine(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    let size = 4096;
    for (;;) {
      const buf = readRange(fd, 0, size);
      const nl = buf.indexOf(10);
      if (nl >= 0) return buf.subarray(0, nl).toString("utf8");
      if (buf.length < size) return buf.length ? buf.toString("utf8") : null;
      size *= 4;
    }
  } finally {
    closeSync(fd);
  }
}
