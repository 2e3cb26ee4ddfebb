import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import { isInside, realOrResolved } from "../paths.js";

/**
 * bubblewrap: read-only root, the workspace writable, a private /tmp, no network
 * (--unshare-all), no capabilities (we may be root), the child dies with us
 * (--die-with-parent) and cannot reach our terminal (--new-session).
 * Looked up at fixed system paths only: trusting $PATH would let whoever controls it
 * swap the sandbox for a no-op.
 */
export const BWRAP_CANDIDATES = ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"];

export interface SandboxProbe {
  available: boolean;
  path: string | null;
  /** Why it is not available (missing, or present but cannot create namespaces here). */
  reason: string | null;
}

const probes = new Map<string, SandboxProbe>();

/** Finds bubblewrap and checks it can actually build a sandbox here (user namespaces may be off). Cached. */
export function probeSandbox(candidates: string[] = BWRAP_CANDIDATES): SandboxProbe {
  const key = candidates.join(":");
  const hit = probes.get(key);
  if (hit) return hit;
  let res: SandboxProbe;
  const path = candidates.find((p) => existsSync(p)) ?? null;
  if (!path) res = { available: false, path: null, reason: `bubblewrap not found (looked at ${candidates.join(", ")})` };
  else {
    const r = spawnSync(path, ["--ro-bind", "/", "/", "--dev", "/dev", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--", "/bin/true"], { stdio: ["ignore", "ignore", "pipe"], timeout: 5000 });
    res = r.status === 0 ? { available: true, path, reason: null } : { available: false, path, reason: `${path} cannot create a sandbox here: ${(r.stderr?.toString() || r.error?.message || `exit ${r.status}`).trim()}` };
  }
  probes.set(key, res);
  return res;
}

/** Is `p` equal to or inside `dir` (both absolute, already real paths)? */
export { isInside, realOrResolved };

/**
 * Read-only paths inside the writable workspace that do not exist yet (a skills.dirs entry,
 * the workspace's .git) are created empty before the run, so the sandbox can mount them
 * read-only: otherwise a skill could create them (a skill folder loaded as trusted next
 * time, a .git with a hostile config). An empty folder is inert: git's discovery skips a
 * .git without HEAD, and `git init` still works in it. Returns the folders created.
 */
export function makeReadOnlyPlaceholders(workspace: string, readOnly: string[]): string[] {
  const ws = realOrResolved(workspace);
  const made: string[] = [];
  for (const p of readOnly) {
    const r = realOrResolved(p);
    if (r === ws || !isInside(ws, r) || existsSync(r)) continue;
    try {
      mkdirSync(r, { recursive: true, mode: 0o755 });
      made.push(r);
    } catch {
      /* a file or a dangling link in the way: sandboxArgv mounts what is there */
    }
  }
  return made;
}

export interface SandboxLayout {
  workspace: string;
  cwd: string;
  /** Hidden (an empty tmpfs over it): the state dir with tokens, sessions and the audit log. */
  hide: string[];
  /** Visible read-only even inside the writable workspace: skill folders, the config. */
  readOnly: string[];
}

/**
 * The bwrap argv that runs `argv` inside the sandbox. Mounts are applied shallowest path
 * first, so the most specific one wins wherever they nest: a read-only package under /tmp
 * holding the writable workspace, a hidden state dir inside that package, the RAG index
 * re-exposed read-only inside the hidden state dir, read-only skill folders inside the
 * workspace.
 */
export function sandboxArgv(bwrap: string, layout: SandboxLayout, argv: string[]): string[] {
  // Mount by real path: bwrap refuses (or mounts elsewhere) a destination that goes through a
  // symlink, e.g. a symlinked OPENCLAW_STATE_DIR or workspace.
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  layout = { workspace: real(layout.workspace), cwd: real(layout.cwd), hide: layout.hide.map(real), readOnly: layout.readOnly.map(real) };
  const { workspace } = layout;
  type Mount = { path: string; args: string[] };
  const mounts: Mount[] = [{ path: "/tmp", args: ["--tmpfs", "/tmp"] }];
  // The workspace itself is never read-only, even when a read-only list names it (a skill
  // registered from a notebook cell has the workspace as its folder).
  for (const r of layout.readOnly) if (existsSync(r) && resolve(r) !== resolve(workspace)) mounts.push({ path: r, args: ["--ro-bind", r, r] });
  mounts.push({ path: workspace, args: ["--bind", workspace, workspace] });
  // A hidden folder that holds the workspace is hidden too: the workspace's own bind is
  // deeper, so it comes back on top of the tmpfs and nothing else of the folder shows.
  for (const h of layout.hide) if (existsSync(h)) mounts.push({ path: h, args: ["--tmpfs", h] });
  const depth = (p: string) => resolve(p).split("/").filter(Boolean).length;
  const ordered = mounts.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.path) - depth(b.m.path) || a.i - b.i);
  const out = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"];
  for (const { m } of ordered) out.push(...m.args);
  out.push("--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--chdir", layout.cwd, "--", ...argv);
  return out;
}

/**
 * Runs /bin/true inside the sandbox built for this very layout (real workspace, hidden
 * state dir): null when it works, else bwrap's complaint. doctor uses it so an OK means
 * the runs will start, not merely that bwrap exists.
 */
export function probeLayout(bwrap: string, layout: SandboxLayout): string | null {
  const r = spawnSync(bwrap, sandboxArgv(bwrap, layout, ["/bin/true"]), { stdio: ["ignore", "ignore", "pipe"], timeout: 5000 });
  return r.status === 0 ? null : (r.stderr?.toString() || r.error?.message || `exit ${r.status}`).trim();
}
