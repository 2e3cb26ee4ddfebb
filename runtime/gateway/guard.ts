/**
 * The DNS-rebinding and cross-site guard, run before any handler (HTTP or WebSocket
 * upgrade). A browser page on evil.example can make the victim's browser talk to
 * 127.0.0.1 (rebinding a hostname to loopback, or a plain cross-site request): the
 * Host header then names the attacker's hostname and Origin names the attacker's
 * site. So we accept only Host values that name this gateway, and only our own Origin.
 * X-Forwarded-* headers are never consulted: nothing sits in front of a loopback server.
 */
import { networkInterfaces } from "node:os";

export interface GuardConfig {
  /** Bound host as configured (no brackets). */
  host: string;
  /** The real listening port (after port 0 was resolved). */
  port: number;
  tls: boolean;
}

export interface Guard {
  /** Lower-cased "host:port" values accepted in the Host header. */
  hosts: Set<string>;
  /** Origins accepted ("http://127.0.0.1:18789"). */
  origins: Set<string>;
}

/** "::1" -> "[::1]": the form a Host header uses. */
export function hostForUrl(h: string): string {
  return h.includes(":") ? `[${h}]` : h;
}

function isWildcard(h: string): boolean {
  return h === "0.0.0.0" || h === "::" || h === "[::]";
}

/** Host and Origin allow-lists for a bound address. */
export function makeGuard(c: GuardConfig): Guard {
  const names = new Set<string>(["localhost", "127.0.0.1", "[::1]", hostForUrl(c.host.toLowerCase())]);
  // A wildcard bind (only allowed with auth) is reached by this machine's own addresses.
  if (isWildcard(c.host)) {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(hostForUrl(a.address.toLowerCase().replace(/%.*$/, "")));
    names.delete("0.0.0.0");
    names.delete("[::]");
  }
  const hosts = new Set<string>();
  const origins = new Set<string>();
  const scheme = c.tls ? "https" : "http";
  for (const n of names) {
    hosts.add(`${n}:${c.port}`);
    origins.add(`${scheme}://${n}:${c.port}`);
  }
  return { hosts, origins };
}

export type GuardVerdict = { ok: true } | { ok: false; status: 403; reason: string };

/**
 * Checks Host and Origin. A missing Host is refused (HTTP/1.1 requires it, and a
 * request without one cannot be tied to this gateway). A missing Origin is fine:
 * non-browser clients (curl, the CLI) send none, and browsers always send one on
 * cross-origin requests and WebSocket upgrades.
 */
export function checkRequest(g: Guard, headers: { host?: string; origin?: string | string[] }): GuardVerdict {
  const host = headers.host?.toLowerCase();
  if (!host) return { ok: false, status: 403, reason: "missing Host header" };
  if (!g.hosts.has(host)) return { ok: false, status: 403, reason: `Host "${clip(host)}" does not name this gateway` };
  const origin = headers.origin;
  if (origin === undefined) return { ok: true };
  if (Array.isArray(origin)) return { ok: false, status: 403, reason: "more than one Origin header" };
  const o = origin.toLowerCase();
  if (o === "null") return { ok: false, status: 403, reason: "Origin null (sandboxed or file: page) is not allowed" };
  if (!g.origins.has(o)) return { ok: false, status: 403, reason: `Origin "${clip(o)}" is not this gateway's own` };
  return { ok: true };
}

/** Header values go into logs and error bodies: keep them short and printable. */
function clip(s: string): string {
  const p = s.replace(/[^\x20-\x7e]/g, "?");
  return p.length > 80 ? p.slice(0, 80) + "…" : p;
}
