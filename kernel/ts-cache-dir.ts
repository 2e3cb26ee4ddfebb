/**
 * The folder of the TypeScript compiler's caches (the V8 code cache of typescript.js and
 * the startup snapshots of kernel/ts-snapshot.ts): $XDG_CACHE_HOME/openclaw-kernel or
 * ~/.cache/openclaw-kernel; OPENCLAW_TS_CODE_CACHE=0 turns both off, any other value
 * names the folder.
 */
import { homedir } from "node:os";
import { join } from "node:path";

export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.OPENCLAW_TS_CODE_CACHE;
  if (v === "0") return undefined;
  if (v) return v;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "openclaw-kernel");
}
