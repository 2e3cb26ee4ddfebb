/**
 * One WebSocket client: the `connect` handshake (credentials in the first frame, never
 * in the URL), then request/response frames, streamed events, approvals and
 * cancellation. A malformed or unknown frame gets an error frame; nothing a client
 * sends can throw out of here.
 */
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import { didYouMean } from "../config/index.js";
import type { Approver, RuntimeEvent } from "../events.js";
import type { Door } from "../governor/types.js";
import type { Runtime } from "../runtime.js";
import { VERSION } from "../version.js";
import type { Access, AccessVerdict } from "./access.js";
import type { GatewayLog } from "./log.js";
import { METHOD_NAMES, METHODS, type ClientSession } from "./methods.js";
import type { GatewayMetrics } from "./metrics.js";
import { errorFrame, okFrame, parseRequest, PROTOCOL_VERSION, toErrorBody, type Frame, type ReqFrame } from "./protocol.js";
import type { GatewayStatus } from "./types.js";

export interface ConnectionDeps {
  runtime: Runtime;
  metrics: GatewayMetrics;
  log: GatewayLog;
  access: Access;
  status(): GatewayStatus;
  /** Whether the TLS layer already authenticated the peer (mtls). */
  tlsAuthorized: boolean;
  /** How long an open socket may take to complete `connect` (default 10 s). */
  connectTimeoutMs?: number;
}

/** How long a client may take to send `connect`, and how long an approval waits. */
const CONNECT_TIMEOUT_MS = 10_000;
const APPROVAL_TIMEOUT_MS = 5 * 60_000;
/** Events are dropped (not responses) for a client this far behind. */
const MAX_BUFFERED = 8 * 1024 * 1024;

// Close codes in the private range: 4401 unauthorized, 4408 connect timeout, 4429 rate limited.
export const CLOSE = { UNAUTHORIZED: 4401, CONNECT_TIMEOUT: 4408, RATE_LIMITED: 4429, GOING_AWAY: 1001 } as const;

export class Connection implements ClientSession {
  readonly id = randomUUID();
  readonly owner = `gateway:${this.id}`;
  /** This client's door: every action it asks for is the governor's, audited as gateway/<this id>. */
  readonly door: Door;
  private readonly abort = new AbortController();
  readonly signal: AbortSignal = this.abort.signal;
  private ready = false;
  /** A connect frame is being checked (its answer may be delayed by the limiter). */
  private checking = false;
  private seq = 0;
  private subscription: string[] | null = null;
  private readonly requests = new Map<string, AbortController>();
  private readonly approvals = new Map<string, (ok: boolean) => void>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly connectTimer: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    readonly addr: string,
    private readonly deps: ConnectionDeps,
  ) {
    this.door = deps.runtime.door({ host: "gateway", clientId: this.id });
    this.connectTimer = setTimeout(() => {
      this.ws.close(CLOSE.CONNECT_TIMEOUT, "connect frame not received in time");
      // A client that never answers the close handshake would keep its socket for ws's 30 s.
      setTimeout(() => this.ws.terminate(), 1000).unref();
    }, deps.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
    this.connectTimer.unref();
    ws.on("message", (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on("close", () => this.onClose());
    ws.on("error", () => {
      /* "close" follows; ws reports oversized frames here (and closes with 1009) */
    });
  }

  get authenticated(): boolean {
    return this.ready;
  }

  private send(frame: Frame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
  }

  /** One event frame (schemas/gateway-event.schema.json): `event` is always the payload's type. */
  sendEvent(payload: RuntimeEvent, reqId?: string): void {
    if (!this.ready || this.ws.bufferedAmount > MAX_BUFFERED) return;
    this.send({ type: "event", event: payload.type, payload, seq: ++this.seq, ...(reqId ? { reqId } : {}) });
  }

  /** A runtime bus event: exit notices go to the client that owns the session; the rest to subscribers. */
  onRuntimeEvent(e: RuntimeEvent): void {
    if (!this.ready) return;
    const mine = (e.type === "exec.exit" || e.type === "exec.background") && e.owner === this.owner;
    const wanted = this.subscription !== null && (this.subscription.length === 0 || this.subscription.some((p) => e.type.startsWith(p)));
    if (mine || wanted) this.sendEvent(e);
  }

  subscribe(types: string[] | null): void {
    this.subscription = types;
  }

  readonly approver: Approver = (req) =>
    new Promise<boolean>((resolve) => {
      if (this.signal.aborted) return resolve(false);
      const approvalId = randomUUID();
      const timer = setTimeout(() => finish(false), APPROVAL_TIMEOUT_MS);
      timer.unref();
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.approvals.delete(approvalId);
        resolve(ok);
      };
      this.approvals.set(approvalId, finish);
      this.sendEvent({ type: "exec.approval.requested", ts: Date.now(), approvalId, ...req, expiresInMs: APPROVAL_TIMEOUT_MS });
    });

  resolveApproval(approvalId: string, approve: boolean): boolean {
    const f = this.approvals.get(approvalId);
    if (!f) return false;
    f(approve);
    return true;
  }

  requestSignal(reqId: string): AbortSignal {
    let c = this.requests.get(reqId);
    if (!c) {
      c = new AbortController();
      this.requests.set(reqId, c);
    }
    return AbortSignal.any([c.signal, this.signal]);
  }

  cancel(reqId: string): boolean {
    const c = this.requests.get(reqId);
    if (!c) return false;
    c.abort();
    return true;
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      this.send(errorFrame(null, { code: "bad_frame", message: "binary frames are not accepted; send JSON text frames" }));
      return;
    }
    const parsed = parseRequest(data.toString("utf8"));
    if ("error" in parsed) {
      this.deps.log.write("warn", "ws bad frame", { client: this.id, addr: this.addr, error: parsed.error.error.message });
      this.send(parsed.error);
      return;
    }
    const req = parsed.req;
    if (this.checking) {
      this.send(errorFrame(req.id, { code: "connect_pending", message: "the connect frame is still being checked; wait for its answer" }));
      return;
    }
    if (!this.ready) {
      this.handshake(req);
      return;
    }
    if (req.method === "connect") {
      this.send(errorFrame(req.id, { code: "already_connected", message: "this socket already completed connect" }));
      return;
    }
    const p = this.dispatch(req).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private handshake(req: ReqFrame): void {
    if (req.method !== "connect") {
      this.send(errorFrame(req.id, { code: "unauthorized", message: `the first frame must be "connect", got "${req.method}"`, fix: 'send {"type":"req","id":"1","method":"connect","params":{"token":"…"}} first' }));
      this.ws.close(CLOSE.UNAUTHORIZED, "connect first");
      return;
    }
    const p = req.params ?? {};
    const s = (k: string) => (typeof p[k] === "string" ? (p[k] as string) : undefined);
    // One connect at a time: a wrong credential is answered after the limiter's delay,
    // and frames sent meanwhile must not start a second check.
    this.checking = true;
    void this.deps.access
      .check({ token: s("token"), pairingCode: s("pairingCode"), session: s("session") }, this.addr, "ws", this.deps.tlsAuthorized)
      .then((verdict) => this.connected(req, p, verdict))
      .catch((e) => {
        this.deps.log.write("error", "ws connect check failed", { client: this.id, error: (e as Error).message });
        this.ws.close(CLOSE.UNAUTHORIZED, "connect failed");
      })
      .finally(() => (this.checking = false));
  }

  private connected(req: ReqFrame, p: Record<string, unknown>, verdict: AccessVerdict): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (!verdict.ok) {
      this.deps.log.write("warn", "ws connect refused", { client: this.id, addr: this.addr, code: verdict.code });
      this.send(errorFrame(req.id, { code: verdict.code, message: verdict.message, fix: verdict.fix }));
      this.ws.close(verdict.code === "rate_limited" ? CLOSE.RATE_LIMITED : CLOSE.UNAUTHORIZED, verdict.code);
      return;
    }
    clearTimeout(this.connectTimer);
    this.ready = true;
    this.deps.metrics.wsClients.inc();
    const client = p.client && typeof p.client === "object" ? String((p.client as { name?: unknown }).name ?? "").slice(0, 64) : "";
    this.deps.log.write("info", "ws connected", { client: this.id, addr: this.addr, name: client || undefined });
    this.send(
      okFrame(req.id, {
        protocol: PROTOCOL_VERSION,
        server: { service: "openclaw-kernel", version: VERSION },
        clientId: this.id,
        methods: METHOD_NAMES,
        ...(verdict.session ? { session: verdict.session } : {}),
      }),
    );
  }

  private async dispatch(req: ReqFrame): Promise<void> {
    // Own keys only: "constructor" or "toString" must not resolve through the prototype.
    const method = Object.hasOwn(METHODS, req.method) ? METHODS[req.method] : undefined;
    if (!method) {
      const g = didYouMean(req.method, METHOD_NAMES);
      this.deps.metrics.wsMethods.inc({ method: "unknown", ok: "false" });
      this.send(errorFrame(req.id, { code: "unknown_method", message: `unknown method "${req.method}"${g ? `; did you mean "${g}"?` : ""}`, fix: `methods: ${METHOD_NAMES.join(", ")}` }));
      return;
    }
    const t0 = performance.now();
    try {
      const payload = await method(req.params ?? {}, { runtime: this.deps.runtime, status: this.deps.status, metrics: this.deps.metrics, client: this, reqId: req.id });
      this.deps.metrics.wsMethods.inc({ method: req.method, ok: "true" });
      this.send(okFrame(req.id, payload));
    } catch (e) {
      const body = toErrorBody(e);
      this.deps.metrics.wsMethods.inc({ method: req.method, ok: "false" });
      this.deps.log.write("warn", "ws method failed", { client: this.id, method: req.method, code: body.code, message: body.message });
      this.send(errorFrame(req.id, body));
    } finally {
      this.requests.delete(req.id);
      if (req.method !== "health") this.deps.log.write("info", "ws request", { client: this.id, method: req.method, ms: Math.round(performance.now() - t0) });
    }
  }

  private onClose(): void {
    clearTimeout(this.connectTimer);
    this.abort.abort();
    for (const f of [...this.approvals.values()]) f(false); // a client that left approves nothing
    if (this.ready) this.deps.log.write("info", "ws closed", { client: this.id });
    this.ready = false;
  }

  /**
   * Graceful stop: pending approvals are denied (nobody should approve into a stopping
   * gateway), running requests get drainMs to finish on their own, then they are
   * aborted and get a moment to answer, then the socket closes.
   */
  async shutdown(drainMs: number): Promise<void> {
    for (const f of [...this.approvals.values()]) f(false);
    const settled = (ms: number) => (this.inflight.size ? Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => setTimeout(r, ms).unref())]) : Promise.resolve());
    await settled(drainMs);
    this.abort.abort();
    await settled(1000);
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(CLOSE.GOING_AWAY, "gateway stopping");
    const closed = new Promise<void>((r) => (this.ws.readyState === this.ws.CLOSED ? r() : this.ws.once("close", () => r())));
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
    if (this.ws.readyState !== this.ws.CLOSED) this.ws.terminate();
  }
}
