/**
 * The one event stream every long operation speaks: agent turns, exec exit notices,
 * RAG indexing progress. The CLI prints them, the kernel renders them live
 * (update_display_data), the gateway forwards them as WebSocket events.
 */
export interface RuntimeEvent {
  /** e.g. "turn.start", "model.delta", "tool.call", "policy.denied", "approval.requested",
   *  "tool.result", "exec.background", "exec.exit", "turn.end", "rag.progress" */
  type: string;
  /** ms since epoch */
  ts: number;
  [key: string]: unknown;
}

export type EventSink = (event: RuntimeEvent) => void;

/** Ask a person to allow a risky action. Resolves true to allow. No approver means deny. */
export interface ApprovalRequest {
  kind: "skill" | "apply_patch";
  /** What will happen, in one line a person can judge. */
  summary: string;
  skill?: string;
  argv?: string[];
  modelRef?: string;
}
export type Approver = (req: ApprovalRequest) => Promise<boolean>;

/** Who is acting: recorded in every audit record. */
export interface Actor {
  host: "cli" | "kernel" | "gateway";
  sessionId: string;
  /** A gateway connection's id, so records tell two clients apart. */
  clientId?: string;
  /** The model ref that asked for this (agent turns), or undefined for a person. */
  modelRef?: string;
  /** The model id the provider reported back. */
  modelId?: string;
}
