/**
 * On shutdown, no process the kernel started may outlive it. The runtime kills its exec
 * sessions (closeAll); this catches the rest (a child a TypeScript cell spawned) by
 * walking /proc for our descendants. Linux only; elsewhere a no-op.
 */
import { readdirSync, readFileSync } from "node:fs";

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parens: fields resume after the last ")".
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root`, deepest last. */
export function descendants(root = process.pid): number[] {
  let pids: number[];
  try {
    pids = readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
  const byParent = new Map<number, number[]>();
  for (const pid of pids) {
    const pp = parentOf(pid);
    if (pp === undefined) continue;
    if (!byParent.has(pp)) byParent.set(pp, []);
    byParent.get(pp)!.push(pid);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of byParent.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

/** SIGTERM every descendant, then SIGKILL whatever is left after `graceMs`. */
export async function killDescendants(graceMs = 500): Promise<number> {
  const first = descendants();
  for (const pid of first) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* gone */
    }
  }
  if (!first.length) return 0;
  const until = Date.now() + graceMs;
  while (Date.now() < until && descendants().length) await new Promise((r) => setTimeout(r, 25));
  for (const pid of descendants()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  return first.length;
}
