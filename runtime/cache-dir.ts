/**
 * The folder of the package's caches (the V8 code cache of typescript.js, the startup
 * snapshots of kernel/ts-snapshot.ts, the built USE-lite ONNX model of runtime/rag):
 * $XDG_CACHE_HOME/openclaw-kernel or ~/.cache/openclaw-kernel; OPENCLAW_TS_CODE_CACHE=0 turns
 * them off, any other absolute path names the folder (a relative one turns them off).
 */
import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";

export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.OPENCLAW_TS_CODE_CACHE;
  if (v === "0") return undefined;
  // a relative folder would mean another place in each process's cwd (a notebook folder): no cache
  if (v) return isAbsolute(v) ? v : undefined;
  // a relative XDG_CACHE_HOME is invalid (the XDG base directory spec: ignore it); a home that is not absolute names no cache
  const xdg = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  const dir = join(xdg ?? join(homedir(), ".cache"), "openclaw-kernel");
  return isAbsolute(dir) ? dir : undefined;
}

/**
 * The cache folder, when it is safe to read code from and write code to: a real directory
 * (not a symlink), ours, and writable by nobody else. Created owner-only when absent (with
 * `create`); never chmod-ed (as root, chmod would succeed on another user's folder, who could
 * then swap our files). Undefined when it is not safe: callers then use no cache at all.
 */
export function safeCacheDir(dir: string | undefined, create: boolean): string | undefined {
  if (!dir) return undefined;
  let s = lstatSync(dir, { throwIfNoEntry: false });
  if (!s && create) {
    try {
      mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
      mkdirSync(dir, { mode: 0o700 });
    } catch {
      /* lost a race or cannot create: judged below */
    }
    s = lstatSync(dir, { throwIfNoEntry: false });
  }
  if (!s || !s.isDirectory() || (s.mode & 0o022) !== 0) return undefined;
  if (process.getuid !== undefined && s.uid !== process.getuid()) return undefined;
  return dir;
}

/**
 * A cache file's bytes when the folder is safe and the file is a regular file of ours that
 * nobody else may write (opened without following a symlink); else undefined (a miss).
 */
export function readCacheFile(dir: string | undefined, name: string): Buffer | undefined {
  if (!safeCacheDir(dir, false)) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(join(dir!, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = fstatSync(fd);
    if (!st.isFile() || (process.getuid !== undefined && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes a cache file (0600, through a temp file and a rename) into a safe folder; false when it could not. */
export function writeCacheFile(dir: string | undefined, name: string, data: Uint8Array): boolean {
  if (!safeCacheDir(dir, true)) return false;
  const file = join(dir!, name);
  // (worker threads share the pid: the thread id and a random part keep two writers apart)
  // (not a secret: O_EXCL below refuses a name that exists; node:crypto is not loaded for this)
  // (node:worker_threads is loaded only here: config validate reads this module and writes nothing)
  const { threadId } = process.getBuiltinModule?.("node:worker_threads") ?? { threadId: 0 };
  const tmp = `${file}.${process.pid}-${threadId}-${Math.random().toString(36).slice(2, 10)}.tmp`;
  let fd: number | undefined;
  try {
    rmSync(tmp, { force: true });
    // created here, never through a symlink or over a file someone planted (O_EXCL, O_NOFOLLOW)
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    fchmodSync(fd, 0o600);
    writeFileSync(fd, data);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
    return true;
  } catch {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    return false;
  }
}

/**
 * Removes the cache files whose names start with `prefix` beyond the `keep` most recently
 * written (each install of the package keys its own copies, so old ones would pile up), and
 * temp files and folders of that prefix a killed writer left. Only files and folders of ours in
 * a safe folder (never through a symlink); a file another process still reads stays readable.
 */
export function pruneCacheFiles(dir: string | undefined, prefix: string, keep: number): void {
  if (!safeCacheDir(dir, false)) return;
  try {
    const files = readdirSync(dir!)
      .filter((n) => n.startsWith(prefix))
      .map((n) => ({ n, s: lstatSync(join(dir!, n)) }))
      .filter(({ s }) => (s.isFile() || s.isDirectory()) && (process.getuid === undefined || s.uid === process.getuid()));
    // a temp file or folder whose writer died (killed mid-write) is removed once it is old enough that no writer is still at it
    for (const { n, s } of files) if ((n.endsWith(".tmp") || s.isDirectory()) && Date.now() - s.mtimeMs > STALE_TMP_MS) rmSync(join(dir!, n), { recursive: true, force: true });
    const kept = files.filter(({ n, s }) => s.isFile() && !n.endsWith(".tmp")).sort((a, b) => b.s.mtimeMs - a.s.mtimeMs);
    for (const { n } of kept.slice(keep)) rmSync(join(dir!, n), { force: true });
  } catch {
    /* a cache left as it is costs only disk */
  }
}

/** A cache temp file older than this has no writer left (a write takes well under a second). */
const STALE_TMP_MS = 10 * 60_000;
