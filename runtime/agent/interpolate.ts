/**
 * `{name}` in an agent prompt takes a value from the notebook's scope (the TypeScript
 * cells' top-level names in this kernel; in the IPython extension, the Python kernel's
 * user namespace, asked for by name over the host's pipe: this is the one parser). `{{` and `}}` are literal braces. An unknown
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

/** A text's length in characters (code points, as agent.run's schema and Python's len() count them). */
export function charCount(text: string, max: number): number {
  return text.length > max ? [...text].length : text.length;
}

/** A value longer than agent.run accepts (its vars schema's maxLength): named, with what to do instead. */
export function tooLong(name: string, chars: number, max: number): UsageError {
  return new UsageError(`{${name}} is ${chars} characters as text; a value in a prompt can be at most ${max}`, {
    fix: `put a shorter text in a variable (a slice or a summary of ${name}) and use that`,
  });
}

/** A value that could not be turned into text (the Python front door: its repr() raised). */
export function unusable(name: string, problem: string): UsageError {
  return new UsageError(`{${name}} cannot be sent to the model: ${problem.replace(/\s+/g, " ").slice(0, 300)}`, {
    fix: `store the text you mean in a variable (e.g. ${name}_text = str(…)) and use {${name}_text}`,
  });
}

/** The language of the cells whose names a prompt can use (how the fix hint says to define one). */
export type ScopeLanguage = "TypeScript" | "Python";

const DEFINE: Record<ScopeLanguage, (name: string) => string> = {
  TypeScript: (n) => `in a TypeScript cell first (e.g. const ${n} = "…")`,
  Python: (n) => `in a Python cell first (e.g. ${n} = "…")`,
};

/** Replaces each `{name}` with its value, fenced as untrusted data; `{{`/`}}` become braces. */
export function interpolate(prompt: string, vars: Record<string, string>, language: ScopeLanguage = "TypeScript"): string {
  const missing = placeholders(prompt).filter((n) => !Object.hasOwn(vars, n));
  if (missing.length) {
    throw new UsageError(`the prompt uses ${missing.map((n) => `{${n}}`).join(", ")} but ${missing.length > 1 ? "these names are" : "this name is"} not defined in the notebook`, {
      fix: `define ${missing.join(", ")} ${DEFINE[language](missing[0]!)}, or write {{${missing[0]}}} for literal braces`,
    });
  }
  return prompt.replace(TOKEN, (m, name: string | undefined) => (m === "{{" ? "{" : m === "}}" ? "}" : `\n${wrapUntrusted(vars[name!]!, `the notebook value {${name}}`)}\n`));
}
