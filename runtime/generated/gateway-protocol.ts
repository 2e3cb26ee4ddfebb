/* eslint-disable */
// GENERATED from schemas/gateway-protocol.schema.json by scripts/gen-types.mjs (json-schema-to-typescript). Do not edit:
// change the schema, then run `npm run gen:types`; tests/types/generated.test.ts fails while this file is stale.

/**
 * Every frame on the gateway WebSocket (/ws), in both directions. The client's first frame must be a req with method "connect" carrying its credentials (token, pairing code or session).
 */
export type GatewayFrame = ReqFrame | ResFrame | AnyEventFrame;
export type FrameId = string;
/**
 * A reply to one req: ok with a payload, or not ok with an error.
 */
export type ResFrame = ResOkFrame | ResErrorFrame;

export interface ReqFrame {
  type: "req";
  id: FrameId;
  method: string;
  params?: {
    [k: string]: unknown;
  };
}
export interface ResOkFrame {
  type: "res";
  /**
   * The request's id; null when the frame it answers had none (malformed).
   */
  id: FrameId | null;
  ok: true;
  payload: unknown;
}
export interface ResErrorFrame {
  type: "res";
  /**
   * The request's id; null when the frame it answers had none (malformed).
   */
  id: FrameId | null;
  ok: false;
  error: ErrorBody;
}
export interface ErrorBody {
  code: string;
  message: string;
  fix?: string | null;
  details?: string[];
}
export interface AnyEventFrame {
  type: "event";
  event: string;
  payload: unknown;
  seq: number;
  /**
   * For events streamed by a request (agent.run): that request's id.
   */
  reqId?: string;
}
