/**
 * The type of what TypeScript cells see: `openclaw` (kernel/facade.ts builds it) and
 * `display`. Written with the runtime's own types, which come from schemas/ (config,
 * audit records, rag results, events), so the declarations tsc emits for this file
 * (dist/kernel/facade-types.d.ts) are what the cell prelude types `openclaw` with:
 * completion on `openclaw.rag.` lists query, index and status with their real signatures.
 * Types only: nothing here runs, and the prelude loads no runtime module.
 */
import type { AuditRecord, VerifyReport } from "../runtime/audit/types.js";
import type { OpenClawConfig } from "../runtime/config/types.js";
import type { ExecResult, ExecSessionInfo } from "../runtime/exec/types.js";
import type { TurnResult } from "../runtime/agent/types.js";
import type { ModelRegistry } from "../runtime/models/index.js";
import type { RagStatus } from "../runtime/rag/index.js";
import type { IndexReport, QueryOptions, RagResult } from "../runtime/rag/types.js";
import type { SkillRegistry } from "../runtime/skills/registry.js";
import type { InvokeResult, SkillInfo } from "../runtime/skills/types.js";

/** What a cell may ask of an agent turn; the turn itself decides who acts (the model, under the kernel's door). */
export interface CellTurnRequest {
  prompt: string;
  /** A pinned ref; default agentDefaults.model. */
  model?: string;
  maxSteps?: number;
  stream?: boolean;
  toolChoice?: "auto" | "required" | "none";
}

/** A skill's details: its info plus its SKILL.md body, command and requirements. */
export type SkillDetails = NonNullable<ReturnType<SkillRegistry["details"]>>;

/** `openclaw` in a TypeScript cell. Everything acts as the person at the kernel, audited as such. */
export interface OpenClawFacade {
  skills: {
    /** Every skill found (bundled, workspace, config dirs), blocked ones with the reason. */
    list(): Promise<SkillInfo[]>;
    /** One skill's details, or undefined when there is none by that name. */
    show(name: string): Promise<SkillDetails | undefined>;
    /** Runs a skill through policy, approval, exec and audit. A refusal is a result (status "denied"). */
    run(name: string, params?: Record<string, unknown>): Promise<InvokeResult>;
  };
  rag: {
    /** Retrieves passages from the workspace index (refreshed first): results with citations and a summary. */
    query(question: string, opts?: Pick<QueryOptions, "topk" | "mode">): Promise<RagResult>;
    /** Indexes the workspace (only changed files unless full). */
    index(opts?: { full?: boolean }): Promise<IndexReport>;
    /** What the index holds and whether it is current. */
    status(): Promise<RagStatus>;
  };
  models: {
    /** Pinned model refs and local model files (remote: also ask the OpenAI endpoint). */
    list(opts?: { remote?: boolean }): ReturnType<ModelRegistry["list"]>;
  };
  agent: {
    /** One agent turn; its tool calls go through the choke point as the model. */
    run(req: string | CellTurnRequest): Promise<TurnResult>;
  };
  exec: {
    list(): Promise<ExecSessionInfo[]>;
    log(id: string): Promise<ExecResult>;
    /** Kills a session's process group (audited). */
    kill(id: string): Promise<ExecResult>;
  };
  audit: {
    /** The last n records of the hash-chained log (default 20). */
    tail(n?: number): Promise<AuditRecord[]>;
    verify(): Promise<VerifyReport>;
    /** The chain's head (seq, keyed hash): an anchor to keep elsewhere. */
    head(): Promise<{ seq: number; hash: string }>;
  };

  /** A copy of the validated, defaults-filled config. */
  config(): Promise<OpenClawConfig>;
  /** Runs a magic line (`openclaw.magic("rag status")`), shows its rich output and returns its data. */
  magic(line: string, body?: string): Promise<unknown>;
  /** Asks the person through stdin (denied when the front end allows no input). */
  approve(summary: string, argv?: string[]): Promise<boolean>;
  /** Aborted when the cell is interrupted. */
  readonly signal: AbortSignal | undefined;
}

/** `display` in a TypeScript cell: rich output now, or `newDisplay()` for one updated in place. */
export interface OpenClawDisplay {
  (value: unknown): void;
  html(s: string): void;
  markdown(s: string): void;
  text(s: string): void;
  json(value: unknown): void;
  svg(s: string): void;
  latex(s: string): void;
  png(b: Uint8Array | string): void;
  jpeg(b: Uint8Array | string): void;
  raw(mime: string, data?: unknown): void;
  bundle(data: Record<string, unknown>): void;
}

export interface OpenClawDisplayRoot extends OpenClawDisplay {
  newDisplay(): OpenClawDisplay;
}
