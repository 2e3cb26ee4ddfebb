/**
 * The one chat contract every provider speaks (OpenAI, llama.cpp, scripted replay),
 * shaped after OpenAI chat completions so the agent loop never branches on provider.
 */
export type Provider = "openai" | "llamacpp" | "scripted";

export interface ToolCall {
  /** Provider-assigned id, echoed back in the tool message. */
  id: string;
  name: string;
  /** The raw JSON text the model produced (parsed and validated by the agent/skills). */
  arguments: string;
}

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; name: string; content: string };

/** A tool as the model sees it: a skill (or apply_patch) and its parameter schema. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: object;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools: ToolSpec[];
  /** "required" forces a tool call, "none" forbids one; default "auto". */
  toolChoice?: "auto" | "required" | "none";
  /** Stream (model.delta) where the provider can. */
  stream?: boolean;
  signal?: AbortSignal;
  /** Text as it is generated. */
  onDelta?: (text: string) => void;
}

export interface ChatResponse {
  content: string;
  toolCalls: ToolCall[];
  /** The model id the provider reported (recorded in audit), or null when it says none. */
  modelId: string | null;
  usage: Usage | null;
  finishReason: string | null;
}

export interface ChatModel {
  readonly ref: string;
  readonly provider: Provider;
  /** True for scripted replays: shown as "scripted" wherever a transcript is shown. */
  readonly scripted: boolean;
  /** True when inference runs on this machine. */
  readonly local: boolean;
  chat(req: ChatRequest): Promise<ChatResponse>;
  close(): Promise<void>;
}

/** One row of `models list`. */
export interface ModelInfo {
  ref: string;
  provider: string;
  /** False for floating aliases (latest, auto, *-latest), which are refused. */
  pinned: boolean;
  /** Usable now without a network call: key present, file present. */
  available: boolean;
  local: boolean;
  /** Where the ref came from: "agentDefaults.model", "models.refs", "modelsDir", "scriptsDir", "remote", ... */
  source: string;
  /** Why it is unavailable or flagged. */
  note?: string;
}
