/**
 * The WebSocket frame contract (schemas/gateway-protocol.schema.json): parse and
 * validate what clients send, build what we send, and turn any thrown error into an
 * error frame a person can act on (never a stack trace).
 */
import { validator } from "../config/schema.js";
import { isOpenClawError } from "../errors.js";

export const PROTOCOL_VERSION = 1;
export const PROTOCOL_SCHEMA = "gateway-protocol.schema.json";

// The frame types are generated from the schemas (npm run gen:types): requests and replies
// from gateway-protocol.schema.json, event frames (a RuntimeEvent as payload) from
// gateway-event.schema.json.
import type { ErrorBody, ReqFrame, ResErrorFrame, ResFrame, ResOkFrame } from "../generated/gateway-protocol.js";
import type { EventFrame } from "../generated/gateway-event.js";

export type { ErrorBody, ReqFrame, ResFrame, ResOkFrame, ResErrorFrame } from "../generated/gateway-protocol.js";
export type { EventFrame } from "../generated/gateway-event.js";

export type Frame = ReqFrame | ResFrame | EventFrame;

/** An error that is already phrased for the client: becomes an error frame as is. */
export class MethodError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

export function validateFrame(value: unknown): { ok: true } | { ok: false; message: string } {
  const v = validator(PROTOCOL_SCHEMA);
  if (v(value)) return { ok: true };
  const e = (v.errors ?? [])[0];
  return { ok: false, message: e ? `${e.instancePath || "frame"} ${e.message}` : "does not match the protocol schema" };
}

/**
 * Text from the socket -> a request frame, or the error frame to send back. The id of
 * a frame that fails validation is echoed when it is a usable string, so a client can
 * still match the error to what it sent.
 */
/** Deeper JSON than any method needs; recursive code downstream (validation, params) would overflow. */
export const MAX_DEPTH = 32;

/** How deep a parsed JSON value nests, measured without recursion (the input is untrusted). */
export function nestingDepth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > max) max = d;
    if (max > MAX_DEPTH) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

export function parseRequest(text: string): { req: ReqFrame } | { error: ResErrorFrame } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: errorFrame(null, { code: "bad_frame", message: "frame is not valid JSON", fix: 'send {"type":"req","id":"1","method":"health"}' }) };
  }
  const idOf = (v: unknown) => {
    const id = (v as { id?: unknown } | null)?.id;
    return typeof id === "string" && id.length > 0 && id.length <= 128 ? id : null;
  };
  if (nestingDepth(value) > MAX_DEPTH) {
    return { error: errorFrame(idOf(value), { code: "bad_frame", message: `frame nests deeper than ${MAX_DEPTH} levels`, fix: "send flat params: method arguments are small JSON objects" }) };
  }
  const check = validateFrame(value);
  if (!check.ok) return { error: errorFrame(idOf(value), { code: "bad_frame", message: `invalid frame: ${check.message}`, fix: "see schemas/gateway-protocol.schema.json" }) };
  if ((value as Frame).type !== "req") return { error: errorFrame(idOf(value), { code: "bad_frame", message: `clients send "req" frames, not "${(value as Frame).type}"` }) };
  return { req: value as ReqFrame };
}

export function okFrame(id: string, payload: unknown): ResOkFrame {
  return { type: "res", id, ok: true, payload: payload === undefined ? null : payload };
}

export function errorFrame(id: string | null, error: ErrorBody): ResErrorFrame {
  const e: ErrorBody = { code: error.code, message: error.message };
  if (error.fix) e.fix = error.fix;
  if (error.details?.length) e.details = error.details;
  return { type: "res", id, ok: false, error: e };
}

/** Any thrown value -> an error body. Unknown errors keep only their message. */
export function toErrorBody(e: unknown): ErrorBody {
  if (e instanceof MethodError) return { code: e.code, message: e.message, fix: e.fix };
  if (isOpenClawError(e)) return { code: e.code, message: e.message, fix: e.fix, details: e.details };
  if (e instanceof Error) return { code: e.name === "AbortError" ? "aborted" : "internal", message: e.message };
  return { code: "internal", message: String(e) };
}
