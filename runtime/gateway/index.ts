/**
 * The gateway: the loopback control plane over node:http (or node:https for mtls) and
 * ws. It binds exactly gateway.bind, refuses to listen unauthenticated on anything but
 * loopback (even if a config slipped past the loader), guards Host and Origin before
 * any handler, and hands every action to the runtime: no policy lives here.
 */
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { WebSocketServer } from "ws";
import { isLoopbackHost } from "../config/index.js";
import { ConfigError, OpenClawError, SafetyError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { VERSION } from "../version.js";
import { Access } from "./access.js";
import { gatewayDir, resolveToken, type TokenInfo } from "./auth.js";
import { Connection } from "./connection.js";
import { hostForUrl, makeGuard, type Guard } from "./guard.js";
import { checkUpgrade, clientAddr, makeHandler, tlsAuthorized } from "./http.js";
import { findPortHolder } from "./holder.js";
import { GatewayLog, logPath } from "./log.js";
import { GatewayMetrics } from "./metrics.js";
import { decidePeer, listenerUid, peerUid, userName, type PeerVerdict } from "./peer.js";
import { detectSharedHost, type SharedHost } from "./shared-host.js";
import type { GatewayStatus, StartResult } from "./types.js";

export type { GatewayStatus, StartResult } from "./types.js";
export { tailLines, followLines, logPath } from "./log.js";
export { probeHealth } from "./probe.js";
export { tokenPath } from "./auth.js";

export interface GatewayStartOptions {
  /** Where the pairing code (control.deviceAuth) is shown; default: stderr. */
  onPairingCode?: (code: string) => void;
  /**
   * The in-notebook gateway on a shared host: when the configured port is taken by anything
   * but this user's own openclaw-kernel gateway (another user's gateway, another program),
   * listen on a free port instead and say which (StartResult.portFallback). The CLI leaves
   * this off and keeps failing with port_in_use.
   */
  freePortIfTaken?: boolean;
  /** Slow-client bounds, in ms (tests shorten them); defaults in GATEWAY_TIMEOUTS. */
  timeouts?: Partial<GatewayTimeouts>;
}

export interface GatewayTimeouts {
  /** A request's headers must be complete this long after the connection opened (Slowloris). */
  headersMs: number;
  /** A whole request (headers and body) must arrive within this. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
  /** A WebSocket must send its `connect` frame within this after the upgrade. */
  connectMs: number;
  /** How often node:http looks for connections past headersMs/requestMs (its default is 30 s). */
  checkIntervalMs: number;
  /** A TLS handshake (mtls) must finish within this. */
  tlsHandshakeMs: number;
}

export const GATEWAY_TIMEOUTS: Readonly<GatewayTimeouts> = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, connectMs: 10_000, checkIntervalMs: 1_000, tlsHandshakeMs: 10_000 };

/**
 * The connection cap actually applied: gateway.maxConnections, but never more than a
 * quarter of this process's open-file limit (the in-kernel gateway shares the kernel's
 * descriptors with ZeroMQ, exec pipes and files: a flood of sockets must not starve them).
 */
export function connectionCap(configured: number, limitsText?: string): number {
  let soft = Infinity;
  try {
    const text = limitsText ?? readFileSync("/proc/self/limits", "utf8");
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
    if (m && m[1] !== "unlimited") soft = Number(m[1]);
  } catch {
    /* not Linux: the configured cap alone */
  }
  return Math.max(8, Math.min(configured, Math.floor(soft / 4)));
}

/** How long stop() waits for running requests before closing sockets anyway. */
const DRAIN_MS = 3000;

export class Gateway {
  private readonly runtime: Runtime;
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private guard: Guard | undefined;
  private access: Access | undefined;
  private token: TokenInfo | undefined;
  private log: GatewayLog;
  private metrics: GatewayMetrics | undefined;
  private readonly conns = new Set<Connection>();
  private unsubscribe: (() => void) | undefined;
  private startedAt = 0;
  private port: number | null = null;
  private starting: Promise<StartResult> | undefined;
  private stopping: Promise<void> | undefined;
  private pairingCode: string | undefined;
  /** The shared-host finding at start (auth "none" only). */
  private sharedHost: SharedHost | undefined;
  /** The connection cap in force (see connectionCap). */
  private maxConnections = 0;

  constructor(readonly opts: { runtime: Runtime }) {
    this.runtime = opts.runtime;
    this.log = new GatewayLog(logPath(this.runtime.config.stateDir));
  }

  get running(): boolean {
    return this.server?.listening === true;
  }

  status(): GatewayStatus {
    const g = this.runtime.config.gateway;
    const tls = g.auth.mode === "mtls";
    const running = this.running && this.port !== null;
    const base = running ? `${tls ? "https" : "http"}://${hostForUrl(g.host === "0.0.0.0" ? "127.0.0.1" : g.host === "::" ? "::1" : g.host)}:${this.port}` : null;
    return {
      running,
      service: "openclaw-kernel",
      version: VERSION,
      bind: g.bind,
      host: g.host,
      port: running ? this.port : null,
      url: base ? base + "/" : null,
      wsUrl: base ? base.replace(/^http/, "ws") + "/ws" : null,
      auth: g.auth.mode,
      tls,
      tokenSource: this.token?.source ?? null,
      tokenFile: this.token?.source === "file" ? this.token.where : null,
      ui: g.control.ui,
      deviceAuth: g.control.deviceAuth,
      startedAt: running ? new Date(this.startedAt).toISOString() : null,
      uptimeMs: running ? Date.now() - this.startedAt : 0,
      clients: [...this.conns].filter((c) => c.authenticated).length,
      maxConnections: running ? this.maxConnections : null,
      pid: process.pid,
      logPath: this.log.path,
    };
  }

  /** The shared-host finding made at start when auth is "none" (the peer check fails closed on a shared host). */
  get shared(): SharedHost | undefined {
    return this.sharedHost;
  }

  /** The current pairing code (deviceAuth), for the host that started the gateway only. */
  currentPairingCode(): string | undefined {
    return this.access?.pairing?.current();
  }

  /** The metrics registry's text, for in-process callers. */
  metricsText(): Promise<string> {
    return this.metrics?.text() ?? Promise.resolve("");
  }

  start(opts: GatewayStartOptions = {}): Promise<StartResult> {
    if (this.running) return Promise.resolve({ ...this.status(), ...(this.pairingCode ? { pairingCode: this.currentPairingCode() } : {}) });
    if (this.stopping) return this.stopping.then(() => this.start(opts));
    this.starting ??= this.doStart(opts).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(opts: GatewayStartOptions): Promise<StartResult> {
    const cfg = this.runtime.config.gateway;
    // Defense in depth: the loader refuses this too, but a Runtime can be built from any object.
    if (!isLoopbackHost(cfg.host) && cfg.auth.mode === "none") {
      throw new SafetyError(`refusing to listen on ${cfg.bind} without authentication: anyone who can reach this host could drive the agent`, {
        code: "unsafe_bind",
        fix: 'bind 127.0.0.1, or set gateway.auth to "token" or "mtls"',
      });
    }
    let tlsOpts: { cert: Buffer; key: Buffer; ca: Buffer } | undefined;
    if (cfg.auth.mode === "mtls") tlsOpts = readTls(cfg.auth);
    gatewayDir(this.runtime.config.stateDir);
    const token = cfg.auth.mode === "token" ? resolveToken({ tokenEnv: cfg.auth.tokenEnv, stateDir: this.runtime.config.stateDir, secret: (n) => this.runtime.secret(n) }) : undefined;
    this.token = token;

    const metrics = new GatewayMetrics();
    this.metrics = metrics;
    this.log.open();
    const onCode = opts.onPairingCode ?? ((code: string) => process.stderr.write(`openclaw-kernel gateway pairing code: ${code}\n`));
    this.access = new Access(cfg, token?.token, metrics, this.log, (code) => {
      this.pairingCode = code;
      onCode(code);
    });
    const access = this.access;
    const tls = cfg.auth.mode === "mtls";
    // auth "none" on a shared loopback: only this user's processes (peer.ts). One lookup per
    // TCP connection (keep-alive requests reuse it); the verdict is fixed for the socket's life.
    const own = process.getuid?.();
    const shared = cfg.auth.mode === "none" ? detectSharedHost({ env: this.runtime.env }) : undefined;
    this.sharedHost = shared;
    const verdicts = new WeakMap<object, PeerVerdict>();
    const peer =
      cfg.auth.mode === "none" && own !== undefined
        ? (req: IncomingMessage): PeerVerdict => {
            let v = verdicts.get(req.socket);
            if (!v) {
              v = decidePeer(peerUid(req.socket), own, shared!.shared);
              verdicts.set(req.socket, v);
            }
            return v;
          }
        : undefined;
    const deps = { guard: () => this.guard, access, metrics, log: this.log, ui: cfg.control.ui, tls, startedAt: () => this.startedAt, peer };
    const handler = makeHandler(deps);
    const to: GatewayTimeouts = { ...GATEWAY_TIMEOUTS, ...opts.timeouts };
    const httpOpts = { headersTimeout: to.headersMs, requestTimeout: to.requestMs, keepAliveTimeout: to.keepAliveMs, connectionsCheckingInterval: to.checkIntervalMs };
    const server: Server = tlsOpts
      ? (createHttpsServer({ ...tlsOpts, ...httpOpts, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2", handshakeTimeout: to.tlsHandshakeMs }, handler) as unknown as Server)
      : createHttpServer(httpOpts, handler);
    server.headersTimeout = to.headersMs;
    server.requestTimeout = to.requestMs;
    server.keepAliveTimeout = to.keepAliveMs;
    server.maxHeadersCount = 100;
    // Beyond the cap node:http drops new sockets at once; say so in the log, at most every 10 s.
    this.maxConnections = connectionCap(cfg.maxConnections);
    server.maxConnections = this.maxConnections;
    let lastDropLog = 0;
    server.on("drop", (d?: { remoteAddress?: string }) => {
      if (Date.now() - lastDropLog < 10_000) return;
      lastDropLog = Date.now();
      this.log.write("warn", "connection cap reached: new connections dropped", { cap: this.maxConnections, addr: d?.remoteAddress });
    });
    // ws loads after the server answers (it is ~40 ms of module loading that /health never
    // needs); an upgrade arriving first waits for it. perMessageDeflate off: compression
    // bombs are not worth a few saved bytes on loopback.
    let wssReady: Promise<WebSocketServer> | undefined;
    const loadWss = () =>
      (wssReady ??= import("ws").then(({ WebSocketServer }) => {
        this.wss = new WebSocketServer({ noServer: true, maxPayload: cfg.maxFrameBytes, perMessageDeflate: false });
        return this.wss;
      }));
    server.on("upgrade", async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!checkUpgrade(deps, req, socket)) return;
      let wss: WebSocketServer;
      try {
        wss = await loadWss();
      } catch (e) {
        this.log.write("error", "cannot load ws", { error: (e as Error).message });
        socket.destroy();
        return;
      }
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = new Connection(ws, clientAddr(req), { runtime: this.runtime, metrics, log: this.log, access, status: () => this.status(), tlsAuthorized: tlsAuthorized(req), connectTimeoutMs: to.connectMs });
        this.conns.add(conn);
        ws.once("close", () => this.conns.delete(conn));
      });
    });
    // A malformed or timed-out request: answer if the socket still takes writes, then
    // destroy it. end() alone only half-closes, and a client that never reads or closes
    // (Slowloris) would keep the socket, and one of our descriptors, forever.
    server.on("clientError", (e: NodeJS.ErrnoException, socket: Duplex) => {
      const timedOut = e.code === "ERR_HTTP_REQUEST_TIMEOUT" || e.code === "ERR_HTTP_HEADERS_TIMEOUT";
      const status = timedOut ? "408 Request Timeout" : e.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
      // Like node's own default: a status line only if nothing was written on this socket yet.
      if (socket.writable && (socket as Duplex & { bytesWritten?: number }).bytesWritten === 0) {
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
        setTimeout(() => socket.destroy(), 1000).unref();
      } else socket.destroy();
    });

    let portFallback: StartResult["portFallback"];
    try {
      try {
        await listen(server, cfg.host, cfg.port);
      } catch (e) {
        // Our own user's gateway answers our /health ("an openclaw-kernel gateway"): use it, no second one.
        const ownGateway = /an openclaw-kernel gateway/.test((e as Error).message);
        if (!(opts.freePortIfTaken && cfg.port !== 0 && e instanceof OpenClawError && e.code === "port_in_use" && !ownGateway)) throw e;
        const uid = listenerUid(cfg.host, cfg.port);
        const holder = uid !== undefined && uid !== own ? `another user (${userName(uid) ?? `uid ${uid}`})` : "another program";
        await listen(server, cfg.host, 0);
        const a = server.address();
        portFallback = { wanted: cfg.port, holder, message: `port ${cfg.port} is taken by ${holder}; this gateway listens on port ${typeof a === "object" && a ? a.port : "?"} instead` };
        this.log.write("warn", "configured port taken: listening on a free port", { wanted: cfg.port, holder, port: typeof a === "object" && a ? a.port : null });
      }
    } catch (e) {
      this.log.write("error", "gateway failed to start", { bind: cfg.bind, error: (e as Error).message });
      await this.log.close();
      throw e;
    }
    const addr = server.address();
    this.port = typeof addr === "object" && addr ? addr.port : cfg.port;
    this.guard = makeGuard({ host: cfg.host, port: this.port, tls });
    this.server = server;
    setImmediate(() => void loadWss().catch(() => undefined));
    this.startedAt = Date.now();
    this.unsubscribe = this.runtime.on((e) => {
      metrics.onEvent(e);
      for (const c of this.conns) c.onRuntimeEvent(e);
    });
    this.log.write("info", "gateway started", { bind: cfg.bind, port: this.port, auth: cfg.auth.mode, ui: cfg.control.ui, deviceAuth: cfg.control.deviceAuth, pid: process.pid, version: VERSION, ...(peer ? { peerCheck: `uid ${own} only`, sharedHost: shared!.shared } : {}) });
    return {
      ...this.status(),
      ...(token?.generated ? { tokenGenerated: true } : {}),
      ...(portFallback ? { portFallback } : {}),
      ...(this.access.pairing ? { pairingCode: this.access.pairing.current() } : {}),
    };
  }

  /**
   * Graceful stop: no new connections, running requests get DRAIN_MS to finish (pending
   * approvals are denied, agent turns aborted), then every socket is closed. Idempotent.
   * Exec sessions belong to the runtime: Runtime.close() kills them after this.
   */
  stop(): Promise<void> {
    if (!this.server) return this.stopping ?? Promise.resolve();
    this.stopping ??= this.doStop().finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const server = this.server!;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const closed = new Promise<void>((r) => server.close(() => r()));
    await Promise.allSettled([...this.conns].map((c) => c.shutdown(DRAIN_MS)));
    server.closeIdleConnections();
    const forced = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    forced.unref();
    await closed;
    clearTimeout(forced);
    this.wss?.close();
    this.log.write("info", "gateway stopped", { uptimeMs: Date.now() - this.startedAt });
    await this.log.close();
    this.server = undefined;
    this.wss = undefined;
    this.guard = undefined;
    this.port = null;
    this.conns.clear();
  }
}

function readTls(a: { cert: string; key: string; ca: string }): { cert: Buffer; key: Buffer; ca: Buffer } {
  const read = (what: string, p: string) => {
    if (!p) throw new ConfigError(`gateway.auth mtls needs ${what}`, { fix: 'set gateway.auth to {"mode":"mtls","cert":"…","key":"…","ca":"…"}' });
    try {
      return readFileSync(p);
    } catch (e) {
      throw new ConfigError(`cannot read the mtls ${what} ${p}: ${(e as Error).message}`, { fix: `check gateway.auth.${what} points at a PEM file` });
    }
  };
  return { cert: read("cert", a.cert), key: read("key", a.key), ca: read("ca", a.ca) };
}

/** listen() as a promise, with EADDRINUSE turned into an error that names the port and its holder. */
function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = async (e: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      if (e.code === "EADDRINUSE") {
        const holder = await findPortHolder(host, port);
        reject(
          new OpenClawError(`port ${port} on ${host} is already in use${holder ? ` by ${holder}` : ""}`, {
            code: "port_in_use",
            fix: holder?.startsWith("an openclaw-kernel gateway") ? "it is already running: use it, or stop it first" : `stop that program or change gateway.bind (e.g. "${hostForUrl(host)}:0" for any free port)`,
          }),
        );
      } else if (e.code === "EADDRNOTAVAIL") {
        reject(new ConfigError(`cannot bind ${host}:${port}: the address does not exist on this machine`, { fix: "set gateway.bind to 127.0.0.1:PORT" }));
      } else if (e.code === "EACCES") {
        reject(new OpenClawError(`not allowed to bind ${host}:${port}`, { code: "bind_denied", fix: "use a port above 1024" }));
      } else reject(e);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen({ host, port, exclusive: true });
  });
}
