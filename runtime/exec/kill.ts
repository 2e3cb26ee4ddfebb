/**
 * The one place that kills: always the whole process group (the child was spawned
 * detached, so its pid is the group id), because killing only the direct child leaves
 * its grandchildren running. SIGTERM first so programs can clean up, SIGKILL after a
 * grace period.
 */
export const KILL_GRACE_MS = 1000;

/** Sends `sig` to the group; false when the group is already gone. */
export function signalGroup(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, sig);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw e;
  }
}

/** SIGTERM the group now, SIGKILL it after `graceMs` unless `exited` settles first. */
export function killGroup(pid: number, exited: Promise<unknown>, graceMs = KILL_GRACE_MS): void {
  if (!signalGroup(pid, "SIGTERM")) return;
  const t = setTimeout(() => signalGroup(pid, "SIGKILL"), graceMs);
  t.unref();
  void exited.then(() => clearTimeout(t));
}
