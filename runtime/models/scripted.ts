import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { AbortedError, ConfigError, NotFoundError } from "../errors.js";
import type { ChatMessage, ChatModel, ChatRequest, ChatResponse, ToolCall } from "./types.js";
import { divergence } from "../agent/record.js";
import { ModelError } from "./errors.js";

/**
 * scripted/<file>: replays a JSON script of assistant turns, one per model call.
 * Makes tutorials reproducible offline and lets a lesson show a misbehaving model
 * (a forbidden tool, a path outside the workspace) being stopped by the runtime.
 * Always labelled "scripted" (ChatModel.scripted, modelId "scripted:<file>").
 *
 * Script: { "description"?: string, "turns": [ { "content"?: string,
 *   "toolCalls"?: [ { "name": string, "arguments": object | string } ] } ] }
 * (a bare array of turns works too, and OpenAI-shaped turns with tool_calls). After the
 * last turn it answers with an empty final.
 */
export interface ScriptTurn {
  content?: string;
  toolCalls?: Array<{ id?: string; name: string; arguments: unknown }>;
  /** Token counts to report (a recorded turn's). */
  usage?: { promptTokens: number; completionTokens: number };
  /** What the model was asked at this step when recorded: a replay whose request differs fails, saying where. */
  expect?: { tools?: string[]; messages: ChatMessage[] };
}

/** Resolves scripted/<file> inside scriptsDir ("demo" finds demo.json); never outside it. */
export function resolveScript(scriptsDir: string, file: string): string {
  const candidates = [file, `${file}.json`].map((f) => resolve(scriptsDir, f));
  for (const p of candidates) {
    const rel = relative(scriptsDir, p);
    if (rel.startsWith("..") || isAbsolute(rel)) {
      throw new ConfigError(`scripted/${file} points outside models.providers.scripted.scriptsDir`, { code: "model_path_escape", fix: `put the script in ${scriptsDir} and name it by file name` });
    }
    if (existsSync(p)) return p;
  }
  throw new NotFoundError(`script scripted/${file} not found in ${scriptsDir}`, { fix: `create ${join(scriptsDir, file.endsWith(".json") ? file : `${file}.json`)} or set models.providers.scripted.scriptsDir` });
}

export function loadScript(path: string): ScriptTurn[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError(`script ${path} is not valid JSON: ${(e as Error).message}`, { code: "script_invalid", fix: "fix the JSON; see tests/fixtures/models/scripts for examples" });
  }
  const raw = Array.isArray(doc) ? doc : (doc as { turns?: unknown })?.turns;
  if (!Array.isArray(raw)) throw new ConfigError(`script ${path} has no "turns" array`, { code: "script_invalid", fix: 'write {"turns":[{"content":"...","toolCalls":[{"name":"skill","arguments":{}}]}]}' });
  const turns = raw.map(normalizeTurn);
  turns.forEach((t: any, i) => {
    const ok = t && typeof t === "object" && (t.content === undefined || typeof t.content === "string") && (t.toolCalls === undefined || (Array.isArray(t.toolCalls) && t.toolCalls.every((c: any) => c && typeof c.name === "string")));
    if (!ok) throw new ConfigError(`script ${path}: turns[${i}] must be {content?: string, toolCalls?: [{name, arguments}]}`, { code: "script_invalid", fix: "fix that turn" });
  });
  return turns as ScriptTurn[];
}

/** Also accepts OpenAI-shaped turns ({role, content, tool_calls: [{function: {name, arguments}}]}), so a recorded transcript replays as is. */
function normalizeTurn(t: any): any {
  if (!t || typeof t !== "object") return t;
  const calls = t.toolCalls ?? t.tool_calls;
  return {
    ...(t.usage ? { usage: t.usage } : {}),
    ...(t.expect ? { expect: t.expect } : {}),
    content: t.content ?? undefined,
    toolCalls: Array.isArray(calls) ? calls.map((c: any) => (c && c.function ? { id: c.id, name: c.function.name, arguments: c.function.arguments } : c)) : calls,
  };
}

export class ScriptedChatModel implements ChatModel {
  readonly provider = "scripted" as const;
  readonly scripted = true;
  readonly local = true;
  private next = 0;
  private readonly turns: ScriptTurn[];
  private readonly modelId: string;

  constructor(readonly ref: string, readonly path: string, file: string) {
    this.turns = loadScript(path);
    this.modelId = `scripted:${file}`;
  }

  async chat(req: ChatRequest): Promise<ChatResponse> {
    if (req.signal?.aborted) throw new AbortedError(`model call to ${this.ref} aborted`);
    const i = this.next++;
    const t = this.turns[i];
    if (!t) return { content: "", toolCalls: [], modelId: this.modelId, usage: null, finishReason: "script_end" };
    if (t.expect) {
      const where = divergence(t.expect, { tools: req.tools.map((x) => x.name), messages: req.messages });
      if (where) throw new ModelError(`replay of ${this.ref} diverged from the recording at step ${i + 1}: ${where}`, { code: "replay_diverged", fix: "the notebook no longer does what was recorded (a tool's output or a prompt changed): record the turn again on a live model and export it" });
    }
    const content = t.content ?? "";
    if (content) req.onDelta?.(content);
    const toolCalls: ToolCall[] = (t.toolCalls ?? []).map((c, j) => ({
      id: c.id ?? `script_${i}_${j}`,
      name: c.name,
      arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments ?? {}),
    }));
    return { content, toolCalls, modelId: this.modelId, usage: t.usage ?? null, finishReason: toolCalls.length ? "tool_calls" : "stop" };
  }

  async close(): Promise<void> {}
}
