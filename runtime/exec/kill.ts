import { readdirSync, readFileSync } from "node:fs";
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

/** The variable every unsandboxed child carries: it marks the run's processes even after setsid. */
export const EXEC_ID_VAR = "OPENCLAW_EXEC_ID";

/** pid -> [ppid, start time in clock ticks], from /proc. */
function procTable(): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return out;
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const st = readFileSync(`/proc/${n}/stat`, "utf8");
      const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
      // fields after the name: state(0) ppid(1) … starttime(19)
      out.set(Number(n), [Number(f[1]), Number(f[19])]);
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * Every live process of a run, however it left the process group: descendants of the
 * leader by parent pid, and (because a process that calls setsid and whose parent
 * exits is re-parented to init) any process started since the leader whose environment
 * carries OPENCLAW_EXEC_ID=<id>. Not our own process. Linux /proc; empty elsewhere.
 */
export function runProcesses(leader: number, id: string, leaderStart: number | null): number[] {
  const table = procTable();
  const found = new Set<number>();
  const kids = new Map<number, number[]>();
  for (const [pid, [ppid]] of table) kids.set(ppid, [...(kids.get(ppid) ?? []), pid]);
  // Walk from the leader only while it is the process we started (not a recycled pid).
  const leaderAlive = table.has(leader) && (leaderStart === null || table.get(leader)![1] === leaderStart);
  const queue = leaderAlive ? [leader] : [];
  while (queue.length) {
    const p = queue.pop()!;
    for (const c of kids.get(p) ?? []) if (!found.has(c)) (found.add(c), queue.push(c));
  }
  if (leaderAlive) found.add(leader);
  const marker = Buffer.from(`\0${EXEC_ID_VAR}=${id}\0`);
  for (const [pid, [, start]] of table) {
    if (found.has(pid) || pid === process.pid || (leaderStart !== null && start < leaderStart)) continue;
    try {
      const env = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`), Buffer.from([0])]);
      if (env.includes(marker)) found.add(pid);
    } catch {
      /* gone, or not ours */
    }
  }
  // Their descendants too (a marked process that cleared the variable for its children).
  for (const p of [...found]) {
    const q = [p];
    while (q.length) for (const c of kids.get(q.pop()!) ?? []) if (!found.has(c)) (found.add(c), q.push(c));
  }
  found.delete(process.pid);
  return [...found];
}

/** Signals every process of the run (see runProcesses) and its group; how many were signalled. */
export function signalRun(leader: number, id: string, leaderStart: number | null, sig: NodeJS.Signals): number {
  signalGroup(leader, sig);
  let n = 0;
  for (const p of runProcesses(leader, id, leaderStart)) {
    try {
      process.kill(p, sig);
      n++;
    } catch {
      /* gone */
    }
  }
  return n;
}
