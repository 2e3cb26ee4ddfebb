/**
 * The folder of the TypeScript compiler's caches (the V8 code cache of typescript.js and
 * the startup snapshots of kernel/ts-snapshot.ts): $XDG_CACHE_HOME/openclaw-kernel or
 * ~/.cache/openclaw-kernel; OPENCLAW_TS_CODE_CACHE=0 turns both off, any other value
 * names the folder.
 */
import { lstatSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.OPENCLAW_TS_CODE_CACHE;
  if (v === "0") return undefined;
  if (v) return v;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "openclaw-kernel");
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
