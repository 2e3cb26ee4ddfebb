import { randomUUID } from "node:crypto";
import { AbortedError, UsageError, formatError, isOpenClawError } from "../errors.js";
import type { OpenClawConfig } from "../config/index.js";
import type { RuntimeEvent } from "../events.js";
import type { ExecNotice } from "../exec/types.js";
import type { Door, ModelDoorFactory } from "../governor/types.js";
import { parseRef, assertPinned } from "../models/refs.js";
import type { ModelRegistry } from "../models/index.js";
import type { ChatMessage, ChatModel, Usage } from "../models/types.js";
import { DEFAULT_SYSTEM_PROMPT } from "./prompt.js";
import { describeNotice, restrictDoor, runToolCall, type Emit } from "./tools.js";
import type { TurnRequest, TurnResult, TurnStatus } from "./types.js";
import { addCost, costOf, type Cost, type Price } from "./cost.js";
import { formatInstruction } from "./format.js";
import { Recorder, saveTurn, type RecordedTurn } from "./record.js";
import { Threads, type Exchange, type ThreadInfo } from "./threads.js";

export type { TurnRequest, TurnResult, TurnStatus } from "./types.js";
export type { Exchange, ThreadInfo } from "./threads.js";

/** What the agent is built from (by the Runtime): nothing else reaches a model door. */
export interface AgentOptions {
  config: OpenClawConfig["agentDefaults"];
  sessionId: string;
  models: () => Promise<Pick<ModelRegistry, "chatModel">>;
  /** The runtime's own person door: a turn acts as a model under it unless the request names its front door's. */
  door: Door;
  /** Makes the door a turn's tool calls go through: the model's ref, under a person's door. */
  modelDoor: ModelDoorFactory;
  /** Background exit notices for an owner, each once. */
  notices: (owner: string) => Promise<ExecNotice[]>;
  emit: (e: RuntimeEvent) => void;
  /** Where turns are recorded (<stateDir>/agent/turns) when agentDefaults.recordTurns; absent: not recorded. */
  stateDir?: string;
  /** models.prices: cost estimates per step and turn (never fetched). */
  prices?: Record<string, Price>;
  /** Named OpenAI-compatible providers (models.providers.<name>): refs name/<model> are theirs. */
  providerNames?: string[];
}
export { DEFAULT_SYSTEM_PROMPT } from "./prompt.js";

/**
 * Events the runtime bus already gets from their source (exec announces background
 * runs and exits, skills announce denials and approval questions): the turn's own
 * stream carries them with step and call ids, the bus is not told twice.
 */
const ANNOUNCED_BY_SOURCE = new Set(["exec.background", "exec.exit", "policy.denied", "approval.requested"]);

/**
 * The agent turn: system prompt + the user's prompt + eligible skills as tools;
 * model <-> tools until the model answers, maxSteps model calls are spent, the turn
 * times out or is aborted. Every tool call goes through skills.invoke (policy,
 * approval, exec, audit); every step is an event on one stream.
 */
export class Agent {
  readonly #o: AgentOptions;
  private readonly running = new Set<AbortController>();
  /** This session's conversation threads (in memory: a kernel session's). */
  readonly #conversations = new Map<string, Threads>();

  /** The threads of one party: the session's own person (""), or one gateway client: nobody reads another's. */
  #threadsOf(party = ""): Threads {
    let t = this.#conversations.get(party);
    if (!t) this.#conversations.set(party, (t = new Threads()));
    return t;
  }

  constructor(opts: AgentOptions) {
    this.#o = opts;
  }

  /** Who receives this session's background exit notices: they arrive at the next step, even of a later turn. */
  get owner(): string {
    return `agent:${this.#o.sessionId}`;
  }

  /**
   * Runs one turn. Throws only for a request that cannot start (bad or floating ref:
   * UsageError/SafetyError, missing model file: NotFoundError); everything after
   * turn.start ends in a TurnResult with a status.
   */
  async run(req: TurnRequest): Promise<TurnResult> {
    const cfg = this.#o.config;
    const ref = req.model ?? cfg.model;
    parseRef(ref, this.#o.providerNames);
    assertPinned(ref);
    const maxSteps = req.maxSteps ?? cfg.maxSteps;
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new UsageError(`--max-steps must be a positive integer, got ${maxSteps}`, { fix: "e.g. --max-steps 4" });
    const model = await (await this.#o.models()).chatModel(ref);
    const under = req.door ?? this.#o.door;

    const threads = this.#threadsOf(req.party);
    const thread = threads.select({ ...(req.thread !== undefined ? { name: req.thread } : {}), fresh: req.newThread === true });
    const turnId = randomUUID();
    const t0 = performance.now();
    const events: RuntimeEvent[] = [];
    const emit: Emit = (partial) => {
      const e: RuntimeEvent = { ts: Date.now(), turnId, ...partial };
      events.push(e);
      try {
        req.onEvent?.(e);
      } catch {
        /* a broken listener must not break the turn */
      }
      if (!ANNOUNCED_BY_SOURCE.has(e.type)) this.#o.emit(e);
    };

    // One signal for the turn: the caller's Stop, the turn timeout, and close().
    const ac = new AbortController();
    this.running.add(ac);
    const timeout = AbortSignal.timeout(cfg.turnTimeoutSec * 1000);
    const signal = AbortSignal.any([ac.signal, timeout, ...(req.signal ? [req.signal] : [])]);

    let modelId: string | null = null;
    let usage: Usage | null = null;
    let steps = 0;
    let final = "";
    let status: TurnStatus = "max_steps";
    let error: string | undefined;
    let modelMs = 0;
    let toolMs = 0;
    let warnedId = false;
    const rec = new Recorder();
    let cost: Cost | null = null;
    const startedAt = new Date().toISOString();
    emit({ type: "turn.start", model: ref, provider: model.provider, scripted: model.scripted, prompt: req.prompt, maxSteps, turnTimeoutSec: cfg.turnTimeoutSec, thread });

    try {
      let door = this.#o.modelDoor(under, { modelRef: ref });
      // --skills / --no-tools: only those are offered, and a call to any other is refused.
      const all = await door.tools();
      const tools = req.noTools ? [] : req.skills ? all.filter((t) => req.skills!.includes(t.name)) : all;
      const offered = req.noTools || req.skills ? new Set(tools.map((t) => t.name)) : undefined;
      const missing = req.noTools ? [] : (req.skills ?? []).filter((n) => !tools.some((t) => t.name === n));
      if (missing.length) emit({ type: "turn.note", step: 0, message: `not offered: ${missing.join(", ")} (no such skill, or not allowed by policy for this model)` });
      const past = threads.history(thread, cfg.historyTokens ?? 4000);
      if (past.dropped) emit({ type: "turn.note", step: 0, message: `thread ${thread}: ${past.dropped} older exchange(s) left out to fit agentDefaults.historyTokens (${cfg.historyTokens ?? 4000}); ${past.sent} sent (about ${past.tokens} tokens)` });
      const messages: ChatMessage[] = [
        { role: "system", content: (cfg.systemPrompt ?? DEFAULT_SYSTEM_PROMPT) + (req.format ? `\n${formatInstruction(req.format)}` : "") },
        ...past.messages,
        { role: "user", content: req.prompt },
      ];
      while (steps < maxSteps) {
        if (signal.aborted) throw new AbortedError();
        steps++;
        const step = steps;
        for (const n of await this.#o.notices(this.owner)) {
          emit({ type: "exec.exit", step, id: n.id, exitCode: n.exitCode, signal: n.signal, timedOut: n.timedOut, durationMs: n.durationMs, tail: n.tail });
          messages.push({ role: "user", content: `[runtime notice] ${describeNotice(n)}` });
        }
        emit({ type: "model.request", step, model: ref, messages: messages.length, tools: tools.map((t) => t.name) });
        const m0 = performance.now();
        rec.request(step, messages, tools);
        const resp = await model.chat({
          messages,
          tools,
          toolChoice: step === 1 ? req.toolChoice : undefined,
          stream: req.stream ?? true,
          signal,
          onDelta: (text) => emit({ type: "model.delta", step, text }),
        });
        modelMs += performance.now() - m0;
        const stepCost = costOf(this.#o.prices, ref, resp.usage);
        cost = addCost(cost, stepCost);
        rec.response(step, resp, performance.now() - m0, stepCost);
        // A provider may end an aborted stream quietly with what it had (the OpenAI SDK does):
        // a truncated answer after Stop or the turn timeout is not an ok turn.
        if (signal.aborted) throw new AbortedError();
        usage = addUsage(usage, resp.usage);
        if (resp.modelId) {
          modelId = resp.modelId;
          if (!warnedId) warnedId = checkModelId(model, ref, resp.modelId, step, emit);
        }
        emit({ type: "model.response", step, content: resp.content, toolCalls: resp.toolCalls.map((c) => ({ id: c.id, name: c.name })), finishReason: resp.finishReason, modelId: resp.modelId, usage: resp.usage, cost: stepCost, durationMs: Math.round((performance.now() - m0) * 1000) / 1000 });
        messages.push({ role: "assistant", content: resp.content, ...(resp.toolCalls.length ? { toolCalls: resp.toolCalls } : {}) });
        if (!resp.toolCalls.length) {
          final = resp.content;
          status = "ok";
          break;
        }
        if (modelId && (door.actor as { modelId?: string }).modelId !== modelId) door = this.#o.modelDoor(under, { modelRef: ref, modelId });
        for (const call of resp.toolCalls) {
          const tt = performance.now();
          const { result, forModel } = await runToolCall({ door: offered ? restrictDoor(door, offered) : door, signal, approver: req.approver, owner: this.owner, step, emit }, call);
          toolMs += performance.now() - tt;
          rec.tool(step, call.id, call.name, result.status, forModel, performance.now() - tt);
          messages.push({ role: "tool", toolCallId: call.id, name: call.name, content: forModel });
        }
      }
    } catch (e) {
      if (req.signal?.aborted || ac.signal.aborted) status = "aborted";
      else if (timeout.aborted) status = "timeout";
      else status = "error";
      error = status === "timeout" ? `turn exceeded agentDefaults.turnTimeoutSec (${cfg.turnTimeoutSec} s)` : status === "aborted" ? "aborted" : isOpenClawError(e) ? formatError(e) : (e as Error)?.message ?? String(e);
      if (status === "error") emit({ type: "turn.error", step: steps, message: error, code: isOpenClawError(e) ? e.code : null });
    } finally {
      this.running.delete(ac);
    }
    if (status === "ok") threads.add(thread, { turnId, ts: Date.now(), model: ref, prompt: req.prompt, answer: final });
    const durationMs = performance.now() - t0;
    const recording = this.#record({ version: 1, turnId, thread, startedAt, model: ref, provider: model.provider, scripted: model.scripted, modelId, prompt: req.prompt, status, ...(error ? { error } : {}), final, usage, cost, durationMs: round(durationMs), steps: rec.steps });
    emit({ type: "turn.end", thread, recording, cost, status, steps, model: ref, modelId, scripted: model.scripted, usage, durationMs: round(durationMs), modelMs: round(modelMs), toolMs: round(toolMs), overheadMs: round(durationMs - modelMs - toolMs), ...(error ? { error } : {}) });
    return { status, thread, turnId, recording, cost, model: ref, modelId, scripted: model.scripted, steps, final, events, usage, ...(error ? { error } : {}) };
  }

  /** Saves a turn's transcript (never fails the turn: a write error leaves recording null). */
  #record(t: RecordedTurn): string | null {
    if (!this.#o.stateDir || this.#o.config.recordTurns === false) return null;
    try {
      saveTurn(this.#o.stateDir, t);
      return t.turnId;
    } catch {
      return null;
    }
  }

  /** This session's threads, the current one marked. */
  threads(party?: string): { current: string; threads: ThreadInfo[] } {
    const t = this.#threadsOf(party);
    return { current: t.current, threads: t.list() };
  }

  /** A thread's exchanges, oldest first (default: the current thread). */
  history(thread?: string, party?: string): { thread: string; exchanges: Exchange[] } {
    const t = this.#threadsOf(party).get(thread);
    return { thread: t.name, exchanges: t.exchanges };
  }

  /** Aborts running turns (runtime shutdown). */
  async close(): Promise<void> {
    for (const ac of this.running) ac.abort(new AbortedError("runtime closing"));
    this.running.clear();
  }
}

/**
 * The ref is what was asked for; the id is what answered. A provider that answers
 * with another model (an alias resolved to a snapshot, a proxy substituting) gets one
 * warning per turn. Local and scripted ids are file names: not compared. Returns
 * whether the check is done for this turn.
 */
function checkModelId(model: ChatModel, ref: string, reported: string, step: number, emit: Emit): boolean {
  if (model.provider !== "openai") return true;
  const asked = ref.slice(ref.indexOf("/") + 1);
  if (reported === asked) return false;
  emit({ type: "model.warning", step, message: `asked for ${asked} but ${reported} answered`, asked, reported, fix: reported.startsWith(asked) ? `pin the snapshot: openai/${reported}` : "check models.providers.openai.baseURL: the endpoint serves a different model" });
  return true;
}

function addUsage(a: Usage | null, b: Usage | null): Usage | null {
  if (!b) return a;
  return { promptTokens: (a?.promptTokens ?? 0) + b.promptTokens, completionTokens: (a?.completionTokens ?? 0) + b.completionTokens };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
