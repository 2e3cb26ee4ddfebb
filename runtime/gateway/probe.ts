/**
 * Is a gateway of ours answering on the configured bind? Used by `gateway status` from
 * a separate process and by the port-in-use message. Loads nothing heavy (no ws, no
 * prom-client) so the CLI answers fast.
 */
import { hostForUrl } from "./guard.js";

export interface HealthProbe {
  /** "ours": an openclaw-kernel gateway answered; "other": something else holds the port; "down": nothing answered. */
  state: "ours" | "other" | "down";
  url: string;
  health?: { status: string; service: string; version: string; uptimeMs: number };
  error?: string;
}

/** Where to reach a bind from this machine: a wildcard bind is reached on loopback. */
export function probeHost(host: string): string {
  return host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
}

export async function probeHealth(host: string, port: number, opts: { tls?: boolean; timeoutMs?: number } = {}): Promise<HealthProbe> {
  const url = `${opts.tls ? "https" : "http"}://${hostForUrl(probeHost(host))}:${port}/health`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 1500), redirect: "error" });
    const body = (await res.json().catch(() => undefined)) as HealthProbe["health"] | undefined;
    if (res.ok && body?.service === "openclaw-kernel") return { state: "ours", url, health: body };
    return { state: "other", url, error: `HTTP ${res.status}` };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    if (cause === "ECONNREFUSED" || cause === "ENOTFOUND" || cause === "EADDRNOTAVAIL") return { state: "down", url, error: cause };
    // Something accepted the connection but did not speak our HTTP (or TLS we cannot check).
    return { state: cause ? "other" : "down", url, error: cause ?? (e as Error).message };
  }
}
