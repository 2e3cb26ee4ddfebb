/**
 * A Node startup snapshot of the TypeScript compiler with its program already built
 * (kernel/assets/ts-snapshot-entry.cjs), per folder: parsing and binding lib +
 * @types/node + the prelude is most of the first TypeScript cell's cost, and
 * deserializing the ready heap is a fraction of it. Built in the background (lowest CPU
 * priority) after a kernel warmed the compiler the slow way; used by the next kernel that
 * starts in the same folder with the same Node, prelude and files.
 *
 * Truth: the snapshot's manifest lists every file the build read (size, mtime, ctime and inode) and
 * every path it probed (exists, directory listing, realpath); one changed answer and the
 * snapshot is not used, so a cell is checked exactly as by a fresh converter. Owner-only
 * files (0600 in a 0700 folder); a file not ours, or writable by others, or in a folder others
 * may write, is never loaded (the blob is code).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { createRequire } from "node:module";
import { setPriority } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { safeCacheDir } from "./ts-cache-dir.js";
import { pidAlive } from "../runtime/pid.js";

interface Manifest {
  key: string;
  cwd: string;
  probes: {
    files: Record<string, string | null>;
    exists: Record<string, boolean>;
    dirs: Record<string, boolean>;
    lists: Record<string, string[]>;
    realpaths: Record<string, string>;
  };
}

/** How many folders' snapshots are kept (each is ~50 MB); the least recently used go first. */
export const KEEP_SNAPSHOTS = 3;

/** OPENCLAW_TS_SNAPSHOT=0 turns snapshots off (the compiler then always loads on a worker thread). */
export function snapshotsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OPENCLAW_TS_SNAPSHOT !== "0";
}

const entryFile = () => fileURLToPath(new URL("../../kernel/assets/ts-snapshot-entry.cjs", import.meta.url));
const converterFile = () => createRequire(import.meta.url).resolve("tslab/dist/converter.js");

/** What a snapshot is for: this Node binary, this folder, this prelude, this entry script. */
function keyOf(cwd: string, prelude: string): string {
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
  return createHash("sha256").update([process.version, process.arch, process.execPath, bin, cwd, prelude, entry].join("\0")).digest("hex").slice(0, 24);
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

function isFile(p: string): boolean {
  return stat(p)?.isFile() ?? false;
}

function isDir(p: string): boolean {
  return stat(p)?.isDirectory() ?? false;
}

function listDirs(p: string): string[] {
  try {
    return readdirSync(p, { withFileTypes: true })
      .filter((d) => d.isDirectory() || (d.isSymbolicLink() && isDir(join(p, d.name))))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Why the manifest no longer holds, or undefined when every answer is the same. */
export function staleReason(m: Manifest, key: string, cwd: string): string | undefined {
  if (m.key !== key) return "key";
  if (m.cwd !== cwd) return "cwd";
  for (const [f, s] of Object.entries(m.probes.files)) if (stamp(f) !== s) return `file ${f}`;
  for (const [f, e] of Object.entries(m.probes.exists)) if (isFile(f) !== e) return `exists ${f}`;
  for (const [d, e] of Object.entries(m.probes.dirs)) if (isDir(d) !== e) return `dir ${d}`;
  for (const [d, l] of Object.entries(m.probes.lists)) if (listDirs(d).join("\0") !== l.join("\0")) return `list ${d}`;
  for (const [p, r] of Object.entries(m.probes.realpaths)) if (real(p) !== r) return `realpath ${p}`;
  return undefined;
}

/** The blob to start the compiler from, when a current one exists for this folder and prelude. */
export function findSnapshot(dir: string | undefined, cwd: string, prelude: string): string | undefined {
  if (!dir) return undefined;
  const key = keyOf(cwd, prelude);
  const p = paths(dir, key);
  if (!safeCacheDir(dir, false) || !safe(p.blob, "file") || !safe(p.manifest, "file")) return undefined;
  try {
    const m = JSON.parse(readFileSync(p.manifest, "utf8")) as Manifest;
    if (staleReason(m, key, cwd)) return undefined;
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
 * Builds the snapshot for this folder and prelude in a child process at the lowest CPU
 * priority; resolves true once it is in place. One build at a time per process.
 */
export function buildSnapshot(dir: string, cwd: string, prelude: string): Promise<boolean> {
  return (building ??= doBuild(dir, cwd, prelude).finally(() => (building = undefined)));
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

async function doBuild(dir: string, cwd: string, prelude: string): Promise<boolean> {
  const key = keyOf(cwd, prelude);
  // Ours, a real folder, writable by nobody else (created 0700 when absent, never chmod-ed):
  // otherwise no build (the child loads code named by the job, and the blob is code).
  if (!safeCacheDir(dir, true)) return false;
  prune(dir);
  const final = paths(dir, key);
  const tmp = join(dir, `ts-snapshot-${key}.${process.pid}.tmp`);
  const cleanup = () => {
    for (const f of [`${tmp}.blob`, `${tmp}.json`]) rmSync(f, { force: true });
  };
  try {
    // The job goes on the command line: no file anybody could swap before the child reads it.
    const job = JSON.stringify({ manifest: `${tmp}.json`, prelude, converter: converterFile(), key });
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
      if ((pid !== process.pid && !(pid > 0 && pidAlive(pid))) || Date.now() - statSync(f).mtimeMs > 3_600_000) rmSync(f, { force: true });
    }
  } catch {
    /* pruning is best effort */
  }
}
