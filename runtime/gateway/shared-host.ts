/**
 * Is this a shared host (a JupyterHub, a lab server), where loopback is reachable by
 * other people's processes? Used by the gateway (an auth "none" peer it cannot identify
 * is refused on a shared host) and by doctor (which reports the situation and the
 * protection in force). Cheap: environment, /etc/passwd and one pass over /proc.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

export interface SharedHost {
  shared: boolean;
  /** Why, one phrase each ("JupyterHub environment (JUPYTERHUB_USER=alice)", ...). */
  reasons: string[];
  /** Human accounts (uid >= UID_MIN with an existing home and a login shell). */
  humanUsers: string[];
}

export interface SharedHostOptions {
  env?: NodeJS.ProcessEnv;
  passwd?: string;
  /** Where to look for processes (tests point it elsewhere); "" skips the scan. */
  procDir?: string;
  uid?: number;
}

function uidMin(): number {
  try {
    const m = /^\s*UID_MIN\s+(\d+)/m.exec(readFileSync("/etc/login.defs", "utf8"));
    if (m) return Number(m[1]);
  } catch {
    /* no login.defs */
  }
  return 1000;
}

/** Accounts a person logs in as: uid >= UID_MIN (not nobody), a login shell, a home that exists. */
export function humanUsers(passwd: string, min = uidMin()): Array<{ name: string; uid: number }> {
  const out: Array<{ name: string; uid: number }> = [];
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f.length < 7) continue;
    const uid = Number(f[2]);
    if (!Number.isInteger(uid) || uid < min || uid === 65534) continue;
    if (/(nologin|false)$/.test(f[6]!.trim())) continue;
    if (!f[5] || !existsSync(f[5])) continue;
    out.push({ name: f[0]!, uid });
  }
  return out;
}

/** Uids (>= UID_MIN) other than `own` running processes now. */
function otherProcessUids(procDir: string, own: number, min: number): Set<number> {
  const uids = new Set<number>();
  let entries: string[];
  try {
    entries = readdirSync(procDir);
  } catch {
    return uids;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`${procDir}/${e}/status`, "utf8"));
      const uid = m ? Number(m[1]) : NaN;
      if (uid !== own && uid >= min && uid !== 65534) uids.add(uid);
    } catch {
      /* the process ended */
    }
  }
  return uids;
}

export function detectSharedHost(o: SharedHostOptions = {}): SharedHost {
  const env = o.env ?? process.env;
  const own = o.uid ?? (process.getuid?.() ?? -1);
  const reasons: string[] = [];
  const hub = Object.keys(env).filter((k) => k.startsWith("JUPYTERHUB_")).sort();
  if (hub.length) reasons.push(`JupyterHub environment (${env.JUPYTERHUB_USER ? `JUPYTERHUB_USER=${env.JUPYTERHUB_USER}` : hub[0]})`);
  let passwd = o.passwd;
  if (passwd === undefined) {
    try {
      passwd = readFileSync("/etc/passwd", "utf8");
    } catch {
      passwd = "";
    }
  }
  const min = uidMin();
  const humans = humanUsers(passwd, min);
  const others = humans.filter((h) => h.uid !== own);
  if (others.length) reasons.push(`${others.length} other user account${others.length === 1 ? "" : "s"} with a home (${others.slice(0, 5).map((h) => h.name).join(", ")}${others.length > 5 ? ", …" : ""})`);
  const procDir = o.procDir ?? "/proc";
  if (procDir) {
    const uids = otherProcessUids(procDir, own, min);
    if (uids.size) reasons.push(`processes of ${uids.size} other user${uids.size === 1 ? "" : "s"} running`);
  }
  return { shared: reasons.length > 0, reasons, humanUsers: humans.map((h) => h.name) };
}
