/**
 * The WebSocket methods: bound to the operation table (runtime/operations), so each
 * method is the same operation the CLI and the magics run. Params are validated by
 * ajv against the operation's schema (bad_params naming the field); policy, exec and
 * audit happen behind the connection's Door, bound to this client when it connected.
 */
import type { Approver, RuntimeEvent } from "../events.js";
import type { Door } from "../governor/types.js";
import type { InvokeResult } from "../skills/types.js";
import { makeServices, operationsFor, validateParams, type OpContext } from "../operations/index.js";
import type { Runtime } from "../runtime.js";
import type { GatewayMetrics } from "./metrics.js";
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
  sendEvent(payload: RuntimeEvent, reqId?: string): void;
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

/** Gateway-side bookkeeping after an operation answers (metrics only; never policy). */
const AFTER: Record<string, (result: unknown, ctx: MethodContext) => void> = {
  "skills.invoke": (r, ctx) => ctx.metrics.recordInvoke(r as InvokeResult),
};

function opContext(ctx: MethodContext): OpContext {
  const rt = ctx.runtime;
  return {
    door: ctx.client.door,
    signal: ctx.client.requestSignal(ctx.reqId),
    approver: ctx.client.approver,
    owner: ctx.client.owner,
    // Every event of a streaming operation (agent.run) goes to the caller, tagged with its request id.
    emit: (e) => ctx.client.sendEvent(e, ctx.reqId),
    services: makeServices({ host: "gateway", env: rt.env, cwd: process.cwd() }, () => Promise.resolve(rt)),
    client: { status: ctx.status, resolveApproval: (a, ok) => ctx.client.resolveApproval(a, ok), subscribe: (t) => ctx.client.subscribe(t), cancel: (id) => ctx.client.cancel(id) },
  };
}

/** One method per operation the gateway reaches. */
export const METHODS: Record<string, Method> = Object.fromEntries(
  operationsFor("gateway").map((op) => [
    op.name,
    async (raw: Record<string, unknown>, ctx: MethodContext) => {
      const params = validateParams(op, raw);
      const result = await op.handler(params, opContext(ctx));
      AFTER[op.name]?.(result, ctx);
      return result;
    },
  ]),
);

/** The method names, for the connect reply and "did you mean". */
export const METHOD_NAMES = ["connect", ...Object.keys(METHODS)].sort();
