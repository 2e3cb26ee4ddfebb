/**
 * The connection file Jupyter writes for a kernel: ports, transport, and the HMAC key.
 * Validated before any socket opens, so a bad file fails with the path and the fix.
 */
import { readFileSync } from "node:fs";
import { SafetyError, UsageError } from "../runtime/errors.js";

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

const PORTS = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"] as const;
export type Channel = "shell" | "iopub" | "stdin" | "control" | "hb";

/** Kept local (not runtime/config) so the kernel answers kernel_info before ajv loads. */
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

export function readConnectionFile(path: string, opts: { insecure?: boolean } = {}): ConnectionInfo {
  let raw: any;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UsageError(`cannot read connection file ${path}: ${(e as Error).message}`, { fix: "Jupyter passes it as {connection_file}; run the kernel through `jupyter` or give an existing file" });
  }
  return parseConnection(raw, path, opts);
}

export function parseConnection(raw: any, where = "connection file", opts: { insecure?: boolean } = {}): ConnectionInfo {
  const problems: string[] = [];
  const transport = raw?.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") problems.push(`transport: "${transport}" is not tcp or ipc`);
  if (typeof raw?.ip !== "string" || !raw.ip) problems.push("ip: missing");
  for (const p of PORTS) if (!Number.isInteger(raw?.[p]) || raw[p] < 0 || raw[p] > 65535) problems.push(`${p}: not a port number`);
  if (typeof (raw?.key ?? "") !== "string") problems.push("key: not a string");
  const scheme = raw?.signature_scheme ?? "hmac-sha256";
  if (scheme !== "hmac-sha256") problems.push(`signature_scheme: "${scheme}" (only hmac-sha256 is supported)`);
  if (problems.length) throw new UsageError(`invalid connection file ${where}`, { details: problems, fix: "let Jupyter write it (jupyter_client's KernelManager does)" });
  const info: ConnectionInfo = { transport, ip: raw.ip, key: raw.key ?? "", signature_scheme: scheme, kernel_name: raw.kernel_name, ...Object.fromEntries(PORTS.map((p) => [p, raw[p]])) } as ConnectionInfo;
  if (!info.key && !opts.insecure) {
    throw new SafetyError(`connection file ${where} has an empty key: messages would be unsigned and anyone who can reach the ports could run code`, {
      fix: "let Jupyter generate a key (the default), or pass --insecure if you really mean an unsigned local kernel",
    });
  }
  if (transport === "tcp" && !isLoopback(info.ip) && !info.key) {
    throw new SafetyError(`refusing unsigned kernel on non-loopback ip ${info.ip}`, { fix: "use ip 127.0.0.1 or a signing key" });
  }
  return info;
}

export function endpoint(c: ConnectionInfo, channel: Exclude<Channel, never>): string {
  const port = c[`${channel}_port` as (typeof PORTS)[number]];
  if (c.transport === "ipc") return `ipc://${c.ip}-${port}`;
  const host = c.ip.includes(":") && !c.ip.startsWith("[") ? `[${c.ip}]` : c.ip;
  return `tcp://${host}:${port}`;
}
