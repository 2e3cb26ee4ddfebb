/**
 * The contract of the governor: the one object that holds the ExecManager and the
 * AuditLog. Every process start, kill, apply_patch and approval goes through a Door,
 * and every Door call is audited with the actor the Door was created with.
 *
 * A Door is made once per front door (a CLI process, a kernel, a gateway connection)
 * by the runtime, with a person's actor. Callers never pass an actor per call. Only
 * the agent loop can act as a model: the runtime hands it a `ModelDoorFactory` at
 * construction, and nothing else can reach one.
 */
import type { AuditHead, AuditRecord, VerifyReport } from "../audit/index.js";
import type { Approver } from "../events.js";
import type { ExecResult, ExecSessionInfo } from "../exec/index.js";
import type { InvokeResult, SkillInfo, ToolSpec } from "../skills/index.js";

/** Who a front door acts for. A person: never a model ref. */
export interface PersonActor {
  host: "cli" | "kernel" | "gateway";
  sessionId: string;
  /** A gateway connection's id, so records tell two clients apart. */
  clientId?: string;
}

/** Per-call options: what a caller may choose (never who it is). */
export interface CallOptions {
  signal?: AbortSignal;
  /** Asks a person about a risky action; absent means deny (approval.none). */
  approver?: Approver;
  /** Who gets the exit notice if the run goes to the background (default: the door's session). */
  owner?: string;
}

export interface PatchResult extends InvokeResult {
  files?: string[];
}

/** An actor-bound handle onto the governor. */
export interface Door {
  readonly actor: Readonly<PersonActor> | Readonly<PersonActor & { modelRef: string; modelId?: string }>;
  /** A skill through policy, approval, exec and audit. A refusal is a result (status "denied"), audited. */
  invoke(name: string, params: Record<string, unknown>, opts?: CallOptions): Promise<InvokeResult>;
  /** apply_patch: only a model door whose ref is allow-listed gets past policy. */
  applyPatch(patch: string, opts?: CallOptions): Promise<PatchResult>;
  /** Skills a caller may see; `tools()` is what a model door may call. */
  skills(): Promise<SkillInfo[]>;
  tools(): Promise<ToolSpec[]>;
  execList(limit?: number): Promise<ExecSessionInfo[]>;
  execLog(id: string): Promise<ExecResult>;
  /** Audited as action "exec.kill" with this door's actor, whichever front door asked. */
  execKill(id: string): Promise<ExecResult>;
  auditTail(n: number): Promise<AuditRecord[]>;
  /** Walks the keyed chain; with an anchor (as `auditHead` gave it), also requires that record. */
  auditVerify(opts?: { anchor?: { hash: string; seq?: number } }): Promise<VerifyReport>;
  /** The chain's current head: an anchor to keep elsewhere. */
  auditHead(): Promise<AuditHead>;
}

/**
 * How a front door gets its Door: `runtime.door()` for the runtime's own person actor
 * (host and sessionId of the runtime), `runtime.door({ clientId })` for a gateway
 * connection. Synchronous: the governor itself is built on the first call that needs it.
 * A `modelRef` in the argument is refused (PolicyError "actor.model").
 */
export type DoorFactory = (extra?: { clientId?: string; host?: PersonActor["host"] }) => Door;

/** Given only to the agent loop: a door that acts as a model, under a person's door. */
export type ModelDoorFactory = (under: Door, model: { modelRef: string; modelId?: string }) => Door;
