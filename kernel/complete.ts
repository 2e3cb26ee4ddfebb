/**
 * complete / inspect / is_complete for magic lines: subcommands from the one command
 * table, flags of the command named, skill names and model refs where they are asked
 * for. TypeScript positions go to the TypeScript service (kernel.ts decides).
 */
import { commandsFor } from "../magics/dispatch.js";
import { tokenize } from "../magics/tokenize.js";
import { GLOBAL_FLAGS } from "../magics/parse.js";
import type { CommandSpec } from "../magics/types.js";

export interface Completion {
  matches: string[];
  cursor_start: number;
  cursor_end: number;
}

/** Values a flag or positional may take that the runtime can list (skill names, model refs). */
export interface Vocabulary {
  skills(): Promise<string[]>;
  models(): Promise<string[]>;
  /** A skill's parameter names (from its schema), for `skills run NAME <param>=`. */
  skillParams?(skill: string): Promise<string[]>;
}

function specFor(table: CommandSpec[], words: string[]): CommandSpec | undefined {
  let best: CommandSpec | undefined;
  for (const s of table) if (s.path.every((w, i) => words[i] === w) && (!best || s.path.length > best.path.length)) best = s;
  return best;
}

/**
 * Completes `line` (the text after `%openclaw`) at `pos` within it; `offset` maps back
 * to the cell. Returns matches for the word under the cursor.
 */
export async function completeMagic(line: string, pos: number, offset: number, vocab: Vocabulary): Promise<Completion> {
  const before = line.slice(0, pos);
  const m = /(\S*)$/.exec(before)!;
  const word = m[1]!;
  const start = pos - word.length;
  let prior: string[];
  try {
    prior = tokenize(before.slice(0, start));
  } catch {
    prior = before.slice(0, start).trim().split(/\s+/).filter(Boolean);
  }
  const table = commandsFor("kernel");
  const words = prior.filter((t) => !t.startsWith("-"));
  const spec = specFor(table, words);
  let candidates: string[] = [];
  const prev = prior.at(-1);
  if (word.startsWith("-")) {
    candidates = [...(spec?.flags ?? []), ...GLOBAL_FLAGS].map((f) => `--${f.name}`);
  } else if (prev === "--model" || prev === "-m") {
    candidates = await vocab.models();
  } else if (spec && spec.path.length === words.length && spec.path[0] === "skills" && ["run", "show"].includes(spec.path[1] ?? "")) {
    candidates = await vocab.skills();
  } else if (spec && spec.path.join(" ") === "skills run" && words.length >= 3 && !word.includes("=") && vocab.skillParams) {
    // `skills run greet na` -> `name=`; parameters already given are not offered again.
    const given = new Set(words.slice(3).map((w) => w.split("=")[0]));
    candidates = (await vocab.skillParams(words[2]!)).filter((p) => !given.has(p)).map((p) => `${p}=`);
  } else {
    const prefix = words.join(" ");
    // Next word of any command path that extends what is typed so far.
    candidates = [...new Set(table.filter((s) => s.path.length > words.length && s.path.slice(0, words.length).join(" ") === prefix).map((s) => s.path[words.length]!))];
    if (prev && prev.startsWith("--")) {
      const f = [...(spec?.flags ?? [])].find((x) => `--${x.name}` === prev);
      if (f?.choices) candidates = [...f.choices];
    }
  }
  const matches = candidates.filter((c) => c.startsWith(word)).sort();
  return { matches, cursor_start: offset + start, cursor_end: offset + pos };
}

/** The words of a magic line that name a command, for `inspect` (help <words>). */
export function commandWords(line: string): string[] {
  let toks: string[];
  try {
    toks = tokenize(line);
  } catch {
    toks = line.split(/\s+/);
  }
  const words = toks.filter((t) => t && !t.startsWith("-"));
  const spec = specFor(commandsFor("kernel"), words);
  return spec ? spec.path : words.slice(0, 1);
}
