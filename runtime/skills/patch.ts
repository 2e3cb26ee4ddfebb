import { randomBytes } from "node:crypto";
import { closeSync, constants as FS, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, realpathSync, renameSync, unlinkSync, writeSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { applyPatch as applyHunks, parsePatch, type StructuredPatch } from "diff";
import { isInside } from "../paths.js";

/** The built-in tool a model sees when the applyPatch gate allows its ref. */
export const APPLY_PATCH_TOOL = {
  name: "apply_patch",
  description: "Apply a unified diff (git diff / diff -u format) to files in the workspace. All hunks apply or none do. Paths are relative to the workspace; .git, the config, skill folders and the state dir are off limits.",
  parameters: {
    type: "object",
    properties: { patch: { type: "string", description: "The unified diff, with --- a/path and +++ b/path headers." } },
    required: ["patch"],
    additionalProperties: false,
  },
};

export interface PlannedFile {
  /** Workspace-relative path as given in the patch. */
  path: string;
  abs: string;
  before: string | null;
  /** null: delete the file. */
  after: string | null;
  /** The limits it was planned under: commitPatch walks from limits.workspace again, no-follow. */
  limits: PatchLimits;
  /** Path components below the workspace. */
  parts: string[];
}

export interface PatchDenial {
  rule: string;
  reason: string;
  /** "denied" for a policy refusal, "failed" for a patch that does not apply. */
  status: "denied" | "failed";
}

export interface PatchLimits {
  /** The workspace's real path. */
  workspace: string;
  /** Real paths no patch may touch (state dir, skill folders, audit log). */
  forbidden: string[];
  /** Files no patch may touch wherever they are (the config file). */
  forbiddenFiles: string[];
}

function stripPrefix(name: string | undefined): string | null {
  if (!name || name === "/dev/null") return null;
  const n = name.split("\t")[0]!.trim();
  return /^[ab]\//.test(n) ? n.slice(2) : n;
}

/** The real path `abs` would have: the deepest existing ancestor resolved, the rest appended. */
function realTarget(abs: string): string {
  let cur = abs;
  const rest: string[] = [];
  while (!existsSync(cur)) {
    rest.unshift(basename(cur));
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  return join(realpathSync(cur), ...rest);
}

const deny = (rule: string, reason: string): PatchDenial => ({ rule, reason, status: "denied" });

/** Does `dir` look like a git directory (HEAD, objects and refs)? */
function looksLikeGitDir(dir: string): boolean {
  try {
    const names = new Set(readdirSync(dir));
    return names.has("HEAD") && names.has("objects") && names.has("refs");
  } catch {
    return false;
  }
}

/** The first folder from the workspace down to `real` named .git or looking like a git directory, or null. */
function gitDirAlong(ws: string, real: string): string | null {
  const parts = relative(ws, real).split(sep).filter(Boolean);
  let cur = ws;
  for (const [i, p] of parts.entries()) {
    cur = join(cur, p);
    if (p.toLowerCase() === ".git") return cur;
    if (i < parts.length - 1 && looksLikeGitDir(cur)) return cur;
  }
  return null;
}

/** The first symbolic link among the existing folders between the workspace and `abs`, or null. */
function symlinkAlong(ws: string, abs: string): string | null {
  const parts = relative(ws, abs).split(sep).filter(Boolean);
  let cur = ws;
  for (const p of parts.slice(0, -1)) {
    cur = join(cur, p);
    try {
      if (lstatSync(cur).isSymbolicLink()) return cur;
    } catch {
      return null;
    }
  }
  return null;
}

/** Checks one target path against containment and the no-go list. */
function checkPath(rel: string, lim: PatchLimits): { abs: string } | PatchDenial {
  if (!rel || rel.includes("\0")) return deny("applyPatch.path", "a file name is empty or contains NUL");
  if (isAbsolute(rel)) return deny("applyPatch.path", `${rel} is absolute; patches name workspace-relative paths`);
  if (rel.split(/[\\/]/).includes(".git")) return deny("applyPatch.git", `${rel} is inside .git/`);
  if (basename(rel) === "openclaw.json") return deny("applyPatch.config", `${rel} is an openclaw.json config`);
  const abs = resolve(lim.workspace, rel);
  let real: string;
  try {
    real = realTarget(abs);
  } catch (e) {
    return deny("applyPatch.path", `${rel}: ${(e as Error).message}`);
  }
  // Containment by real path: a symlink or ../ that leads out is refused (no string prefix test).
  if (!isInside(lim.workspace, real)) return deny("applyPatch.containment", `${rel} resolves to ${real}, outside the workspace ${lim.workspace}`);
  // .git by real path, at any depth: a symlink alias of .git (or of a nested repository's
  // .git), or a folder that is a git directory under another name, is refused.
  const gitHit = gitDirAlong(lim.workspace, real);
  if (gitHit) return deny("applyPatch.git", `${rel} resolves into ${gitHit}, a git directory (hooks and config there run code on the host)`);
  if (existsSync(abs) && lstatSync(abs).isSymbolicLink()) return deny("applyPatch.symlink", `${rel} is a symbolic link; patch its target instead`);
  // Every folder on the way must be a real folder: commitPatch walks them no-follow, so a
  // symlinked folder would fail there anyway; say so now, before asking for approval.
  const link = symlinkAlong(lim.workspace, abs);
  if (link) return deny("applyPatch.symlink", `${rel} goes through ${link}, a symbolic link; patch the real path instead`);
  if (lim.forbiddenFiles.includes(real)) return deny("applyPatch.config", `${rel} is the openclaw-kernel config`);
  const hit = lim.forbidden.find((f) => isInside(f, real));
  if (hit) return deny("applyPatch.protected", `${rel} is inside ${hit} (skill folders, the state dir and the audit log are off limits)`);
  return { abs };
}

/**
 * Parses the diff and computes every file's new content in memory. Nothing is written
 * here: a patch that fails anywhere changes nothing.
 */
export function planPatch(text: string, lim: PatchLimits): PlannedFile[] | PatchDenial {
  let parsed: StructuredPatch[];
  try {
    parsed = parsePatch(text);
  } catch (e) {
    return { rule: "applyPatch.parse", reason: `not a unified diff: ${(e as Error).message}`, status: "failed" };
  }
  parsed = parsed.filter((p) => p.hunks.length || p.oldFileName || p.newFileName);
  if (!parsed.length) return { rule: "applyPatch.parse", reason: "the patch changes no file (expected --- a/path, +++ b/path and @@ hunks)", status: "failed" };
  const out: PlannedFile[] = [];
  const seen = new Set<string>();
  for (const p of parsed) {
    const oldName = stripPrefix(p.oldFileName);
    const newName = stripPrefix(p.newFileName);
    if (oldName && newName && oldName !== newName) return deny("applyPatch.rename", `renaming ${oldName} to ${newName} is not supported; delete and create instead`);
    const rel = newName ?? oldName;
    if (!rel) return { rule: "applyPatch.parse", reason: "a file section has no name", status: "failed" };
    const c = checkPath(rel, lim);
    if ("rule" in c) return c;
    if (seen.has(c.abs)) return { rule: "applyPatch.parse", reason: `${rel} appears twice in the patch`, status: "failed" };
    seen.add(c.abs);
    const exists = existsSync(c.abs);
    if (exists && !statSync(c.abs).isFile()) return deny("applyPatch.path", `${rel} is not a regular file`);
    if (!oldName && exists) return { rule: "applyPatch.apply", reason: `${rel} already exists (the patch creates it)`, status: "failed" };
    if (oldName && !exists) return { rule: "applyPatch.apply", reason: `${rel} does not exist`, status: "failed" };
    const before = exists ? readFileSync(c.abs, "utf8") : null;
    let after: string | null;
    if (!newName) after = null;
    else {
      const r = applyHunks(before ?? "", p);
      if (r === false) return { rule: "applyPatch.apply", reason: `a hunk does not apply to ${rel} (the file differs from the patch's context); nothing was changed`, status: "failed" };
      after = r;
    }
    out.push({ path: rel, abs: c.abs, before, after, limits: lim, parts: relative(lim.workspace, c.abs).split(sep) });
  }
  return out;
}

/** Thrown by commitPatch when the workspace changed under it (a folder swapped for a symlink). */
export class PatchRaceError extends Error {}

const O_DIR = FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW;
/** A name inside the folder open as `fd`: the kernel resolves /proc/self/fd/N to that very folder, whatever its path is now. */
const at = (fd: number, name: string) => `/proc/self/fd/${fd}/${name}`;

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/**
 * Opens the folder `parts` below the workspace one component at a time, each with
 * O_NOFOLLOW relative to the folder opened before (openat semantics through
 * /proc/self/fd), creating missing ones when `create`. A component that is (or has just
 * become) a symbolic link fails with ELOOP/ENOTDIR instead of being followed, so a
 * concurrent swap of a folder for a link to the outside cannot redirect the write. The
 * folder reached is checked once more by its real path (readlink of the fd).
 */
function openParent(lim: PatchLimits, parts: string[], create: boolean): number {
  // Fail closed where there is no /proc (not Linux): no race-safe way to write from Node there.
  if (!existsSync("/proc/self/fd")) throw new PatchRaceError("apply_patch writes through /proc/self/fd (Linux); this host has no /proc, so nothing is written");
  let fd = openSync(lim.workspace, O_DIR);
  try {
    for (const p of parts) {
      if (!p || p === "." || p === ".." || p.includes("/")) throw new PatchRaceError(`bad path component "${p}"`);
      if (p.toLowerCase() === ".git") throw new PatchRaceError(`a .git folder is on the way`);
      let next: number;
      try {
        next = openSync(at(fd, p), O_DIR);
      } catch (e) {
        if (code(e) === "ENOENT" && create) {
          try {
            mkdirSync(at(fd, p), 0o755);
          } catch (e2) {
            if (code(e2) !== "EEXIST") throw e2;
          }
          next = openSync(at(fd, p), O_DIR);
        } else if (code(e) === "ELOOP" || code(e) === "ENOTDIR") throw new PatchRaceError(`${p} is no longer a folder (a symbolic link or a file took its place)`);
        else throw e;
      }
      closeSync(fd);
      fd = next;
    }
    const real = readlinkSync(`/proc/self/fd/${fd}`);
    if (!isInside(lim.workspace, real)) throw new PatchRaceError(`the folder is now at ${real}, outside the workspace`);
    const hit = lim.forbidden.find((f) => isInside(f, real));
    if (hit) throw new PatchRaceError(`the folder is now inside ${hit}`);
    if (gitDirAlong(lim.workspace, real) || looksLikeGitDir(real)) throw new PatchRaceError(`the folder ${real} is a git directory`);
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** The content of `name` in folder `dirFd` (no-follow), null when absent; its mode. */
function readAt(dirFd: number, name: string): { text: string | null; mode: number } {
  let fd: number;
  try {
    fd = openSync(at(dirFd, name), FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK);
  } catch (e) {
    if (code(e) === "ENOENT") return { text: null, mode: 0o644 };
    if (code(e) === "ELOOP") throw new PatchRaceError(`${name} became a symbolic link`);
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new PatchRaceError(`${name} is no longer a regular file`);
    return { text: readFileSync(fd, "utf8"), mode: st.mode & 0o777 };
  } finally {
    closeSync(fd);
  }
}

/** Writes `text` to a fresh temp file beside `name` (O_EXCL, no-follow); returns the temp name. */
function writeTemp(dirFd: number, name: string, text: string, mode: number): string {
  const t = `${name}.oc-patch-${randomBytes(4).toString("hex")}`;
  const fd = openSync(at(dirFd, t), FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW, mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return t;
}

/**
 * Writes the plan all-or-nothing, race-safe: each target's folder is reached from the
 * workspace by a no-follow walk (openParent) and held open as a descriptor; the file's
 * current content is re-read through it and must still be what was planned (and
 * approved); the new content goes to an O_EXCL temp file in that same folder, then the
 * renames, all relative to the held descriptors. If any step fails, the temp files are
 * removed and the files already replaced get their old content back.
 */
export function commitPatch(plan: PlannedFile[]): void {
  const dirs = new Map<PlannedFile, number>();
  const tmp = new Map<PlannedFile, string>();
  const done: PlannedFile[] = [];
  try {
    for (const f of plan) {
      const dirFd = openParent(f.limits, f.parts.slice(0, -1), f.after !== null);
      dirs.set(f, dirFd);
      const name = f.parts[f.parts.length - 1]!;
      const now = readAt(dirFd, name);
      if (now.text !== f.before) throw new PatchRaceError(`${f.path} changed since the patch was planned; nothing was written`);
      if (f.after !== null) tmp.set(f, writeTemp(dirFd, name, f.after, now.mode));
    }
    for (const f of plan) {
      const dirFd = dirs.get(f)!;
      const name = f.parts[f.parts.length - 1]!;
      if (f.after === null) unlinkSync(at(dirFd, name));
      else renameSync(at(dirFd, tmp.get(f)!), at(dirFd, name));
      tmp.delete(f);
      done.push(f);
    }
  } catch (e) {
    for (const [f, t] of tmp) {
      try {
        unlinkSync(at(dirs.get(f)!, t));
      } catch {
        /* already gone */
      }
    }
    for (const f of done.reverse()) {
      const dirFd = dirs.get(f)!;
      const name = f.parts[f.parts.length - 1]!;
      try {
        if (f.before === null) unlinkSync(at(dirFd, name));
        else renameSync(at(dirFd, writeTemp(dirFd, name, f.before, 0o644)), at(dirFd, name));
      } catch {
        /* best effort: the error below names the patch as failed */
      }
    }
    throw e;
  } finally {
    for (const fd of dirs.values()) closeSync(fd);
  }
}

/** Workspace-relative display path. */
export function relPath(ws: string, abs: string): string {
  return relative(ws, abs).split(sep).join("/");
}
