/**
 * `{name}` in an agent prompt takes a value from the notebook's scope (the TypeScript
 * cells' top-level names in this kernel). `{{` and `}}` are literal braces. An unknown
 * name is a usage error naming it: a typo never becomes a silent empty string. A value
 * is data, not instructions: it reaches the model inside an untrusted-data fence, like
 * retrieved text, so a cell variable holding a web page cannot steer the agent.
 * Only `{identifier}` is a placeholder; other braces (JSON in a prompt) stay as written.
 */
import { UsageError } from "../errors.js";
import { wrapUntrusted } from "../rag/untrusted.js";

const TOKEN = /\{\{|\}\}|\{([A-Za-z_$][\w$]*)\}/g;

/** The placeholder names of a prompt, in order of first use. */
export function placeholders(prompt: string): string[] {
  const names: string[] = [];
  for (const m of prompt.matchAll(TOKEN)) if (m[1] && !names.includes(m[1])) names.push(m[1]);
  return names;
}

/** A scope value as prompt text: strings as they are, anything else as JSON (or its String()). */
export function valueText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "undefined";
  if (typeof v === "function") return `[function ${v.name || "anonymous"}]`;
  try {
    const s = JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x), 2);
    return s === undefined ? String(v) : s;
  } catch {
    return String(v);
  }
}

/** Replaces each `{name}` with its value, fenced as untrusted data; `{{`/`}}` become braces. */
export function interpolate(prompt: string, vars: Record<string, string>): string {
  const missing = placeholders(prompt).filter((n) => !Object.hasOwn(vars, n));
  if (missing.length) {
    throw new UsageError(`the prompt uses ${missing.map((n) => `{${n}}`).join(", ")} but ${missing.length > 1 ? "these names are" : "this name is"} not defined in the notebook`, {
      fix: `define ${missing.join(", ")} in a TypeScript cell first (e.g. const ${missing[0]} = "…"), or write {{${missing[0]}}} for literal braces`,
    });
  }
  return prompt.replace(TOKEN, (m, name: string | undefined) => (m === "{{" ? "{" : m === "}}" ? "}" : `\n${wrapUntrusted(vars[name!]!, `the notebook value {${name}}`)}\n`));
}
