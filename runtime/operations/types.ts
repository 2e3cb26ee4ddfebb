/**
 * The operation table's contract. An operation is defined once: its dotted name, a
 * JSON Schema for its params, a handler that returns data (never text or HTML), and
 * the front doors that reach it. The CLI and `%openclaw` magics (magics/), and the
 * gateway's WebSocket methods (runtime/gateway/methods.ts) all bind to the same entry.
 */
import type { CheckResult, ConfigSource, OpenClawConfig } from "../config/index.js";
import type { Approver, EventSink, RuntimeEvent } from "../events.js";
import type { Door } from "../governor/types.js";
import type { SkillRegistry } from "../skills/index.js";
import type { ModelRegistry } from "../models/index.js";
import type { Agent } from "../agent/index.js";
import type { Rag } from "../rag/index.js";
import type { Gateway } from "../gateway/index.js";
import type { GatewayStatus } from "../gateway/types.js";
import type { DoctorReport } from "../doctor/index.js";

/** Where an operation is reachable. */
export type Reach = "cli" | "kernel" | "gateway";

/** A JSON Schema (draft-07) for an operation's params: always an object schema. */
export interface ParamsSchema {
  type: "object";
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties: false;
  [k: string]: unknown;
}

/**
 * The runtime services a handler may use, each narrow and built on first use, so an
 * operation that needs none (config.validate) never builds the runtime.
 */
export interface OpServices {
  readonly host: Reach;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The validated config this front door runs with (throws ConfigError/SafetyError). */
  config(): Promise<{ config: OpenClawConfig; source: ConfigSource }>;
  /** Re-reads the config file; never throws for an invalid one (for `config validate`). */
  checkConfig(): CheckResult;
  /** Read-only skill views and session registration; running skills goes through the door. */
  skills(): Promise<Pick<SkillRegistry, "get" | "details" | "errors" | "register">>;
  rag(): Promise<Pick<Rag, "index" | "query" | "status">>;
  models(): Promise<Pick<ModelRegistry, "list" | "pin">>;
  agent(): Promise<Pick<Agent, "run" | "threads" | "history">>;
  /** The in-process gateway (built on first use). */
  gateway(): Promise<Gateway>;
  /** The in-process gateway only if one was built; never builds it. */
  gatewayIfBuilt(): Promise<Gateway | undefined>;
  doctor(): Promise<DoctorReport>;
  /** Names of secrets entered at run time and the provider key's env name; undefined without a valid config. */
  secretNames(): Promise<{ entered: string[]; apiKeyEnv: string } | undefined>;
  /** Runtime-wide events (rag progress) while an operation runs. */
  onEvent(listener: (e: RuntimeEvent) => void): Promise<() => void>;
}

/** What a gateway connection lends the operations only it reaches. */
export interface ClientPort {
  status(): GatewayStatus;
  resolveApproval(approvalId: string, approve: boolean): boolean;
  subscribe(types: string[] | null): void;
  cancel(reqId: string): boolean;
}

/** What a handler gets: narrow things, never the whole runtime. */
export interface OpContext {
  /** The front door's actor-bound governor handle: the one way to exec, kill and audit. */
  door: Door;
  signal?: AbortSignal;
  /** Asks a person about a risky action; absent means deny. */
  approver?: Approver;
  /** Live events of this operation (agent transcript, progress, pairing code). */
  emit?: EventSink;
  /** Who gets the exit notice of a run that goes to the background. */
  owner?: string;
  /** Asks a person for a value (the kernel's input_request). */
  prompt?: (question: string, opts: { password: boolean }) => Promise<string>;
  services: OpServices;
  /** Set only for gateway connections. */
  client?: ClientPort;
}

export interface Operation<P = Record<string, unknown>, R = unknown> {
  /** Dotted, e.g. "rag.query": the WebSocket method name. */
  name: string;
  summary: string;
  params: ParamsSchema;
  reach: readonly Reach[];
  handler(params: P, ctx: OpContext): Promise<R>;
}

/** The data type an operation returns. */
export type OpResult<O> = O extends Operation<never, infer R> ? R : never;
