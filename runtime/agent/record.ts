/**
 * Record and replay. Every turn's transcript is saved under <stateDir>/agent/turns/<turnId>.json
 * (0600): the model ref and the id the provider reported, every request's messages and the
 * tools offered, every response (text, tool calls, tokens, time), every tool result's hash.
 * `agent export ID --scripted FILE` turns it into a scripted-model file whose turns carry
 * what the model was asked at each step (`expect`): replaying it offline answers the same
 * way, byte for byte, and a replay whose request no longer matches the recording (a tool's
 * output changed, a prompt was edited) fails at the first difference, saying where.
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError, UsageError } from "../errors.js";
import type { ChatMessage, ChatResponse, ToolSpec, Usage } from "../models/types.js";

export interface RecordedStep {
  step: number;
  request: { messages: ChatMessage[]; tools: string[] };
  response: { content: string; toolCalls: Array<{ id: string; name: string; arguments: string }>; modelId: string | null; usage: Usage | null; finishReason: string | null };
  durationMs: number;
  cost?: { amount: number; currency: string } | null;
  toolResults: Array<{ callId: string; name: string; status: string; sha256: string; durationMs: number }>;
}

export interface RecordedTurn {
  version: 1;
  turnId: string;
  thread: string;
  startedAt: string;
  model: string;
  provider: string;
  scripted: boolean;
  modelId: string | null;
  prompt: string;
  status: string;
  error?: string;
  final: string;
  usage: Usage | null;
  cost?: { amount: number; currency: string } | null;
  durationMs: number;
  steps: RecordedStep[];
}

/** Fence ids are random per call: a replay compares requests with them masked. */
export function normalizeText(s: string): string {
  return s.replace(/\b[0-9a-f]{24}\b/g, "<fence-id>");
}

export function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

/** Collects one turn as it runs (the agent loop calls it at each step). */
export class Recorder {
  readonly steps: RecordedStep[] = [];

  request(step: number, messages: ChatMessage[], tools: ToolSpec[]): void {
    this.steps.push({ step, request: { messages: structuredClone(messages), tools: tools.map((t) => t.name) }, response: { content: "", toolCalls: [], modelId: null, usage: null, finishReason: null }, durationMs: 0, toolResults: [] });
  }

  response(step: number, r: ChatResponse, durationMs: number, cost: { amount: number; currency: string } | null = null): void {
    const s = this.steps.find((x) => x.step === step);
    if (s) Object.assign(s, { response: { content: r.content, toolCalls: r.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })), modelId: r.modelId, usage: r.usage, finishReason: r.finishReason }, durationMs: Math.round(durationMs * 1000) / 1000, cost });
  }

  tool(step: number, callId: string, name: string, status: string, forModel: string, durationMs: number): void {
    this.steps.find((x) => x.step === step)?.toolResults.push({ callId, name, status, sha256: sha256(normalizeText(forModel)), durationMs: Math.round(durationMs * 1000) / 1000 });
  }
}

export function turnsDir(stateDir: string): string {
  return join(stateDir, "agent", "turns");
}

export function saveTurn(stateDir: string, t: RecordedTurn): string {
  const dir = turnsDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${t.turnId}.json`);
  writeFileSync(path, `${JSON.stringify(t, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

const TURN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function loadTurn(stateDir: string, id: string): RecordedTurn {
  if (!TURN_ID.test(id)) throw new UsageError(`"${id}" is not a turn id`, { fix: "use the id a turn printed (turn.end recording, or the turnId in --json)" });
  const path = join(turnsDir(stateDir), `${id}.json`);
  if (!existsSync(path)) throw new NotFoundError(`no recorded turn ${id} in ${turnsDir(stateDir)}`, { fix: "turns are recorded when agentDefaults.recordTurns is true (the default); check the id" });
  return JSON.parse(readFileSync(path, "utf8")) as RecordedTurn;
}

/** A recorded turn as a scripted-model file: each step's answer, and what the model was asked. */
export function toScript(t: RecordedTurn): Record<string, unknown> {
  return {
    description: `recorded turn ${t.turnId} of ${t.model}${t.modelId ? ` (answered by ${t.modelId})` : ""}, ${t.startedAt}: replays offline; fails where a request diverges from the recording`,
    recordedFrom: { turnId: t.turnId, model: t.model, modelId: t.modelId, startedAt: t.startedAt },
    turns: t.steps.map((s) => ({
      content: s.response.content,
      toolCalls: s.response.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
      ...(s.response.usage ? { usage: s.response.usage } : {}),
      expect: { tools: s.request.tools, messages: s.request.messages.map(normalizeMessage) },
    })),
  };
}

export function normalizeMessage(m: ChatMessage): ChatMessage {
  const c = structuredClone(m) as ChatMessage & { content: string };
  c.content = normalizeText(c.content ?? "");
  return c;
}

/** Where a replayed request differs from the recorded one; undefined when it matches. */
export function divergence(expected: { tools?: string[]; messages: ChatMessage[] }, got: { tools: string[]; messages: ChatMessage[] }): string | undefined {
  // Exit notices of background runs arrive whenever the run ends: timing, not the notebook's doing.
  const timing = (m: ChatMessage) => m.role === "user" && m.content.startsWith("[runtime notice]");
  expected = { ...expected, messages: expected.messages.filter((m) => !timing(m)) };
  const now = got.messages.filter((m) => !timing(m)).map(normalizeMessage);
  const n = Math.max(now.length, expected.messages.length);
  for (let i = 0; i < n; i++) {
    const a = expected.messages[i];
    const b = now[i];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (!a) return `message ${i + 1} (${b!.role}) was not in the recording`;
    if (!b) return `message ${i + 1} (${a.role}) of the recording is missing`;
    const who = b.role === "tool" ? `the result of tool ${b.name}` : b.role === "user" ? "the user's prompt" : b.role === "system" ? "the system prompt" : "the assistant's message";
    const ac = String(a.content ?? "");
    const bc = String(b.content ?? "");
    let k = 0;
    while (k < ac.length && ac[k] === bc[k]) k++;
    const clip = (s: string) => JSON.stringify(s.slice(Math.max(0, k - 20), k + 40));
    return `message ${i + 1} (${who}) differs at character ${k + 1}: recorded ${clip(ac)}, now ${clip(bc)}`;
  }
  if (expected.tools && JSON.stringify(expected.tools) !== JSON.stringify(got.tools)) return `the tools offered differ: recorded [${expected.tools.join(", ")}], now [${got.tools.join(", ")}]`;
  return undefined;
}
