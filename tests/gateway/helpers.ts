/**
 * Shared by the gateway tests: a real Runtime on a temp state dir, a real Gateway on an
 * ephemeral loopback port, optional fake runtime parts (so the gateway's transport is
 * tested without depending on other areas' progress), and a small WebSocket client.
 */
import { join } from "node:path";
import WebSocket from "ws";
import { checkText } from "../../runtime/config/index.js";
import type { RuntimeEvent } from "../../runtime/events.js";
import type { Gateway, StartResult } from "../../runtime/gateway/index.js";
import { validateFrame } from "../../runtime/gateway/protocol.js";
import { Runtime } from "../../runtime/runtime.js";
import { tmp, writeFile } from "../helpers/index.js";

export interface FakeParts {
  skills?: object;
  exec?: object;
  audit?: object;
  agent?: object;
  models?: object;
}

/** A Runtime whose parts can be replaced by fakes. */
export class TestRuntime extends Runtime {
  fakes: FakeParts = {};
  override skills() {
    return this.fakes.skills ? Promise.resolve(this.fakes.skills as never) : super.skills();
  }
  override exec() {
    return this.fakes.exec ? Promise.resolve(this.fakes.exec as never) : super.exec();
  }
  override audit() {
    return this.fakes.audit ? Promise.resolve(this.fakes.audit as never) : super.audit();
  }
  override agent() {
    return this.fakes.agent ? Promise.resolve(this.fakes.agent as never) : super.agent();
  }
  override models() {
    return this.fakes.models ? Promise.resolve(this.fakes.models as never) : super.models();
  }
}

type T = { after(fn: () => void | Promise<void>): void };

/** A runtime from a gateway config section, on its own temp state dir. */
export function makeRuntime(t: T, gateway: Record<string, unknown> = {}, opts: { env?: NodeJS.ProcessEnv; fakes?: FakeParts; dir?: string } = {}): { rt: TestRuntime; dir: string } {
  const dir = opts.dir ?? tmp(t, "oc-gw-");
  const path = writeFile(join(dir, "openclaw.json"), { gateway: { bind: "127.0.0.1:0", ...gateway }, stateDir: "./state" });
  const env = { ...opts.env };
  const checked = checkText(JSON.stringify({ gateway: { bind: "127.0.0.1:0", ...gateway }, stateDir: "./state" }), { path, via: "--config", baseDir: dir }, env);
  if (!checked.config) throw new Error("bad test config: " + JSON.stringify(checked.issues));
  const rt = new TestRuntime({ config: checked.config, source: checked.source, raw: checked.raw }, { host: "kernel", env });
  rt.fakes = opts.fakes ?? {};
  t.after(() => rt.close());
  return { rt, dir };
}

/** A started gateway; stopped (and its runtime closed) after the test. */
export async function startGateway(t: T, gateway: Record<string, unknown> = {}, opts: { env?: NodeJS.ProcessEnv; fakes?: FakeParts } = {}) {
  const { rt, dir } = makeRuntime(t, gateway, opts);
  const gw = (await rt.gateway()) as Gateway;
  const pairing: string[] = [];
  const started: StartResult = await gw.start({ onPairingCode: (c) => pairing.push(c) });
  t.after(() => gw.stop());
  const base = `http://127.0.0.1:${started.port}`;
  return { rt, gw, dir, started, port: started.port!, base, pairing };
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
  const waiters = new Map<string, (f: any) => void>();
  const eventWaiters: Array<{ pred: (e: any) => boolean; resolve: (e: any) => void }> = [];
  ws.on("message", (d) => {
    const f = JSON.parse(String(d));
    const v = validateFrame(f);
    if (!v.ok) throw new Error(`server sent a frame that breaks the protocol schema: ${v.message}: ${String(d)}`);
    frames.push(f);
    if (f.type === "event") {
      events.push(f);
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
