/**
 * The sandbox's health for doctor, asked of the governor's side of the floor (exec is
 * reached from nowhere else): is bubblewrap there and working, and does it work with this
 * config's folders. Runs `/bin/true` in a throw-away sandbox; no skill, no audit record.
 */
import { BWRAP_CANDIDATES, probeLayout, probeSandbox, type SandboxProbe } from "../exec/sandbox.js";

export type { SandboxProbe };
/** Where bubblewrap is looked for (doctor's probe cache keys on these files). */
export { BWRAP_CANDIDATES };

export function sandboxHealth(layout: { workspace: string; stateDir: string; workspaceExists: boolean }): { probe: SandboxProbe; layoutError: string | null } {
  const probe = probeSandbox();
  const layoutError = probe.available && layout.workspaceExists ? probeLayout(probe.path!, { workspace: layout.workspace, cwd: layout.workspace, hide: [layout.stateDir], readOnly: [] }) : null;
  return { probe, layoutError };
}
