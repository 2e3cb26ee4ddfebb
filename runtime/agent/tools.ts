import { AbortedError } from "../errors.js";
import type { ApprovalRequest, Approver, RuntimeEventInput, ToolCallEvent } from "../events.js";
import type { Door, PatchResult } from "../governor/types.js";
import type { ToolCall } from "../models/types.js";
import { wrapUntrusted } from "../rag/untrusted.js";
import type { InvokeResult } from "../skills/types.js";

export type Emit = (e: RuntimeEventInput) => void;

/** Most of a tool's output the model gets back; the rest is in the exec log. */
const MAX_OUTPUT_TO_MODEL = 8000;

export interface ToolContext {
  /** The model's door: the only way a turn's tool calls reach policy, exec and audit. */
  door: Door;
  signal: AbortSignal;
  approver?: Approver;
  owner: string;
  step: number;
  emit: Emit;
}

/** The approver the skills registry calls, wrapped so the transcript shows the question and the answer. */
function watchedApprover(ctx: ToolContext, callId: string): Approver | undefined {
  const ask = ctx.approver;
  if (!ask) return undefined;
  return async (req: ApprovalRequest) => {
    ctx.emit({ type: "approval.requested", step: ctx.step, callId, kind: req.kind, summary: req.summary, skill: req.skill, argv: req.argv, modelRef: req.modelRef });
    let granted = false;
    try {
      granted = (await ask(req)) === true;
    } finally {
      ctx.emit({ type: "approval.resolved", step: ctx.step, callId, granted });
    }
    return granted;
  };
}

/**
 * Runs one tool call through the model's door (the governor: policy, approval, exec,
 * audit) and returns what goes back to the model. A refusal is a result the governor
 * returns (status "denied" with its rule); only an abort ends the turn. Any other error
 * (the audit log cannot be written) ends the turn too: nothing runs unrecorded.
 */
export async function runToolCall(ctx: ToolContext, call: ToolCall): Promise<{ result: PatchResult; forModel: string }> {
  let params: unknown;
  try {
    params = call.arguments.trim() ? JSON.parse(call.arguments) : {};
  } catch {
    params = undefined;
  }
  ctx.emit({ type: "tool.call", step: ctx.step, callId: call.id, name: call.name, arguments: (params as ToolCallEvent["arguments"] | undefined) ?? call.arguments });
  let result: PatchResult;
  if (params === undefined || typeof params !== "object" || params === null || Array.isArray(params)) {
    const reason = "arguments are not a JSON object";
    result = { skill: call.name, status: "failed", argv: [], exitCode: null, signal: null, timedOut: false, durationMs: 0, stdout: "", stderr: "", truncated: false, id: null, reason };
  } else {
    const opts = { signal: ctx.signal, approver: watchedApprover(ctx, call.id), owner: ctx.owner };
    try {
      result = call.name === "apply_patch" ? await ctx.door.applyPatch(String((params as { patch?: unknown }).patch ?? ""), opts) : await ctx.door.invoke(call.name, params as Record<string, unknown>, opts);
    } catch (e) {
      if (e instanceof AbortedError || ctx.signal.aborted) throw e instanceof AbortedError ? e : new AbortedError();
      throw e;
    }
  }
  if (ctx.signal.aborted) throw new AbortedError();
  if (result.status === "denied") ctx.emit({ type: "policy.denied", step: ctx.step, callId: call.id, skill: call.name, reason: result.reason ?? "denied by policy", rule: result.rule ?? null });
  if (result.status === "running" && result.id) ctx.emit({ type: "exec.background", step: ctx.step, callId: call.id, skill: call.name, id: result.id });
  ctx.emit({
    type: "tool.result",
    step: ctx.step,
    callId: call.id,
    name: call.name,
    status: result.status,
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    timedOut: result.timedOut ?? false,
    durationMs: result.durationMs ?? null,
    argv: result.argv.length ? result.argv : null,
    id: result.id ?? null,
    stdout: forView(result.stdout ?? ""),
    stderr: clip(result.stderr ?? "", 2000),
    reason: result.reason ?? null,
    rule: result.rule ?? null,
    files: result.files ?? null,
  });
  return { result, forModel: describeForModel(call.name, result) };
}

/** Largest JSON output the event keeps whole, so a notebook can render it (RAG citations, pretty JSON) instead of a tail. */
const MAX_JSON_VIEW = 16000;

/** The stdout a tool.result event carries: a JSON document whole when small enough, else the tail. */
function forView(s: string): string {
  if (s.length > 2000 && s.length <= MAX_JSON_VIEW && /^\s*[[{]/.test(s)) {
    try {
      JSON.parse(s);
      return s;
    } catch {
      /* not JSON: the tail */
    }
  }
  return clip(s, 2000);
}

function clip(s: string, n: number): string {
  return s.length > n ? `…${s.slice(-n)}` : s;
}

/** A short status line the model can trust (ours) and the output it must not (the tool's), fenced. */
export function describeForModel(name: string, r: InvokeResult): string {
  const head =
    r.status === "denied"
      ? `Tool ${name} was denied by policy${r.rule ? ` (${r.rule})` : ""}: ${r.reason ?? "not allowed"}. Do not retry it another way.`
      : r.status === "running"
        ? `Tool ${name} is still running in the background as session ${r.id}; you will be told when it exits.`
        : `Tool ${name} finished: status ${r.status}${r.exitCode !== undefined && r.exitCode !== null ? `, exit code ${r.exitCode}` : ""}${r.signal ? `, signal ${r.signal}` : ""}${r.timedOut ? ", timed out" : ""}${r.reason ? `: ${r.reason}` : ""}.`;
  const out = [r.stdout ? `stdout:\n${clip(r.stdout, MAX_OUTPUT_TO_MODEL)}` : "", r.stderr ? `stderr:\n${clip(r.stderr, MAX_OUTPUT_TO_MODEL / 4)}` : ""].filter(Boolean).join("\n");
  return out ? `${head}\n${wrapUntrusted(out, `output of tool ${name}`)}` : head;
}

/** An exit notice of a background run, as the model sees it at its next step. */
export function describeNotice(n: { id: string; exitCode: number | null; signal: string | null; timedOut: boolean; durationMs: number; tail: string }): string {
  const how = n.timedOut ? "timed out" : n.signal ? `was killed by ${n.signal}` : `exited with code ${n.exitCode}`;
  const head = `Background session ${n.id} ${how} after ${Math.round(n.durationMs)} ms.`;
  return n.tail ? `${head}\n${wrapUntrusted(n.tail, `last output of session ${n.id}`)}` : head;
}

/**
 * The tools of one turn (`--skills a,b`, `--no-tools`): a door that refuses, as a denied
 * result, any call outside the set offered, so a model cannot call a tool it was not given
 * this turn even when policy would allow it. Everything else goes to the model's door.
 */
export function restrictDoor(door: Door, offered: ReadonlySet<string>): Door {
  const refused = (name: string): PatchResult => ({ skill: name, status: "denied", argv: [], exitCode: null, signal: null, timedOut: false, durationMs: 0, stdout: "", stderr: "", truncated: false, id: null, reason: `${name} was not offered in this turn (--skills / --no-tools)`, rule: "agent.turnTools" });
  return {
    get actor() {
      return door.actor;
    },
    invoke: (name, params, opts) => (offered.has(name) ? door.invoke(name, params, opts) : Promise.resolve(refused(name))),
    applyPatch: (patch, opts) => (offered.has("apply_patch") ? door.applyPatch(patch, opts) : Promise.resolve(refused("apply_patch"))),
    skills: () => door.skills(),
    tools: async () => (await door.tools()).filter((t) => offered.has(t.name)),
    execList: () => door.execList(),
    execLog: (id) => door.execLog(id),
    execKill: (id) => door.execKill(id),
    auditTail: (n) => door.auditTail(n),
    auditVerify: (o) => door.auditVerify(o),
    auditHead: () => door.auditHead(),
  };
}
