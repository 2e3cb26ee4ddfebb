import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { isAbsolute, relative } from "node:path";

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
export function isInside(dir: string, p: string): boolean {
  const rel = relative(dir, p);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

export interface SandboxLayout {
  workspace: string;
  cwd: string;
  /** Hidden (an empty tmpfs over it): the state dir with tokens, sessions and the audit log. */
  hide: string[];
  /** Visible read-only even inside the writable workspace: skill folders, the config. */
  readOnly: string[];
}

/** The bwrap argv that runs `argv` inside the sandbox. Mount order matters: later mounts cover earlier ones. */
export function sandboxArgv(bwrap: string, layout: SandboxLayout, argv: string[]): string[] {
  const { workspace } = layout;
  const out = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"];
  const hideOutside = layout.hide.filter((h) => existsSync(h) && !isInside(h, workspace) && !isInside(workspace, h) && !isInside("/tmp", h));
  const hideInside = layout.hide.filter((h) => existsSync(h) && isInside(workspace, h));
  for (const h of hideOutside) out.push("--tmpfs", h);
  // A read-only path that holds the workspace (the package itself under /tmp, say) is
  // mounted before the workspace, or its read-only bind would cover the writable one.
  const ro = layout.readOnly.filter((r) => existsSync(r));
  for (const r of ro) if (isInside(r, workspace)) out.push("--ro-bind", r, r);
  out.push("--bind", workspace, workspace);
  for (const h of hideInside) out.push("--tmpfs", h);
  for (const r of ro) if (!isInside(r, workspace)) out.push("--ro-bind", r, r);
  out.push("--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--chdir", layout.cwd, "--", ...argv);
  return out;
}
