/**
 * HTTP routes and the upgrade gate. Order matters and is the same for every request:
 * Host/Origin guard, credential-in-URL refusal, then the route, then (for routes that
 * need it) credentials. No CORS headers are ever sent: other origins get nothing.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { VERSION } from "../version.js";
import type { Access } from "./access.js";
import { bearer, queryCredential } from "./auth.js";
import { checkRequest, type Guard } from "./guard.js";
import type { PeerVerdict } from "./peer.js";
import type { GatewayLog } from "./log.js";
import type { GatewayMetrics } from "./metrics.js";
import { UI_HTML, uiHeaders } from "./ui.js";

export interface HttpDeps {
  guard(): Guard | undefined;
  access: Access;
  metrics: GatewayMetrics;
  log: GatewayLog;
  ui: boolean;
  tls: boolean;
  startedAt(): number;
  /** With auth "none": is the connecting process this gateway's own user's? (see peer.ts). Absent: no peer check. */
  peer?: (req: IncomingMessage) => PeerVerdict;
}

/** The 403 body for another user's process (nothing about this gateway beyond the refusal). */
function peerRefusal(reason: string) {
  return { error: "forbidden_user", message: `refused: ${reason}; with gateway.auth "none" only processes of the user who started the gateway may connect`, fix: 'start your own gateway (each user has one), or, to share one on purpose, set gateway.auth to "token"' };
}

// JSON answers: never cached, never sniffed as something else. The page adds framing and referrer rules.
const BASE_HEADERS = { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" };
const PAGE_HEADERS = { ...BASE_HEADERS, "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer" };

export function clientAddr(req: IncomingMessage): string {
  // The socket's peer, never X-Forwarded-For: a header is whatever the client says.
  return (req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
}

export function tlsAuthorized(req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).authorized === true;
}

function json(res: ServerResponse, status: number, body: unknown, extra?: Record<string, string>): void {
  const text = JSON.stringify(body);
  // BASE_HEADERS written out: a literal with fixed keys is a fast object for node's header
  // writer; built by spreading it cost /health ~7% of its throughput.
  const headers: Record<string, string | number> = { "Cache-Control": BASE_HEADERS["Cache-Control"], "X-Content-Type-Options": BASE_HEADERS["X-Content-Type-Options"], "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) };
  if (extra) Object.assign(headers, extra);
  res.writeHead(status, headers);
  res.end(text);
}

/** The one health document: base.ts's doctor probe looks for service "openclaw-kernel". */
export function healthBody(startedAt: number): { status: "ok"; service: "openclaw-kernel"; version: string; uptimeMs: number } {
  return { status: "ok", service: "openclaw-kernel", version: VERSION, uptimeMs: Date.now() - startedAt };
}

function route(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

export function makeHandler(d: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? "/";
    const path = route(url);
    const guard = d.guard();
    if (!guard) return json(res, 503, { error: "starting", message: "the gateway is starting" });
    const p = d.peer?.(req);
    if (p && !p.ok) {
      d.metrics.guardRejects.inc({ transport: "http" });
      d.metrics.http.inc({ route: "peer", status: "403" });
      d.log.write("warn", "http refused: another user's process", { addr: clientAddr(req), peerUid: p.uid ?? null, reason: p.reason, path: path.slice(0, 100) });
      return json(res, 403, peerRefusal(p.reason));
    }
    const g = checkRequest(guard, req.headers);
    if (!g.ok) {
      d.metrics.guardRejects.inc({ transport: "http" });
      d.metrics.http.inc({ route: "guard", status: "403" });
      d.log.write("warn", "http refused by guard", { addr: clientAddr(req), reason: g.reason, path: path.slice(0, 100) });
      return json(res, 403, { error: "forbidden", message: g.reason });
    }
    const cred = queryCredential(url);
    if (cred) {
      d.metrics.authFailures.inc({ transport: "http", reason: "token_in_url" });
      d.metrics.http.inc({ route: "query_token", status: "401" });
      d.log.write("warn", "credential in URL refused", { addr: clientAddr(req), param: cred, path: path.slice(0, 100) });
      return json(res, 401, { error: "token_in_url", message: `credentials in the URL (?${cred}=) are refused: URLs end up in logs and browser history`, fix: "send Authorization: Bearer <token>" });
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      d.metrics.http.inc({ route: "other", status: "405" });
      return json(res, 405, { error: "method_not_allowed", message: `${req.method} is not accepted; the HTTP side is read-only (use the WebSocket for actions)` }, { Allow: "GET, HEAD" });
    }
    switch (path) {
      case "/health":
        d.metrics.healthOk.inc();
        return json(res, 200, healthBody(d.startedAt()));
      case "/metrics": {
        // A wrong credential is answered after the limiter's delay (see FailureLimiter).
        d.access.checkHttp(bearer(req.headers.authorization), clientAddr(req), tlsAuthorized(req)).then(
          async (v) => {
            if (res.destroyed) return;
            if (!v.ok) {
              const status = v.code === "rate_limited" ? 429 : 401;
              d.metrics.http.inc({ route: "/metrics", status: String(status) });
              return json(res, status, { error: v.code, message: v.message, fix: v.fix }, status === 429 ? { "Retry-After": String(v.retryAfter ?? 60) } : { "WWW-Authenticate": 'Bearer realm="openclaw-kernel"' });
            }
            d.metrics.http.inc({ route: "/metrics", status: "200" });
            const text = await d.metrics.text();
            res.writeHead(200, { ...BASE_HEADERS, "Content-Type": d.metrics.contentType });
            res.end(text);
          },
        ).catch((e) => {
          if (!res.headersSent && !res.destroyed) json(res, 500, { error: "metrics", message: (e as Error).message });
        });
        return;
      }
      case "/":
      case "/index.html":
        if (!d.ui) {
          d.metrics.http.inc({ route: "/", status: "404" });
          return json(res, 404, { error: "not_found", message: "the control UI is off (gateway.control.ui: false)" });
        }
        d.metrics.http.inc({ route: "/", status: "200" });
        res.writeHead(200, { ...PAGE_HEADERS, ...uiHeaders(req.headers.host!, d.tls) });
        res.end(UI_HTML);
        return;
      case "/ws":
        d.metrics.http.inc({ route: "/ws", status: "426" });
        return json(res, 426, { error: "upgrade_required", message: "this is the WebSocket endpoint" }, { Upgrade: "websocket" });
      default:
        d.metrics.http.inc({ route: "other", status: "404" });
        return json(res, 404, { error: "not_found", message: `no route ${path.slice(0, 100)}`, fix: "routes: /health, /metrics, / (control UI), /ws (WebSocket)" });
    }
  };
}

/** Refuses an upgrade on the raw socket (no WebSocket is created). */
function refuseUpgrade(socket: Duplex, status: number, reason: string, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

/**
 * The upgrade gate: same guard and URL-credential rule as HTTP, plus the rate limit, all
 * before ws ever sees the socket. Credentials themselves come in the connect frame.
 */
export function checkUpgrade(d: HttpDeps, req: IncomingMessage, socket: Duplex): boolean {
  const guard = d.guard();
  const addr = clientAddr(req);
  if (!guard) {
    refuseUpgrade(socket, 503, "Service Unavailable", { error: "starting" });
    return false;
  }
  const p = d.peer?.(req);
  if (p && !p.ok) {
    d.metrics.guardRejects.inc({ transport: "ws" });
    d.log.write("warn", "ws upgrade refused: another user's process", { addr, peerUid: p.uid ?? null, reason: p.reason });
    refuseUpgrade(socket, 403, "Forbidden", peerRefusal(p.reason));
    return false;
  }
  const g = checkRequest(guard, req.headers);
  if (!g.ok) {
    d.metrics.guardRejects.inc({ transport: "ws" });
    d.log.write("warn", "ws upgrade refused by guard", { addr, reason: g.reason });
    refuseUpgrade(socket, 403, "Forbidden", { error: "forbidden", message: g.reason });
    return false;
  }
  const url = req.url ?? "/";
  const cred = queryCredential(url);
  if (cred) {
    d.metrics.authFailures.inc({ transport: "ws", reason: "token_in_url" });
    d.log.write("warn", "credential in URL refused", { addr, param: cred, transport: "ws" });
    refuseUpgrade(socket, 401, "Unauthorized", { error: "token_in_url", message: `credentials in the URL (?${cred}=) are refused`, fix: "send the token in the connect frame" });
    return false;
  }
  if (route(url) !== "/ws") {
    refuseUpgrade(socket, 404, "Not Found", { error: "not_found", message: "the WebSocket endpoint is /ws" });
    return false;
  }
  if (d.access.limiter.blocked(addr)) {
    d.metrics.authFailures.inc({ transport: "ws", reason: "rate_limited" });
    refuseUpgrade(socket, 429, "Too Many Requests", { error: "rate_limited", message: `too many failed attempts; try again in ${d.access.limiter.retryAfter(addr)} s` });
    return false;
  }
  return true;
}

