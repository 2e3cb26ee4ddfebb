import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
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

export function listForeign(stateDir: string, exclude: Set<string>): ExecSessionInfo[] {
  const root = join(stateDir, "exec");
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch {
    return [];
  }
  const out: ExecSessionInfo[] = [];
  for (const n of names) {
    if (exclude.has(n)) continue;
    const m = readMeta(join(root, n));
    if (m && m.background && m.hostPid !== process.pid) {
      const { hostPid: _h, startTicks: _s, background: _b, ...info } = liveStatus(m);
      out.push({ ...info, foreign: true });
    }
  }
  return out;
}

/** The tail of a log file (at most `cap` bytes), its size and the sha256 of all of it. */
function readLog(path: string, cap: number): { text: string; bytes: number; sha256: string; truncated: boolean } {
  if (!existsSync(path)) return { text: "", bytes: 0, sha256: createHash("sha256").digest("hex"), truncated: false };
  const all = readFileSync(path);
  const tail = all.length > cap ? all.subarray(all.length - cap) : all;
  return { text: tail.toString("utf8"), bytes: all.length, sha256: createHash("sha256").update(all).digest("hex"), truncated: all.length > cap };
}

export function foreignResult(dir: string, meta: ForeignMeta, cap: number): ExecResult {
  const m = liveStatus(meta);
  const out = readLog(join(dir, "stdout.log"), cap);
  const err = readLog(join(dir, "stderr.log"), cap);
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
