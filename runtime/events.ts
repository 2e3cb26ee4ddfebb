/**
 * The one event stream every long operation speaks: agent turns, exec exit notices,
 * RAG indexing progress. The CLI prints them, the kernel renders them live
 * (update_display_data), the gateway forwards them as WebSocket events.
 *
 * The events are defined once, in schemas/gateway-event.schema.json; RuntimeEvent is the
 * discriminated union generated from it (runtime/generated/gateway-event.ts). Switch on
 * `type` and the fields are typed: an emitter that renames a field no longer compiles.
 */
import type { AuditRecord } from "./generated/audit-record.js";
import type { ApprovalKind, RuntimeEvent } from "./generated/gateway-event.js";

export type {
  RuntimeEvent,
  EventFrame,
  EventUsage,
  TurnStatus,
  ApprovalKind,
  TurnStartEvent,
  ModelRequestEvent,
  ModelDeltaEvent,
  ModelResponseEvent,
  ModelWarningEvent,
  TurnErrorEvent,
  TurnEndEvent,
  ToolCallEvent,
  ToolResultEvent,
  PolicyDeniedEvent,
  ApprovalRequestedEvent,
  ApprovalResolvedEvent,
  ExecApprovalRequestedEvent,
  ExecBackgroundEvent,
  ExecExitEvent,
  RagProgressEvent,
  RagWarningEvent,
  RagPullEvent,
  GatewayPairingEvent,
  GatewayLogEvent,
} from "./generated/gateway-event.js";

/** "turn.start" | "model.delta" | … */
export type RuntimeEventType = RuntimeEvent["type"];

/** The event of one type: EventOf<"tool.call"> is ToolCallEvent. */
export type EventOf<T extends RuntimeEventType> = Extract<RuntimeEvent, { type: T }>;

/** An event as an emitter writes it: `ts` is filled by the bus when absent (distributes over the union). */
export type RuntimeEventInput = RuntimeEvent extends infer E ? (E extends RuntimeEvent ? Omit<E, "ts"> & { ts?: number } : never) : never;

export type EventSink = (event: RuntimeEvent) => void;

/** Ask a person to allow a risky action. Resolves true to allow. No approver means deny. */
export interface ApprovalRequest {
  kind: ApprovalKind;
  /** What will happen, in one line a person can judge. */
  summary: string;
  skill?: string;
  argv?: string[];
  modelRef?: string;
}
export type Approver = (req: ApprovalRequest) => Promise<boolean>;

/**
 * Who is acting: recorded in every audit record (schemas/audit-record.schema.json#actor).
 * modelRef is the model ref that asked (agent turns), undefined for a person; modelId
 * the model id the provider reported back.
 */
export type Actor = AuditRecord["actor"];
