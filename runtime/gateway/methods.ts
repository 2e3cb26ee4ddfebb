/**
 * The WebSocket methods. Each one calls the same runtime function the CLI calls: the
 * gateway is a transport, and policy (what may run, approvals, audit) stays in the
 * runtime. Every action goes through the client's Door (runtime/governor), so it is
 * audited with this connection's actor like the CLI's.
 */
import { redactedConfig } from "../config/index.js";
import type { Approver } from "../events.js";
import type { Door } from "../governor/types.js";
import type { Runtime } from "../runtime.js";
import { VERSION } from "../version.js";
import type { GatewayMetrics } from "./metrics.js";
import { MethodError } from "./protocol.js";
import type { GatewayStatus } from "./types.js";

/** What a method may do with the client that called it. */
export interface ClientSession {
  readonly id: string;
  /** Owner tag for exec sessions this client starts: exit notices come back to it. */
  readonly owner: string;
  /** Aborted when the client disconnects or the gateway stops. */
  readonly signal: AbortSignal;
  /** This client's door onto the governor: the actor is gateway/<client id>. */
  readonly door: Door;
  /** Asks this client to approve a risky action (exec.approval.requested / .resolve). */
  readonly approver: Approver;
  sendEvent(event: string, payload: unknown, reqId?: string): void;
  subscribe(types: string[] | null): void;
  resolveApproval(approvalId: string, approve: boolean): boolean;
  /** A signal for one request: aborted by `cancel`, the client leaving, or stop. */
  requestSignal(reqId: string): AbortSignal;
  cancel(reqId: string): boolean;
}

export interface MethodContext {
  runtime: Runtime;
  status(): GatewayStatus;
  metrics: GatewayMetrics;
  client: ClientSession;
  reqId: string;
}

export type Method = (params: Record<string, unknown>, ctx: MethodContext) => Promise<unknown>;

function str(p: Record<string, unknown>, key: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
  const v = p[key];
  if (v === undefined || v === null) {
    if (opts.required) throw new MethodError("bad_params", `params.${key} is required`);
    return undefined;
  }
  if (typeof v !== "string" || (opts.required && v.trim() === "")) throw new MethodError("bad_params", `params.${key} must be a non-empty string`);
  if (opts.max && v.length > opts.max) throw new MethodError("bad_params", `params.${key} is longer than ${opts.max} characters`);
  return v;
}

function int(p: Record<string, unknown>, key: string, min: number, max: number, dflt?: number): number | undefined {
  const v = p[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new MethodError("bad_params", `params.${key} must be an integer from ${min} to ${max}`);
  return v;
}

export const METHODS: Record<string, Method> = {
  async health(_p, ctx) {
    const s = ctx.status();
    return { status: "ok", service: "openclaw-kernel", version: VERSION, uptimeMs: s.uptimeMs };
  },

  async status(_p, ctx) {
    return ctx.status();
  },

  async "config.get"(_p, ctx) {
    return { source: ctx.runtime.source, config: redactedConfig(ctx.runtime.config) };
  },

  async doctor(_p, ctx) {
    const { runDoctor } = await import("../doctor/index.js");
    return runDoctor({ runtime: ctx.runtime, env: ctx.runtime.env });
  },

  async "models.list"(_p, ctx) {
    return (await ctx.runtime.models()).list();
  },

  async "skills.list"(_p, ctx) {
    return { skills: await ctx.client.door.skills() };
  },

  async "skills.invoke"(p, ctx) {
    const name = str(p, "name", { required: true, max: 200 })!;
    const params = p.params ?? {};
    if (typeof params !== "object" || Array.isArray(params)) throw new MethodError("bad_params", "params.params must be an object of skill parameters");
    const result = await ctx.client.door.invoke(name, params as Record<string, unknown>, {
      signal: ctx.client.requestSignal(ctx.reqId),
      approver: ctx.client.approver,
      owner: ctx.client.owner,
    });
    ctx.metrics.recordInvoke(result);
    return result;
  },

  async "agent.run"(p, ctx) {
    const prompt = str(p, "prompt", { required: true, max: 200_000 })!;
    const model = str(p, "model", { max: 300 });
    const maxSteps = int(p, "maxSteps", 1, 100);
    const agent = await ctx.runtime.agent();
    return agent.run({
      prompt,
      ...(model ? { model } : {}),
      ...(maxSteps ? { maxSteps } : {}),
      signal: ctx.client.requestSignal(ctx.reqId),
      approver: ctx.client.approver,
      // The turn acts as the model under this client's door.
      door: ctx.client.door,
      // Stream every event of this turn to the caller, tagged with its request id.
      onEvent: (e) => ctx.client.sendEvent(e.type, e, ctx.reqId),
    });
  },

  async "exec.list"(_p, ctx) {
    return { sessions: await ctx.client.door.execList() };
  },

  async "exec.log"(p, ctx) {
    const id = str(p, "id", { required: true, max: 200 })!;
    return ctx.client.door.execLog(id);
  },

  async "exec.kill"(p, ctx) {
    const id = str(p, "id", { required: true, max: 200 })!;
    // Audited by the governor as action exec.kill with this client's actor (as the CLI's).
    return ctx.client.door.execKill(id);
  },

  async "audit.tail"(p, ctx) {
    const n = int(p, "n", 1, 1000, 20);
    return { records: await ctx.client.door.auditTail(n!) };
  },

  async "exec.approval.resolve"(p, ctx) {
    const approvalId = str(p, "approvalId", { required: true, max: 200 })!;
    if (typeof p.approve !== "boolean") throw new MethodError("bad_params", "params.approve must be true or false");
    if (!ctx.client.resolveApproval(approvalId, p.approve)) throw new MethodError("not_found", `no pending approval ${approvalId} for this client`, "approvals expire after 5 minutes or when the request ends");
    return { approvalId, approved: p.approve };
  },

  async "events.subscribe"(p, ctx) {
    const types = p.types;
    if (types !== undefined && (!Array.isArray(types) || !types.every((t) => typeof t === "string"))) throw new MethodError("bad_params", "params.types must be a list of event-type prefixes");
    ctx.client.subscribe((types as string[] | undefined) ?? []);
    return { subscribed: (types as string[] | undefined) ?? ["*"] };
  },

  async "events.unsubscribe"(_p, ctx) {
    ctx.client.subscribe(null);
    return { subscribed: [] };
  },

  async cancel(p, ctx) {
    const id = str(p, "id", { required: true, max: 128 })!;
    return { id, cancelled: ctx.client.cancel(id) };
  },
};

/** The method names, for the connect reply and "did you mean". */
export const METHOD_NAMES = ["connect", ...Object.keys(METHODS)].sort();
