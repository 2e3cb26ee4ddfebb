/** What `gateway status` reports, in-process or over the `status` method. Nothing secret in it. */
export interface GatewayStatus {
  running: boolean;
  service: "openclaw-kernel";
  version: string;
  /** As configured, e.g. "127.0.0.1:0". */
  bind: string;
  host: string;
  /** The real listening port (port 0 resolved), or null when not running. */
  port: number | null;
  /** http(s)://host:port/ when running. */
  url: string | null;
  wsUrl: string | null;
  auth: "none" | "token" | "mtls";
  tls: boolean;
  /** Where the token comes from (never the token). */
  tokenSource: "env" | "file" | null;
  tokenFile: string | null;
  ui: boolean;
  deviceAuth: boolean;
  startedAt: string | null;
  uptimeMs: number;
  /** Open WebSocket clients that completed `connect`. */
  clients: number;
  /** Open sockets allowed at once (gateway.maxConnections, lowered to a quarter of the open-file limit), or null when not running. */
  maxConnections: number | null;
  pid: number;
  logPath: string;
}

/**
 * What start() returns: the status plus the current pairing code. Never the token: a
 * start result ends up in notebook outputs (text, HTML, JSON), so a saved .ipynb would
 * carry it. A generated token is only in the 0600 file `tokenFile` names.
 */
export interface StartResult extends GatewayStatus {
  /** True when this start generated the token (it is in tokenFile, mode 0600; never in any output). */
  tokenGenerated?: boolean;
  /** Set when the configured port was taken (not by this user's gateway) and a free one was used instead (in-notebook gateway only). */
  portFallback?: { wanted: number; holder: string; message: string };
  /** The current pairing code when control.deviceAuth is on. */
  pairingCode?: string;
}
