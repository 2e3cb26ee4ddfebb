import { existsSync } from "node:fs";
import { sandboxHealth } from "../../governor/probe.js";
import { fail, ok, warn, type Check, type CheckProvider } from "../types.js";

/** Can bubblewrap actually build a sandbox here, and what does the configured mode make of that? */
export const checks: CheckProvider = async ({ checked }) => {
  const c = checked.config;
  if (!c) return [];
  const mode = c.tools.exec.sandbox;
  if (mode === "off") return []; // base checks already warn that the sandbox is off
  const out: Check[] = [];
  // The real layout too (workspace bound, state dir hidden, both by real path): bwrap can
  // work in general and still fail on this config's folders.
  const ws = c.agentDefaults.workspace;
  const { probe: p, layoutError: why } = sandboxHealth({ workspace: ws, stateDir: c.stateDir, workspaceExists: existsSync(ws) });
  if (why) out.push(fail("exec.sandbox.available", `bubblewrap works but not with this config's folders (workspace ${ws}, state dir ${c.stateDir}): ${why}; every sandboxed run will fail`, "check that the workspace and state dir exist and are reachable; report the message above"));
  else if (p.available) out.push(ok("exec.sandbox.available", `bubblewrap at ${p.path} works here: skills run with a read-only root, no network (mode ${mode})`));
  else if (mode === "required") out.push(fail("exec.sandbox.available", `sandbox required but unavailable: ${p.reason}; every skill run will be refused`, "install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces, or set tools.exec.sandbox to \"auto\""));
  else out.push(warn("exec.sandbox.available", `sandbox auto but unavailable: ${p.reason}; skills run UNSANDBOXED with your file-system and network access, and can read this process's environment (API keys included) through /proc`, "install bubblewrap (apt-get install bubblewrap), or set tools.exec.sandbox to \"required\" to refuse unsandboxed runs"));
  return out;
};
