/**
 * Messages between the kernel and the llama.cpp child process (Node IPC). A model
 * file is native code's input: a malformed one can abort the process that loads it,
 * so it is loaded in a child and the kernel only ever sees these messages.
 */
import type { ChatMessage, ToolSpec, Usage } from "./types.js";

export type ToWorker =
  | { type: "load"; modelPath: string; threads: number; contextSize: number; gpu?: false | "auto" | "cuda" | "vulkan" }
  | { type: "chat"; id: number; messages: ChatMessage[]; tools: ToolSpec[]; toolChoice: "auto" | "required" | "none"; maxTokens: number; seed: number }
  | { type: "abort"; id: number }
  | { type: "bench"; id: number; tokens: number };

export type FromWorker =
  | { type: "loaded"; modelId: string; trainContextSize: number; threads: number }
  | { type: "delta"; id: number; text: string }
  | { type: "result"; id: number; content: string; toolCall: { name: string; arguments: unknown } | null; usage: Usage; modelId: string }
  | { type: "benched"; id: number; tokens: number; ms: number }
  | { type: "error"; id?: number; message: string; aborted?: boolean };
