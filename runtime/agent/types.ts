import type { Approver, RuntimeEvent, TurnStatus } from "../events.js";
import type { Door } from "../governor/types.js";
import type { OutputFormat } from "./format.js";

export interface TurnRequest {
  prompt: string;
  /** A pinned ref; default agentDefaults.model. */
  model?: string;
  /** Model calls at most; default agentDefaults.maxSteps. */
  maxSteps?: number;
  /** The kernel's Stop button, SIGINT. */
  signal?: AbortSignal;
  /** Asks a person about risky actions; absent means deny. */
  approver?: Approver;
  /**
   * The person's door of the front door that asked (a gateway connection's): the turn's
   * tool calls act as the model under it. Default: the runtime's own door.
   */
  door?: Door;
  /** Every event of this turn, as it happens. */
  onEvent?: (e: RuntimeEvent) => void;
  /** Stream model output (model.delta events); default true. */
  stream?: boolean;
  /** The conversation thread to continue (made if new); default the session's current one. */
  thread?: string;
  /** The answer's format: told to the model in the system prompt (`-f`). */
  format?: OutputFormat;
  /** Offer only these skills as tools (intersected with what policy lets the model call). */
  skills?: string[];
  /** Offer no tools at all. */
  noTools?: boolean;
  /** Whose threads: "" (default) the session's own person; a gateway client's id for its own. */
  party?: string;
  /** Start a new thread (named by `thread`, else t2, t3, …) instead of continuing. */
  newThread?: boolean;
  /** Tool choice of the first model call: "required" makes a weak local model call a tool. */
  toolChoice?: "auto" | "required" | "none";
}

/** How a turn ended: one source, schemas/gateway-event.schema.json (turn.end). */
export type { TurnStatus };

export interface TurnResult {
  status: TurnStatus;
  /** The conversation thread the turn ran in. */
  thread: string;
  turnId: string;
  /** The saved transcript's id (`agent export ID`), null when not recorded. */
  recording: string | null;
  /** Estimated from models.prices (null when the ref has no price). */
  cost: { amount: number; currency: string } | null;
  model: string;
  modelId: string | null;
  scripted: boolean;
  steps: number;
  final: string;
  events: RuntimeEvent[];
  usage: { promptTokens: number; completionTokens: number } | null;
  error?: string;
}

