/**
 * A Node startup snapshot of the TypeScript compiler (kernel/assets/ts-snapshot-entry.cjs):
 * typescript.js and tslab's converter loaded, and lib + @types/node + the prelude's types
 * parsed and bound, which is most of the first TypeScript cell's cost; deserializing the
 * ready heap is a fraction of it. One snapshot per user (the cache folder), Node binary,
 * tslab/typescript install and entry script serves every folder: the folder's own part
 * (tslab's converter, whose file names and module resolution come from the cwd) is made
 * after it loads, in the kernel's folder, and reuses a parse only for the same path and
 * text. Built in the background (lowest CPU priority, in an empty folder) after a kernel
 * warmed the compiler the slow way, when none exists.
 *
 * Truth: the manifest lists every JavaScript file whose code the snapshot holds (size,
 * mtime, ctime and inode); one changed and the snapshot is not used. Declaration files are
 * read again by every converter and compared whole with the cached parse's text, so a cell
 * is checked exactly as by a fresh converter. Owner-only files (0600 in a 0700 folder); a
 * file not ours, or writable by others, or in a folder others may write, is never loaded
 * (the blob is code).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { createRequire } from "node:module";
import { setPriority } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { safeCacheDir } from "../runtime/cache-dir.js";
import { pidAlive } from "../runtime/pid.js";

interface Manifest {
  key: string;
  /** Each JavaScript file loaded into the snapshot: its stamp when it was built. */
  modules: Record<string, string | null>;
}

/** How many snapshots are kept (each is ~50 MB; one per Node binary and install); the least recently used go first. */
export const KEEP_SNAPSHOTS = 3;

/** OPENCLAW_TS_SNAPSHOT=0 turns snapshots off (the compiler then always loads on a worker thread). */
export function snapshotsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OPENCLAW_TS_SNAPSHOT !== "0";
}

const entryFile = () => fileURLToPath(new URL("../../kernel/assets/ts-snapshot-entry.cjs", import.meta.url));
const converterFile = () => createRequire(import.meta.url).resolve("tslab/dist/converter.js");
/** The fast ES -> CommonJS step the snapshot's converter uses (kernel/assets/ts-fast-cjs.cjs). */
const fastCjsFile = () => fileURLToPath(new URL("../../kernel/assets/ts-fast-cjs.cjs", import.meta.url));

/** What a snapshot is for: this Node binary, this tslab install, this entry script (not the folder, not the prelude). */
function keyOf(): string {
  let entry = "";
  try {
    entry = readFileSync(entryFile(), "utf8");
  } catch {
    /* no entry: no build will succeed either */
  }
  let bin = "";
  try {
    const s = statSync(process.execPath);
    bin = `${s.size}:${s.mtimeMs}`;
  } catch {
    /* an unknown binary still keys by version and path */
  }
  return createHash("sha256").update([process.version, process.arch, process.execPath, bin, converterFile(), entry].join("\0")).digest("hex").slice(0, 24);
}

function paths(dir: string, key: string) {
  return { blob: join(dir, `ts-snapshot-${key}.blob`), manifest: join(dir, `ts-snapshot-${key}.json`) };
}

/** Ours, of the kind asked for, and writable by nobody else (so nobody can swap it either). */
function safe(p: string, kind: "file" | "dir"): boolean {
  const s = statSync(p, { throwIfNoEntry: false });
  return !!s && (kind === "file" ? s.isFile() : s.isDirectory()) && (process.getuid === undefined || s.uid === process.getuid()) && (s.mode & 0o022) === 0;
}

// statSync without throwing: most probes are of paths that do not exist (module resolution),
// and an exception per probe would cost more than the check saves.
const stat = (p: string) => statSync(p, { throwIfNoEntry: false });

// ctime and inode too: an edit that keeps the size and restores the mtime (touch -r) still changes them.
function stamp(file: string): string | null {
  const s = stat(file);
  return s ? `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}` : null;
}

/** Why the manifest no longer holds (a module file changed), or undefined when it does. */
export function staleReason(m: Manifest, key: string): string | undefined {
  if (m.key !== key) return "key";
  if (!m.modules || typeof m.modules !== "object" || !Object.keys(m.modules).length) return "no modules";
  for (const [f, s] of Object.entries(m.modules)) if (stamp(f) !== s) return `file ${f}`;
  return undefined;
}

/** The blob to start the compiler from (in any folder), when a current one exists. */
export function findSnapshot(dir: string | undefined): string | undefined {
  if (!dir) return undefined;
  const key = keyOf();
  const p = paths(dir, key);
  if (!safeCacheDir(dir, false) || !safe(p.blob, "file") || !safe(p.manifest, "file")) return undefined;
  try {
    const m = JSON.parse(readFileSync(p.manifest, "utf8")) as Manifest;
    if (staleReason(m, key)) return undefined;
    // Marks it used (pruning keeps the most recently used).
    const now = new Date();
    utimesSync(p.blob, now, now);
  } catch {
    return undefined;
  }
  return p.blob;
}

/** Removes a snapshot that failed to start, so the next kernel builds it again. */
export function dropSnapshot(blob: string): void {
  rmSync(blob, { force: true });
  rmSync(blob.replace(/\.blob$/, ".json"), { force: true });
}

let building: Promise<boolean> | undefined;

/**
 * Builds the snapshot (its parse cache warmed with `prelude`'s types) in a child process at
 * the lowest CPU priority, in an empty folder of its own; resolves true once it is in place.
 * One build at a time per process.
 */
export function buildSnapshot(dir: string, prelude: string): Promise<boolean> {
  return (building ??= doBuild(dir, prelude).finally(() => (building = undefined)));
}

/** The running build's process, killed when the compiler closes or this process exits. */
let buildChild: ChildProcess | undefined;
const killBuild = () => {
  try {
    buildChild?.kill("SIGKILL");
  } catch {
    /* already gone */
  }
};

/** Ends a running snapshot build (its leftovers are removed by the build's own cleanup). */
export function stopSnapshotBuild(): void {
  killBuild();
}

async function doBuild(dir: string, prelude: string): Promise<boolean> {
  const key = keyOf();
  // Ours, a real folder, writable by nobody else (created 0700 when absent, never chmod-ed):
  // otherwise no build (the child loads code named by the job, and the blob is code).
  if (!safeCacheDir(dir, true)) return false;
  prune(dir);
  const final = paths(dir, key);
  const tmp = join(dir, `ts-snapshot-${key}.${process.pid}.tmp`);
  // The build's folder: empty and ours (nothing of a user's folder goes into the snapshot).
  const cwd = `${tmp}.cwd`;
  const cleanup = () => {
    for (const f of [`${tmp}.blob`, `${tmp}.json`, cwd]) rmSync(f, { force: true, recursive: true });
  };
  try {
    // A leftover of an earlier process with our pid goes first (the folder must be empty and ours).
    rmSync(cwd, { force: true, recursive: true });
    mkdirSync(cwd, { mode: 0o700 });
    // The job goes on the command line: no file anybody could swap before the child reads it.
    const job = JSON.stringify({ manifest: `${tmp}.json`, prelude, converter: converterFile(), key, fastCjs: fastCjsFile() });
    const ok = await new Promise<boolean>((resolve) => {
      // No environment: the build needs none, and a child gets no secrets.
      const child = spawn(process.execPath, ["--snapshot-blob", `${tmp}.blob`, "--build-snapshot", entryFile(), job], { cwd, env: {}, stdio: process.env.OPENCLAW_TS_SNAPSHOT_DEBUG ? "inherit" : "ignore" });
      buildChild = child;
      process.once("exit", killBuild);
      child.on("error", () => resolve(false));
      child.on("exit", (code) => resolve(code === 0));
      try {
        if (child.pid) setPriority(child.pid, 19);
      } catch {
        /* a build at normal priority still finishes */
      }
      child.unref();
    }).finally(() => {
      buildChild = undefined;
      process.removeListener("exit", killBuild);
    });
    if (!ok || !existsSync(`${tmp}.blob`) || !existsSync(`${tmp}.json`)) return false;
    chmodSync(`${tmp}.blob`, 0o600);
    renameSync(`${tmp}.json`, final.manifest);
    renameSync(`${tmp}.blob`, final.blob);
    prune(dir);
    return true;
  } catch {
    return false;
  } finally {
    cleanup();
  }
}


/** Keeps the KEEP_SNAPSHOTS most recently used snapshots; removes leftovers of builds whose process is gone (or over an hour old). */
function prune(dir: string): void {
  try {
    const names = readdirSync(dir);
    const blobs = names
      .filter((n) => /^ts-snapshot-[0-9a-f]+\.blob$/.test(n))
      .map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { n } of blobs.slice(KEEP_SNAPSHOTS)) dropSnapshot(join(dir, n));
    for (const n of names.filter((x) => /^ts-snapshot-.*\.tmp/.test(x))) {
      const f = join(dir, n);
      const pid = Number(/\.(\d+)\.tmp/.exec(n)?.[1]);
      // A dead builder's leftovers go now; a live one's (another kernel building) only once old.
      if ((pid !== process.pid && !(pid > 0 && pidAlive(pid))) || Date.now() - statSync(f).mtimeMs > 3_600_000) rmSync(f, { force: true, recursive: true });
    }
  } catch {
    /* pruning is best effort */
  }
}
