/**
 * The llama.cpp child process: loads one GGUF with the prebuilt CPU binding (never
 * downloads or builds), then answers chat requests one at a time. Tool calls use a
 * JSON grammar over the tools' parameter schemas (see grammar-schema.ts).
 */
import { GeneralChatWrapper, LlamaChat, LlamaLogLevel, getLlama, type ChatHistoryItem, type Llama, type LlamaContext, type LlamaModel } from "node-llama-cpp";
import { basename } from "node:path";
import { envelopeSchema, toolInstructions } from "./grammar-schema.js";
import { gpuOptions } from "./gpu.js";
import type { FromWorker, ToWorker } from "./llamacpp-protocol.js";
import type { ChatMessage } from "./types.js";

let llama: Llama | undefined;
let model: LlamaModel | undefined;
let context: LlamaContext | undefined;
let chat: LlamaChat | undefined;
let modelId = "";
const aborts = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

function send(m: FromWorker): void {
  process.send?.(m);
}

async function load(m: Extract<ToWorker, { type: "load" }>): Promise<void> {
  const g = gpuOptions(m.gpu ?? false);
  llama = await getLlama({ gpu: g.gpu, build: "never", skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error, maxThreads: m.threads });
  model = await llama.loadModel({ modelPath: m.modelPath, gpuLayers: g.gpuLayers });
  context = await model.createContext({ contextSize: Math.min(m.contextSize, model.trainContextSize || m.contextSize), threads: m.threads });
  // A random-vocab or unknown model has no chat template to detect: use the plain one.
  chat = new LlamaChat({ contextSequence: context.getSequence(), chatWrapper: new GeneralChatWrapper() });
  modelId = String(model.fileInfo.metadata?.general?.name ?? basename(m.modelPath));
  send({ type: "loaded", modelId, trainContextSize: model.trainContextSize, threads: m.threads });
}

/** Our messages -> node-llama-cpp history. Tool traffic is text in the envelope format. */
function history(messages: ChatMessage[], instructions: string): ChatHistoryItem[] {
  const out: ChatHistoryItem[] = [];
  let system = instructions;
  for (const m of messages) {
    if (m.role === "system") system = `${m.content}\n\n${system}`;
    else if (m.role === "user") out.push({ type: "user", text: m.content });
    else if (m.role === "tool") out.push({ type: "user", text: `Result of tool ${m.name}:\n${m.content}` });
    else {
      const call = m.toolCalls?.[0];
      out.push({ type: "model", response: [call ? JSON.stringify({ name: call.name, arguments: parseOr(call.arguments, call.arguments) }) : JSON.stringify({ final: m.content })] });
    }
  }
  out.unshift({ type: "system", text: system });
  out.push({ type: "model", response: [] });
  return out;
}

function parseOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text || "{}");
  } catch {
    return fallback;
  }
}

async function runChat(m: Extract<ToWorker, { type: "chat" }>): Promise<void> {
  if (!llama || !chat || !model) throw new Error("model not loaded");
  const ac = new AbortController();
  aborts.set(m.id, ac);
  try {
    const grammar = await llama.createGrammarForJsonSchema(envelopeSchema(m.tools, m.toolChoice) as any);
    const meter = chat.sequence.tokenMeter;
    const before = { i: meter.usedInputTokens, o: meter.usedOutputTokens };
    const r = await chat.generateResponse(history(m.messages, toolInstructions(m.tools)), {
      grammar,
      maxTokens: m.maxTokens,
      temperature: 0,
      seed: m.seed,
      signal: ac.signal,
      onTextChunk: (text) => send({ type: "delta", id: m.id, text }),
    });
    const usage = { promptTokens: meter.usedInputTokens - before.i, completionTokens: meter.usedOutputTokens - before.o };
    let parsed: any;
    try {
      parsed = JSON.parse(r.response);
    } catch {
      // Cut off by maxTokens: not a call; hand the text back as the answer.
      return send({ type: "result", id: m.id, content: r.response, toolCall: null, usage, modelId });
    }
    if (parsed && typeof parsed.name === "string") return send({ type: "result", id: m.id, content: "", toolCall: { name: parsed.name, arguments: parsed.arguments ?? {} }, usage, modelId });
    send({ type: "result", id: m.id, content: String(parsed?.final ?? ""), toolCall: null, usage, modelId });
  } catch (e) {
    send({ type: "error", id: m.id, message: (e as Error)?.message ?? String(e), aborted: ac.signal.aborted });
  } finally {
    aborts.delete(m.id);
  }
}

/** Raw generation speed for the benchmark: evaluate `tokens` tokens with no grammar. */
async function bench(m: Extract<ToWorker, { type: "bench" }>): Promise<void> {
  if (!chat || !model) throw new Error("model not loaded");
  const t0 = performance.now();
  const meter = chat.sequence.tokenMeter;
  const before = meter.usedOutputTokens;
  await chat.generateResponse([{ type: "user", text: "count" }, { type: "model", response: [] }], { maxTokens: m.tokens, temperature: 0, customStopTriggers: [] });
  send({ type: "benched", id: m.id, tokens: meter.usedOutputTokens - before, ms: performance.now() - t0 });
}

process.on("message", (m: ToWorker) => {
  if (m.type === "abort") return aborts.get(m.id)?.abort();
  const job = m.type === "load" ? () => load(m) : m.type === "chat" ? () => runChat(m) : () => bench(m);
  queue = queue.then(job).catch((e) => send({ type: "error", id: "id" in m ? m.id : undefined, message: (e as Error)?.message ?? String(e) }));
});
// The parent going away ends us: no orphaned model processes.
process.on("disconnect", () => process.exit(0));
