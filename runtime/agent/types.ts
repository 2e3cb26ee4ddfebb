import type { Approver, RuntimeEvent, TurnStatus } from "../events.js";

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
  /** Every event of this turn, as it happens. */
  onEvent?: (e: RuntimeEvent) => void;
  /** Stream model output (model.delta events); default true. */
  stream?: boolean;
  /** Tool choice of the first model call: "required" makes a weak local model call a tool. */
  toolChoice?: "auto" | "required" | "none";
}

/** How a turn ended: one source, schemas/gateway-event.schema.json (turn.end). */
export type { TurnStatus };

export interface TurnResult {
  status: TurnStatus;
  model: string;
  modelId: string | null;
  scripted: boolean;
  steps: number;
  final: string;
  events: RuntimeEvent[];
  usage: { promptTokens: number; completionTokens: number } | null;
  error?: string;
}

/** What a skill invocation returns (runtime/skills): the agent reads these fields only. */
export interface InvokeResultLike {
  skill?: string;
  status: "ok" | "failed" | "timeout" | "running" | "denied" | "aborted";
  argv?: string[];
  exitCode?: number | null;
  signal?: string | null;
  timedOut?: boolean;
  durationMs?: number;
  stdout?: string;
  stderr?: string;
  truncated?: boolean;
  id?: string;
  reason?: string;
  rule?: string;
  files?: string[];
}

export interface InvokeOptionsLike {
  actor: import("../events.js").Actor;
  signal?: AbortSignal;
  approver?: Approver;
  owner?: string;
}

/** The slice of the skill registry the agent uses: the one choke point to exec. */
export interface SkillsPort {
  tools(modelRef?: string): Array<{ name: string; description: string; parameters: object }>;
  invoke(name: string, params: unknown, opts: InvokeOptionsLike): Promise<InvokeResultLike>;
  applyPatch(patch: string, opts: InvokeOptionsLike): Promise<InvokeResultLike>;
}

/** The slice of exec the agent uses: background exit notices, each delivered once. */
export interface ExecPort {
  drainNotices(owner: string): Array<{ id: string; owner?: string; exitCode: number | null; signal: string | null; timedOut: boolean; durationMs: number; tail: string }>;
}
