import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import type { ExecResult, ExecSessionInfo } from "./types.js";

/**
 * Sessions started by another process on the same state dir (the kernel's, seen from
 * a terminal's `exec list`): read from their meta.json and log files. A foreign
 * group is signalled only when its leader is provably the same process that was
 * started (pid plus kernel start time), never a recycled pid.
 */
export interface ForeignMeta extends ExecSessionInfo {
  hostPid?: number;
  startTicks?: string | null;
  /** Only background sessions are listed; a foreground run's folder is post-mortem only. */
  background?: boolean;
}

/** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22); null off Linux or when gone. */
export function procStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    if (state === "Z" || state === "X") return null;
    return fields[19] ?? null; // field 22 overall; fields[] starts at field 3
  } catch {
    return null;
  }
}

/** Is the process that was started as `meta` still the one running under its pid? */
export function sameProcess(meta: ForeignMeta): boolean {
  return !!meta.pid && !!meta.startTicks && procStartTicks(meta.pid) === meta.startTicks;
}

export function readMeta(dir: string): ForeignMeta | null {
  try {
    return JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as ForeignMeta;
  } catch {
    return null;
  }
}

/** A meta's status as seen now: "running" only if its process really still runs. */
function liveStatus(m: ForeignMeta): ForeignMeta {
  if (m.status === "running" && !sameProcess(m)) return { ...m, status: "aborted" };
  return m;
}

export function listForeign(stateDir: string, exclude: Set<string>, limit?: number): ExecSessionInfo[] {
  const root = join(stateDir, "exec");
  let names: string[];
  try {
    // Newest first: an id is "x" + its start time in base 36 (longer is later) + random hex.
    names = readdirSync(root).sort((a, b) => b.length - a.length || (a < b ? 1 : a > b ? -1 : 0));
  } catch {
    return [];
  }
  const out: ExecSessionInfo[] = [];
  for (const n of names) {
    if (limit !== undefined && out.length >= limit) break;
    if (exclude.has(n)) continue;
    const m = readMeta(join(root, n));
    if (m && m.background && m.hostPid !== process.pid) {
      const { hostPid: _h, startTicks: _s, background: _b, ...info } = liveStatus(m);
      out.push({ ...info, foreign: true });
    }
  }
  return out;
}

/**
 * The tail of a stream's log (at most `cap` bytes), read from the end of the file (and of
 * <file>.1 before it when the log rotated) without reading the rest: a flood of hundreds
 * of MB costs `cap` bytes here. Size and sha256 of the whole stream come from meta.json
 * once the run finished; while it runs the size is what is on disk and the hash is "".
 */
function readLog(path: string, cap: number, whole?: { bytes?: number; sha256?: string }): { text: string; bytes: number; sha256: string; truncated: boolean } {
  const parts: Buffer[] = [];
  let want = cap;
  let onDisk = 0;
  let rotated = false;
  for (const p of [path, `${path}.1`]) {
    let fd: number;
    try {
      fd = openSync(p, "r");
    } catch {
      continue;
    }
    try {
      const size = fstatSync(fd).size;
      onDisk += size;
      if (p !== path) rotated = true;
      const n = Math.min(size, want);
      if (n > 0) {
        const b = Buffer.alloc(n);
        readSync(fd, b, 0, n, size - n);
        parts.unshift(b);
        want -= n;
      }
    } finally {
      closeSync(fd);
    }
  }
  const bytes = whole?.bytes ?? onDisk;
  return { text: Buffer.concat(parts).toString("utf8"), bytes, sha256: whole?.sha256 ?? (onDisk === 0 ? createHash("sha256").digest("hex") : ""), truncated: rotated || bytes > cap };
}

export function foreignResult(dir: string, meta: ForeignMeta, cap: number): ExecResult {
  const m = liveStatus(meta);
  const w = meta as ForeignMeta & { stdoutBytes?: number; stderrBytes?: number; stdoutSha256?: string; stderrSha256?: string };
  const out = readLog(join(dir, "stdout.log"), cap, { bytes: w.stdoutBytes, sha256: w.stdoutSha256 });
  const err = readLog(join(dir, "stderr.log"), cap, { bytes: w.stderrBytes, sha256: w.stderrSha256 });
  return {
    id: m.id,
    status: m.status,
    argv: m.argv,
    pid: m.pid,
    exitCode: m.exitCode,
    signal: m.signal,
    timedOut: m.timedOut,
    durationMs: m.durationMs,
    stdout: out.text,
    stderr: err.text,
    truncated: m.truncated || out.truncated || err.truncated,
    sandboxed: m.sandboxed,
    stdoutSha256: out.sha256,
    stderrSha256: err.sha256,
    stdoutBytes: out.bytes,
    stderrBytes: err.bytes,
    logDir: dir,
  };
}
