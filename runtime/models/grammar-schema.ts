/**
 * Converts a tool's JSON Schema into the subset node-llama-cpp compiles to a GBNF
 * grammar, and builds the envelope a local model must answer in:
 *   {"name": "<tool>", "arguments": {...}}  or  {"final": "<text>"}
 * Grammar-constrained sampling makes even a random-weight model emit a schema-valid
 * call; the arguments are still validated by the skill registry before anything runs.
 */
import type { ToolSpec } from "./types.js";

/** Strings without a bound get one, so a weak model cannot ramble until maxTokens. */
export const DEFAULT_MAX_STRING = 512;
/** llama.cpp refuses a grammar whose repetition count gets large ({0,2000} fails to parse): the bound for any string. */
export const MAX_GRAMMAR_STRING = 1000;

type Json = Record<string, any>;

export function toGbnfSchema(s: unknown, depth = 0): Json {
  if (!s || typeof s !== "object" || depth > 8) return { type: "string", maxLength: DEFAULT_MAX_STRING };
  const x = s as Json;
  if ("const" in x) return { const: x.const };
  if (Array.isArray(x.enum) && x.enum.length) return { enum: x.enum };
  for (const k of ["oneOf", "anyOf"] as const) if (Array.isArray(x[k]) && x[k].length) return { oneOf: x[k].map((y: unknown) => toGbnfSchema(y, depth + 1)) };
  const type = Array.isArray(x.type) ? x.type.find((t: string) => t !== "null") ?? "string" : x.type;
  switch (type) {
    case "integer":
    case "number":
    case "boolean":
    case "null":
      return { type };
    case "array":
      return { type: "array", items: toGbnfSchema(x.items, depth + 1), ...(typeof x.minItems === "number" ? { minItems: x.minItems } : {}), maxItems: typeof x.maxItems === "number" ? x.maxItems : 8 };
    case "object": {
      const props: Json = {};
      for (const [k, v] of Object.entries((x.properties ?? {}) as Json)) props[k] = toGbnfSchema(v, depth + 1);
      const required = Array.isArray(x.required) ? x.required.filter((r: string) => r in props) : Object.keys(props);
      return { type: "object", properties: props, required, additionalProperties: false };
    }
    default:
      return { type: "string", ...(typeof x.minLength === "number" ? { minLength: x.minLength } : {}), maxLength: Math.min(typeof x.maxLength === "number" ? x.maxLength : DEFAULT_MAX_STRING, MAX_GRAMMAR_STRING) };
  }
}

/** The answer envelope for a step: one of the tools, or (unless a call is required) a final text. */
export function envelopeSchema(tools: ToolSpec[], toolChoice: "auto" | "required" | "none"): Json {
  const calls = toolChoice === "none" ? [] : tools.map((t) => ({ type: "object", properties: { name: { const: t.name }, arguments: toGbnfSchema(t.parameters) }, required: ["name", "arguments"], additionalProperties: false }));
  const final = { type: "object", properties: { final: { type: "string", maxLength: MAX_GRAMMAR_STRING } }, required: ["final"], additionalProperties: false };
  const options = toolChoice === "required" && calls.length ? calls : [...calls, final];
  return options.length === 1 ? options[0]! : { oneOf: options };
}

/** The instructions a local model gets about the envelope (it cannot see native tool specs). */
export function toolInstructions(tools: ToolSpec[]): string {
  if (!tools.length) return 'Answer as JSON: {"final": "<your answer>"}.';
  const lines = tools.map((t) => `- ${t.name}: ${t.description} Parameters (JSON Schema): ${JSON.stringify(t.parameters)}`);
  return `You can call these tools:\n${lines.join("\n")}\nAnswer as JSON: either {"name": "<tool>", "arguments": {...}} to call one tool, or {"final": "<your answer>"} when done.`;
}
