/* eslint-disable */
// GENERATED from schemas/gateway-event.schema.json by scripts/gen-types.mjs (json-schema-to-typescript). Do not edit:
// change the schema, then run `npm run gen:types`; tests/types/generated.test.ts fails while this file is stale.

/**
 * One event of the runtime's stream, told apart by `type`.
 */
export type RuntimeEvent =
  | TurnStartEvent
  | ModelRequestEvent
  | ModelDeltaEvent
  | ModelResponseEvent
  | ModelWarningEvent
  | TurnNoteEvent
  | TurnErrorEvent
  | TurnEndEvent
  | ToolCallEvent
  | ToolResultEvent
  | PolicyDeniedEvent
  | ApprovalRequestedEvent
  | ApprovalResolvedEvent
  | ExecApprovalRequestedEvent
  | ExecBackgroundEvent
  | ExecExitEvent
  | RagProgressEvent
  | RagWarningEvent
  | RagPullEvent
  | GatewayPairingEvent
  | GatewayLogEvent;
/**
 * When it happened, ms since the epoch.
 */
export type EventTime = number;
/**
 * The agent turn this event belongs to.
 */
export type TurnId = string;
export type TurnStatus = "ok" | "max_steps" | "aborted" | "timeout" | "error";
export type ApprovalKind = "skill" | "apply_patch";

/**
 * An event frame the gateway sends on /ws: one runtime event as its payload (the CLI prints the same events, the kernel renders them). `event` repeats payload.type. runtime/generated/gateway-event.ts is generated from this file (npm run gen:types): it is the one source of the RuntimeEvent union.
 */
export interface EventFrame {
  type: "event";
  /**
   * The payload's type.
   */
  event: string;
  payload: RuntimeEvent;
  /**
   * Per connection, +1 per event.
   */
  seq: number;
  /**
   * For events streamed by a request (agent.run): that request's id.
   */
  reqId?: string;
}
/**
 * An agent turn began.
 */
export interface TurnStartEvent {
  type: "turn.start";
  ts: EventTime;
  turnId?: TurnId;
  model: string;
  provider: string;
  scripted: boolean;
  prompt: string;
  maxSteps: number;
  turnTimeoutSec: number;
  /**
   * The conversation thread this turn continues (one per kernel session by default).
   */
  thread?: string;
}
/**
 * The turn asks the model (one step).
 */
export interface ModelRequestEvent {
  type: "model.request";
  ts: EventTime;
  turnId?: TurnId;
  /**
   * The model call (1-based) this event belongs to; 0 before the first.
   */
  step: number;
  model: string;
  /**
   * How many messages are sent.
   */
  messages: number;
  /**
   * Names of the tools offered.
   */
  tools: string[];
}
/**
 * Text the model streamed.
 */
export interface ModelDeltaEvent {
  type: "model.delta";
  ts: EventTime;
  turnId?: TurnId;
  /**
   * The model call (1-based) this event belongs to; 0 before the first.
   */
  step: number;
  text: string;
}
/**
 * The model's answer to one request.
 */
export interface ModelResponseEvent {
  type: "model.response";
  ts: EventTime;
  turnId?: TurnId;
  /**
   * The model call (1-based) this event belongs to; 0 before the first.
   */
  step: number;
  content: string;
  toolCalls: {
    id: string;
    name: string;
  }[];
  finishReason: string | null;
  modelId: string | null;
  usage: EventUsage | null;
  durationMs: number;
  /**
   * Estimated cost of this step from models.prices.
   */
  cost?: Cost | null;
}
export interface EventUsage {
  promptTokens: number;
  completionTokens: number;
}
export interface Cost {
  amount: number;
  currency: string;
}
/**
 * The provider answered with another model than the ref asked for.
 */
export interface ModelWarningEvent {
  type: "model.warning";
  ts: EventTime;
  turnId?: TurnId;
  /**
   * The model call (1-based) this event belongs to; 0 before the first.
   */
  step: number;
  message: string;
  asked: string;
  reported: string;
  fix: string;
}
/**
 * Something the turn did that the reader should know (history trimmed to fit the context).
 */
export interface TurnNoteEvent {
  type: "turn.note";
  ts: EventTime;
  turnId?: TurnId;
  step: number;
  message: string;
}
/**
 * The turn failed; turn.end follows with status error.
 */
export interface TurnErrorEvent {
  type: "turn.error";
  ts: EventTime;
  turnId?: TurnId;
  /**
   * The model call (1-based) this event belongs to; 0 before the first.
   */
  step: number;
  message: string;
  code: string | null;
}
/**
 * An agent turn ended (always the last event of a turn).
 */
export interface TurnEndEvent {
  type: "turn.end";
  ts: EventTime;
  turnId?: TurnId;
  status: TurnStatus;
  steps: number;
  model: string;
  modelId: string | null;
  scripted: boolean;
  usage: EventUsage | null;
  durationMs: number;
  modelMs: number;
  toolMs: number;
  overheadMs: number;
  error?: string;
  /**
   * The conversation thread of the turn.
   */
  thread?: string;
  /**
   * Estimated cost from models.prices (null when the model has no price).
   */
  cost?: Cost | null;
  /**
   * Id of the turn's saved transcript (`agent export ID`), null when it could not be saved.
   */
  recording?: string | null;
}
/**
 * The model called a tool (a skill or apply_patch).
 */
export interface ToolCallEvent {
  type: "tool.call";
  ts: EventTime;
  turnId?: TurnId;
  /**
   * The model call (1-based) this event belongs to; 0 before the first.
   */
  step: number;
  /**
   * The model's id of the tool call this event belongs to.
   */
  callId: string;
  /**
   * The tool's name (a skill's name, or apply_patch).
   */
  name: string;
  /**
   * The parsed JSON arguments, or the raw text when they are not JSON.
   */
  arguments:
    | {
        [k: string]: unknown;
      }
    | unknown[]
    | string
    | number
    | boolean
    | null;
}
/**
 * What the tool call came to (after policy, approval and exec).
 */
export interface ToolResultEvent {
  type: "tool.result";
  ts: EventTime;
  turnId?: TurnId;
  /**
   * The model call (1-based) this event belongs to; 0 before the first.
   */
  step: number;
  /**
   * The model's id of the tool call this event belongs to.
   */
  callId: string;
  name: string;
  status: "ok" | "failed" | "timeout" | "running" | "denied";
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number | null;
  argv: string[] | null;
  /**
   * The exec session id.
   */
  id: string | null;
  /**
   * The output's tail (at most 2000 characters, after a leading …), or the whole output when it is one JSON document of at most 16000 characters.
   */
  stdout: string;
  /**
   * The output's tail (at most 2000 characters).
   */
  stderr: string;
  reason: string | null;
  rule: string | null;
  /**
   * Files apply_patch changed.
   */
  files: string[] | null;
}
/**
 * A policy rule refused an action (audited).
 */
export interface PolicyDeniedEvent {
  type: "policy.denied";
  ts: EventTime;
  turnId?: TurnId;
  /**
   * The skill (or apply_patch) refused.
   */
  skill: string;
  /**
   * The policy rule id.
   */
  rule: string | null;
  reason: string;
  /**
   * The model call (1-based) this event belongs to; 0 before the first.
   */
  step?: number;
  /**
   * The model's id of the tool call this event belongs to.
   */
  callId?: string;
}
/**
 * A person is asked to allow a risky action.
 */
export interface ApprovalRequestedEvent {
  type: "approval.requested";
  ts: EventTime;
  turnId?: TurnId;
  kind: ApprovalKind;
  summary: string;
  skill?: string;
  argv?: string[];
  modelRef?: string;
  /**
   * The model call (1-based) this event belongs to; 0 before the first.
   */
  step?: number;
  /**
   * The model's id of the tool call this event belongs to.
   */
  callId?: string;
}
/**
 * The person's answer to approval.requested.
 */
export interface ApprovalResolvedEvent {
  type: "approval.resolved";
  ts: EventTime;
  turnId?: TurnId;
  /**
   * The model call (1-based) this event belongs to; 0 before the first.
   */
  step: number;
  /**
   * The model's id of the tool call this event belongs to.
   */
  callId: string;
  granted: boolean;
}
/**
 * Gateway only: this client is asked to approve (answer with exec.approval.resolve and the approvalId).
 */
export interface ExecApprovalRequestedEvent {
  type: "exec.approval.requested";
  ts: EventTime;
  turnId?: TurnId;
  approvalId: string;
  expiresInMs: number;
  kind: ApprovalKind;
  summary: string;
  skill?: string;
  argv?: string[];
  modelRef?: string;
}
/**
 * A run outlived its background window and continues as a session.
 */
export interface ExecBackgroundEvent {
  type: "exec.background";
  ts: EventTime;
  turnId?: TurnId;
  /**
   * The exec session id.
   */
  id: string;
  /**
   * Who gets the exit notice.
   */
  owner?: string;
  backgroundMs?: number;
  argv?: string[];
  pid?: number | null;
  /**
   * The tool call's skill (agent turns).
   */
  skill?: string;
  /**
   * The model call (1-based) this event belongs to; 0 before the first.
   */
  step?: number;
  /**
   * The model's id of the tool call this event belongs to.
   */
  callId?: string;
}
/**
 * A background session ended (told once).
 */
export interface ExecExitEvent {
  type: "exec.exit";
  ts: EventTime;
  turnId?: TurnId;
  /**
   * The exec session id.
   */
  id: string;
  owner?: string;
  status?: "ok" | "failed" | "timeout" | "running" | "aborted";
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /**
   * The last lines of output.
   */
  tail: string;
  /**
   * The model call (1-based) this event belongs to; 0 before the first.
   */
  step?: number;
}
/**
 * Indexing progress.
 */
export interface RagProgressEvent {
  type: "rag.progress";
  ts: EventTime;
  turnId?: TurnId;
  done: number;
  total: number;
  file?: string;
  phase: "scan" | "embed" | "write" | "done";
}
/**
 * The index was rebuilt or could not be saved.
 */
export interface RagWarningEvent {
  type: "rag.warning";
  ts: EventTime;
  turnId?: TurnId;
  message: string;
}
/**
 * rag pull is downloading a file.
 */
export interface RagPullEvent {
  type: "rag.pull";
  ts: EventTime;
  turnId?: TurnId;
  message: string;
}
/**
 * A one-use pairing code for the control UI.
 */
export interface GatewayPairingEvent {
  type: "gateway.pairing";
  ts: EventTime;
  turnId?: TurnId;
  message: string;
}
/**
 * A line of the gateway log (gateway logs --follow).
 */
export interface GatewayLogEvent {
  type: "gateway.log";
  ts: EventTime;
  turnId?: TurnId;
  message: string;
}
