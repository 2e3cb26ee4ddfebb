/**
 * Shared by the gateway tests: a real Runtime (tests/fixtures/runtime.ts: temp workspace,
 * state dir, the fixture skills) with a real Gateway on an ephemeral loopback port, and a
 * small WebSocket client. No fakes: every method reaches the real parts through the
 * connection's door, as in production.
 */
import WebSocket from "ws";
import type { RuntimeEvent } from "../../runtime/events.js";
import type { Gateway, StartResult } from "../../runtime/gateway/index.js";
import { validateFrame } from "../../runtime/gateway/protocol.js";
import { validator } from "../../runtime/config/schema.js";
import { makeRuntime } from "../fixtures/runtime.js";

type T = { after(fn: () => void | Promise<void>): void };

/** A started gateway from a gateway config section (and any other config); stopped, its runtime closed, after the test. */
export async function startGateway(t: T, gateway: Record<string, unknown> = {}, opts: { env?: NodeJS.ProcessEnv; config?: Record<string, any> } = {}) {
  const fx = makeRuntime(t, { host: "kernel", env: opts.env, config: { ...(opts.config ?? {}), gateway: { bind: "127.0.0.1:0", ...gateway } } });
  const { rt, dir } = fx;
  const gw = (await rt.gateway()) as Gateway;
  const pairing: string[] = [];
  const started: StartResult = await gw.start({ onPairingCode: (c) => pairing.push(c) });
  t.after(() => gw.stop());
  const base = `http://127.0.0.1:${started.port}`;
  return { fx, rt, gw, dir, started, port: started.port!, base, pairing };
}

/** Raw HTTP GET with full control over Host/Origin (fetch forbids setting Host). */
export async function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; json(): any }> {
  const http = await import("node:http");
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: "GET", headers: { Host: `127.0.0.1:${port}`, ...headers }, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body) }));
    });
    req.on("error", reject);
    req.end();
  });
}

export interface WsClient {
  ws: WebSocket;
  frames: any[];
  events: any[];
  /** Event frames that break schemas/gateway-event.schema.json (tests on the real runtime assert none). */
  badEvents: string[];
  /** Sends a req and resolves with its res frame. */
  call(method: string, params?: Record<string, unknown>): Promise<any>;
  sendRaw(data: string | Buffer): void;
  /** Resolves with the first event matching. */
  waitEvent(pred: (e: any) => boolean, timeoutMs?: number): Promise<any>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

let ids = 0;

/** Opens /ws (Host/Origin overridable) and, unless connect is false, sends the connect frame. */
export async function wsClient(port: number, opts: { headers?: Record<string, string>; connect?: Record<string, unknown> | false; path?: string } = {}): Promise<WsClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${opts.path ?? "/ws"}`, { headers: opts.headers, perMessageDeflate: false });
  const frames: any[] = [];
  const events: any[] = [];
  const badEvents: string[] = [];
  const eventSchema = validator("gateway-event.schema.json");
  const waiters = new Map<string, (f: any) => void>();
  const eventWaiters: Array<{ pred: (e: any) => boolean; resolve: (e: any) => void }> = [];
  ws.on("message", (d) => {
    const f = JSON.parse(String(d));
    const v = validateFrame(f);
    if (!v.ok) throw new Error(`server sent a frame that breaks the protocol schema: ${v.message}: ${String(d)}`);
    frames.push(f);
    if (f.type === "event") {
      events.push(f);
      if (!(eventSchema as (v: unknown) => boolean)(f) || f.event !== f.payload.type) badEvents.push(`${f.event}: ${(eventSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message}${"additionalProperty" in e.params ? ` (${e.params.additionalProperty})` : ""}`).join("; ") || "event differs from payload.type"}: ${String(d).slice(0, 300)}`);
      for (const w of [...eventWaiters]) if (w.pred(f)) {
        eventWaiters.splice(eventWaiters.indexOf(w), 1);
        w.resolve(f);
      }
    } else if (f.id && waiters.has(f.id)) {
      waiters.get(f.id)!(f);
      waiters.delete(f.id);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
  });
  const c: WsClient = {
    ws,
    frames,
    events,
    badEvents,
    call(method, params) {
      const id = `r${++ids}`;
      return new Promise((resolve, reject) => {
        waiters.set(id, resolve);
        ws.send(JSON.stringify({ type: "req", id, method, ...(params ? { params } : {}) }), (e) => e && reject(e));
        void closed.then((cl) => waiters.has(id) && reject(Object.assign(new Error(`closed ${cl.code} before reply to ${method}`), cl)));
      });
    },
    sendRaw(data) {
      ws.send(data);
    },
    waitEvent(pred, timeoutMs = 5000) {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("timed out waiting for an event")), timeoutMs);
        eventWaiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    closed,
    close() {
      ws.close();
    },
  };
  if (opts.connect !== false) {
    const res = await c.call("connect", opts.connect ?? {});
    if (!res.ok) Object.assign(c, { connectError: res.error });
  }
  return c;
}

export type { RuntimeEvent };
