import { existsSync, realpathSync } from "node:fs";
import { release } from "node:os";
import { BWRAP_CANDIDATES, sandboxHealth } from "../../governor/probe.js";
import { cachedNote, cachedProbe, fileContents, fileStamp } from "../probe-cache.js";
import { fail, ok, warn, type Check, type CheckProvider } from "../types.js";

/** Kernel settings that decide whether an unprivileged user may build a sandbox. */
const USERNS_SETTINGS = ["/proc/sys/kernel/unprivileged_userns_clone", "/proc/sys/user/max_user_namespaces", "/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "/proc/sys/kernel/apparmor_restrict_unprivileged_unconfined"];

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return `${p} (missing)`;
  }
};

/** Can bubblewrap actually build a sandbox here, and what does the configured mode make of that? */
export const checks: CheckProvider = async ({ checked, env }) => {
  const c = checked.config;
  if (!c) return [];
  const mode = c.tools.exec.sandbox;
  if (mode === "off") return []; // base checks already warn that the sandbox is off
  const out: Check[] = [];
  // The real layout too (workspace bound, state dir hidden, both by real path): bwrap can
  // work in general and still fail on this config's folders.
  const ws = c.agentDefaults.workspace;
  const layout = { workspace: ws, stateDir: c.stateDir, workspaceExists: existsSync(ws) };
  // Two sandboxes started per run, so a passing answer is cached (probe-cache.ts) under the
  // binaries' identity, the user-namespace settings, the kernel, the user and the folders.
  const key = [fileStamp(BWRAP_CANDIDATES), fileContents(USERNS_SETTINGS), release(), process.getuid?.(), real(ws), real(c.stateDir), layout.workspaceExists].join("\n");
  const { value: h, cachedAt } = await cachedProbe({ stateDir: c.stateDir, env }, "bwrap", key, () => sandboxHealth(layout), (v) => v.probe.available && !v.layoutError);
  const { probe: p, layoutError: why } = h;
  if (why) out.push(fail("exec.sandbox.available", `bubblewrap works but not with this config's folders (workspace ${ws}, state dir ${c.stateDir}): ${why}; every sandboxed run will fail`, "check that the workspace and state dir exist and are reachable; report the message above"));
  else if (p.available) out.push(ok("exec.sandbox.available", `bubblewrap at ${p.path} works here: skills run with a read-only root, no network (mode ${mode})${cachedNote(cachedAt)}`));
  else if (mode === "required") out.push(fail("exec.sandbox.available", `sandbox required but unavailable: ${p.reason}; every skill run will be refused`, "install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces, or set tools.exec.sandbox to \"auto\""));
  else out.push(warn("exec.sandbox.available", `sandbox auto but unavailable: ${p.reason}; skills run UNSANDBOXED with your file-system and network access, and can read this process's environment (API keys included) through /proc`, "install bubblewrap (apt-get install bubblewrap), or set tools.exec.sandbox to \"required\" to refuse unsandboxed runs"));
  return out;
};
