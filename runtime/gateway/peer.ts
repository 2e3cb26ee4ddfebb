/**
 * Who is on the other end of a loopback connection. On a shared host (JupyterHub, a
 * lab server) loopback is shared by every user: with auth "none" anyone's process could
 * open 127.0.0.1:18789 and drive the owner's agent (no browser, so no Origin to guard).
 * So with auth "none" the gateway serves only processes of its own uid.
 *
 * Linux: the client's end of a loopback TCP connection is a row of /proc/net/tcp (or
 * tcp6) whose local address:port is our socket's remote address:port and whose remote
 * address:port is our local one; that row's uid is the process owner's. Both ends live
 * in the same network namespace (it is loopback), so the row is always there while the
 * client is connected. When it cannot be found (a non-Linux host, /proc hidden, the
 * client already gone) the connection is refused on a shared host and let in with a
 * log line on a single-user one (see decidePeer).
 */
import { readFileSync } from "node:fs";
import { endianness } from "node:os";
import { isIPv4 } from "node:net";

export interface TcpRow {
  local: string;
  remote: string;
  /** Kernel TCP state, hex ("01" established, "0A" listen). */
  state: string;
  uid: number;
}

/** "0100007F:1F90" (host byte order words, big-endian port) -> "127.0.0.1:8080". */
export function decodeProcAddr(hex: string, little = endianness() === "LE"): string {
  const [a, p] = hex.split(":");
  if (!a || !p) return "";
  const port = Number.parseInt(p, 16);
  const words: number[][] = [];
  for (let i = 0; i < a.length; i += 8) {
    const w = a.slice(i, i + 8);
    const bytes = [0, 2, 4, 6].map((j) => Number.parseInt(w.slice(j, j + 2), 16));
    words.push(little ? bytes.reverse() : bytes);
  }
  const b = words.flat();
  if (b.length === 4) return `${b.join(".")}:${port}`;
  // IPv6; an IPv4-mapped address (::ffff:a.b.c.d) is written as the IPv4 one.
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `${b.slice(12).join(".")}:${port}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return `${compress6(groups)}:${port}`;
}

function compress6(groups: string[]): string {
  // The longest run of zero groups becomes "::" (as node prints addresses).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

/** The rows of a /proc/net/tcp(6) text. */
export function parseProcNetTcp(text: string): TcpRow[] {
  const rows: TcpRow[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const uid = Number(f[7]);
    if (!Number.isInteger(uid)) continue;
    rows.push({ local: decodeProcAddr(f[1]!), remote: decodeProcAddr(f[2]!), state: f[3]!, uid });
  }
  return rows;
}

/** Node's address as /proc rows are decoded: "::ffff:127.0.0.1" -> "127.0.0.1". */
export function normalAddr(addr: string, port: number): string {
  const a = addr.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "").toLowerCase();
  return `${a}:${port}`;
}

function readTables(files: string[]): TcpRow[] | undefined {
  let any = false;
  const rows: TcpRow[] = [];
  for (const f of files) {
    try {
      rows.push(...parseProcNetTcp(readFileSync(f, "utf8")));
      any = true;
    } catch {
      /* no such table (IPv6 off, not Linux) */
    }
  }
  return any ? rows : undefined;
}

const TABLES = ["/proc/net/tcp", "/proc/net/tcp6"];

export interface SocketEnds {
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
}

/**
 * The uid owning the client's end of a loopback connection: a number, "unknown" when
 * the tables are readable but hold no matching row, or undefined when there are no
 * tables to read (not Linux).
 */
export function peerUid(s: SocketEnds, tables: string[] = TABLES): number | "unknown" | undefined {
  if (!s.remoteAddress || !s.remotePort || !s.localAddress || !s.localPort) return "unknown";
  const rows = readTables(tables);
  if (!rows) return undefined;
  const client = normalAddr(s.remoteAddress, s.remotePort);
  const server = normalAddr(s.localAddress, s.localPort);
  const row = rows.find((r) => r.local === client && r.remote === server);
  return row ? row.uid : "unknown";
}

/** The uid of whoever listens on host:port (host as bound; a wildcard matches any), or undefined. */
export function listenerUid(host: string, port: number, tables: string[] = TABLES): number | undefined {
  const rows = readTables(tables);
  if (!rows) return undefined;
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  const want = isIPv4(h) || h.includes(":") ? normalAddr(h, port) : undefined;
  const row = rows.find((r) => r.state === "0A" && (want === undefined ? r.local.endsWith(`:${port}`) : r.local === want || r.local === `0.0.0.0:${port}` || r.local === `:::${port}` || r.local === `::${port}`));
  return row?.uid;
}

export type PeerVerdict = { ok: true; uid?: number } | { ok: false; uid?: number; reason: string };

/**
 * The decision for auth "none": the same uid as this process gets in; another uid is
 * refused; an unknown peer is refused on a shared host (fail closed) and let in on a
 * single-user one (there is no other user to be).
 */
export function decidePeer(uid: number | "unknown" | undefined, own: number, shared: boolean): PeerVerdict {
  if (typeof uid === "number") return uid === own ? { ok: true, uid } : { ok: false, uid, reason: `the connecting process belongs to uid ${uid}, not to this gateway's user (uid ${own})` };
  if (!shared) return { ok: true };
  return { ok: false, reason: uid === undefined ? "cannot tell which user the connecting process belongs to on this platform, and this host is shared" : "cannot find the connecting process's socket in /proc/net/tcp, and this host is shared" };
}

/** A user name for a uid from /etc/passwd, for log lines (best effort). */
export function userName(uid: number, passwd?: string): string | undefined {
  try {
    const text = passwd ?? readFileSync("/etc/passwd", "utf8");
    for (const line of text.split("\n")) {
      const f = line.split(":");
      if (f.length >= 7 && Number(f[2]) === uid) return f[0];
    }
  } catch {
    /* no passwd file */
  }
  return undefined;
}
