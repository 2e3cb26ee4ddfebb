import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { applyPatch as applyHunks, parsePatch, type StructuredPatch } from "diff";
import { isInside } from "../exec/sandbox.js";

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
  if (existsSync(abs) && lstatSync(abs).isSymbolicLink()) return deny("applyPatch.symlink", `${rel} is a symbolic link; patch its target instead`);
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
    out.push({ path: rel, abs: c.abs, before, after });
  }
  return out;
}

/**
 * Writes the plan all-or-nothing: every new content goes to a temp file beside its
 * target first, then the renames; if one fails, the files already replaced get their
 * old content back.
 */
export function commitPatch(plan: PlannedFile[]): void {
  const tmp = new Map<PlannedFile, string>();
  const done: PlannedFile[] = [];
  try {
    for (const f of plan) {
      if (f.after === null) continue;
      mkdirSync(dirname(f.abs), { recursive: true });
      const t = `${f.abs}.oc-patch-${randomBytes(4).toString("hex")}`;
      writeFileSync(t, f.after, { mode: f.before !== null ? statSync(f.abs).mode & 0o777 : 0o644, flag: "wx" });
      tmp.set(f, t);
    }
    for (const f of plan) {
      if (f.after === null) unlinkSync(f.abs);
      else renameSync(tmp.get(f)!, f.abs);
      tmp.delete(f);
      done.push(f);
    }
  } catch (e) {
    for (const t of tmp.values()) {
      try {
        unlinkSync(t);
      } catch {
        /* already gone */
      }
    }
    for (const f of done.reverse()) {
      try {
        if (f.before === null) unlinkSync(f.abs);
        else writeFileSync(f.abs, f.before);
      } catch {
        /* best effort: the error below names the patch as failed */
      }
    }
    throw e;
  }
}

/** Workspace-relative display path. */
export function relPath(ws: string, abs: string): string {
  return relative(ws, abs).split(sep).join("/");
}
