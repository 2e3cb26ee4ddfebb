import OpenAI from "openai";
import { isLoopbackHost, looksLikeSecret } from "../config/index.js";
import { AbortedError } from "../errors.js";
import { ModelError } from "./errors.js";
import type { ChatMessage, ChatModel, ChatRequest, ChatResponse, ToolCall, ToolSpec } from "./types.js";

export interface OpenAIOptions {
  ref: string;
  model: string;
  baseURL?: string;
  apiKeyEnv: string;
  timeoutMs: number;
  maxRetries: number;
  /** Reads the key by env-var name at call time (runtime.secret): never stored in config, never logged. */
  secret: (name: string) => string | undefined;
}

/** True when the endpoint is on this machine (llama-server, Ollama, a test server): no key needed. */
function isLocalEndpoint(baseURL: string | undefined): boolean {
  if (!baseURL) return false;
  try {
    return isLoopbackHost(new URL(baseURL).hostname.replace(/^\[|\]$/g, ""));
  } catch {
    return false;
  }
}

function toWire(m: ChatMessage): OpenAI.Chat.Completions.ChatCompletionMessageParam {
  switch (m.role) {
    case "assistant":
      return m.toolCalls?.length
        ? { role: "assistant", content: m.content || null, tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } })) }
        : { role: "assistant", content: m.content };
    case "tool":
      return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
    default:
      return { role: m.role, content: m.content };
  }
}

function toolsWire(tools: ToolSpec[]): OpenAI.Chat.Completions.ChatCompletionTool[] {
  return tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.parameters as Record<string, unknown> } }));
}

/**
 * openai/<id> through the official SDK. Any OpenAI-compatible server works through
 * baseURL. The SDK already retries 429/5xx with backoff (maxRetries) and bounds each
 * request (timeoutMs); what is left here is turning its errors into ones a person
 * can act on.
 */
export class OpenAIChatModel implements ChatModel {
  readonly provider = "openai" as const;
  readonly scripted = false;
  readonly local: boolean;
  private client?: OpenAI;

  constructor(private readonly o: OpenAIOptions) {
    this.local = isLocalEndpoint(o.baseURL);
  }

  get ref(): string {
    return this.o.ref;
  }

  /** The SDK client, built on first call so a missing key fails the call, not the listing. */
  sdk(): OpenAI {
    if (this.client) return this.client;
    let apiKey = this.o.secret(this.o.apiKeyEnv);
    if (!apiKey) {
      if (!this.local) {
        throw new ModelError(`no API key for ${this.o.ref}: $${this.o.apiKeyEnv} is not set`, {
          code: "model_key_missing",
          fix: `export ${this.o.apiKeyEnv}=... before starting, or enter it at run time with %openclaw secret ${this.o.apiKeyEnv} (keys never go in openclaw.json)`,
        });
      }
      apiKey = "no-key-needed-for-loopback"; // the SDK insists on a non-empty key
    }
    this.client = new OpenAI({ apiKey, baseURL: this.o.baseURL, timeout: this.o.timeoutMs, maxRetries: this.o.maxRetries, organization: null, project: null });
    return this.client;
  }

  async chat(req: ChatRequest): Promise<ChatResponse> {
    const client = this.sdk();
    const body = {
      model: this.o.model,
      messages: req.messages.map(toWire),
      ...(req.tools.length ? { tools: toolsWire(req.tools), tool_choice: req.toolChoice ?? "auto" } : {}),
    };
    try {
      if (!req.stream) {
        const r = await client.chat.completions.create({ ...body, stream: false }, { signal: req.signal });
        const choice = r.choices[0];
        const msg = choice?.message;
        const content = msg?.content ?? "";
        if (content) req.onDelta?.(content);
        return {
          content,
          toolCalls: (msg?.tool_calls ?? []).flatMap((c) => (c.type === "function" ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments }] : [])),
          modelId: r.model ?? null,
          usage: r.usage ? { promptTokens: r.usage.prompt_tokens, completionTokens: r.usage.completion_tokens } : null,
          finishReason: choice?.finish_reason ?? null,
        };
      }
      const stream = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal: req.signal });
      let content = "";
      let modelId: string | null = null;
      let usage: ChatResponse["usage"] = null;
      let finishReason: string | null = null;
      // Tool calls arrive in pieces keyed by index: name once, arguments in fragments.
      const calls = new Map<number, ToolCall>();
      for await (const chunk of stream) {
        modelId = chunk.model || modelId;
        if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        if (choice.finish_reason) finishReason = choice.finish_reason;
        const d = choice.delta;
        if (d?.content) {
          content += d.content;
          req.onDelta?.(d.content);
        }
        for (const tc of d?.tool_calls ?? []) {
          const cur = calls.get(tc.index) ?? { id: "", name: "", arguments: "" };
          if (tc.id) cur.id = tc.id;
          if (tc.function?.name) cur.name += tc.function.name;
          if (tc.function?.arguments) cur.arguments += tc.function.arguments;
          calls.set(tc.index, cur);
        }
      }
      const toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([i, c]) => ({ ...c, id: c.id || `call_${i}` }));
      return { content, toolCalls, modelId, usage, finishReason };
    } catch (e) {
      throw this.explain(e, req.signal);
    }
  }

  /** Lists the provider's catalog (`models list --remote`). */
  async remoteIds(signal?: AbortSignal): Promise<string[]> {
    try {
      const ids: string[] = [];
      for await (const m of this.sdk().models.list({ signal })) ids.push(m.id);
      return ids;
    } catch (e) {
      throw this.explain(e, signal);
    }
  }

  /**
   * A provider's error text with the key taken out: the exact value in use (a server may
   * echo the Authorization header back), anything key-shaped, and URL credentials.
   */
  private redact(text: string): string {
    const key = this.o.secret(this.o.apiKeyEnv);
    let out = key && key.length >= 4 ? text.split(key).join("[redacted key]") : text;
    out = out.replace(/sk-[A-Za-z0-9_-]{8,}/g, "sk-***").replace(/(Bearer\s+)\S+/gi, "$1[redacted]").replace(/\/\/[^/\s:@]+:[^/\s@]+@/g, "//[redacted]@");
    return out.split(/(\s+)/).map((w) => (looksLikeSecret(w) ? "[redacted]" : w)).join("");
  }

  /** SDK error -> ModelError with the fix; the key never appears. */
  private explain(e: unknown, signal?: AbortSignal): Error {
    if (e instanceof ModelError) return e;
    if (signal?.aborted || e instanceof OpenAI.APIUserAbortError) return new AbortedError(`model call to ${this.o.ref} aborted`);
    const where = this.o.baseURL ?? "the OpenAI API";
    if (e instanceof OpenAI.APIConnectionTimeoutError) {
      return new ModelError(`${this.o.ref}: no answer from ${where} within ${this.o.timeoutMs} ms (after ${this.o.maxRetries} retries)`, { code: "model_timeout", fix: "raise models.providers.openai.timeoutMs or check the endpoint", cause: e });
    }
    if (e instanceof OpenAI.APIConnectionError) {
      return new ModelError(`${this.o.ref}: cannot reach ${where}: ${(e.cause as Error | undefined)?.message ?? e.message}`, { code: "model_network", fix: "check the network or models.providers.openai.baseURL / $OPENAI_BASE_URL", cause: e });
    }
    if (e instanceof OpenAI.APIError) {
      const s = e.status ?? 0;
      const detail = this.redact(e.message);
      if (s === 401 || s === 403) return new ModelError(`${this.o.ref}: the provider refused the key (${s})`, { code: "model_auth", status: s, details: [detail], fix: `check $${this.o.apiKeyEnv}: it must be a valid key for ${where}` });
      if (s === 404) return new ModelError(`${this.o.ref}: model "${this.o.model}" not found at ${where}`, { code: "model_not_found", status: s, details: [detail], fix: "use a model id the provider serves (models list --remote shows them)" });
      if (s === 429) return new ModelError(`${this.o.ref}: rate limited (429) after ${this.o.maxRetries} retries`, { code: "model_rate_limited", status: s, details: [detail], fix: "wait and retry, raise models.providers.openai.maxRetries, or check the account's quota" });
      if (s >= 500) return new ModelError(`${this.o.ref}: provider error ${s} after ${this.o.maxRetries} retries`, { code: "model_server_error", status: s, details: [detail], fix: "the provider is failing; retry later" });
      return new ModelError(`${this.o.ref}: request rejected (${s})`, { code: "model_bad_request", status: s, details: [detail], fix: "check the tool schemas and model id" });
    }
    return e instanceof Error ? e : new Error(String(e));
  }

  async close(): Promise<void> {
    this.client = undefined;
  }
}
