import { didYouMean } from "../runtime/config/didyoumean.js";
import { UsageError } from "../runtime/errors.js";
import type { CommandSpec, FlagSpec, ParsedArgs } from "./types.js";

/** Flags every command takes. */
export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: "json", type: "boolean", help: "print one JSON document instead of text" },
  { name: "config", type: "string", placeholder: "PATH", help: "openclaw.json to use (else $OPENCLAW_CONFIG, else ./openclaw.json)" },
  { name: "help", short: "h", type: "boolean", help: "show help for this command" },
];

export interface Parsed {
  spec: CommandSpec;
  args: ParsedArgs;
  configPath?: string;
  help: boolean;
}

/** A command group's name for "did you mean" and help: ["rag"] of ["rag","query"]. */
function groups(table: CommandSpec[]): string[] {
  return [...new Set(table.map((c) => c.path[0]!))];
}

/** How a flag is written: `--topk`, or `-n` for a one-letter flag. */
export function flagName(f: FlagSpec): string {
  return f.name.length === 1 ? `-${f.name}` : `--${f.name}`;
}

export function usageLine(spec: CommandSpec): string {
  const parts = [spec.path.join(" ")];
  for (const p of spec.positionals ?? []) {
    const n = p.name.toUpperCase() + (p.variadic ? "…" : "");
    parts.push(p.required ? n : `[${n}]`);
  }
  for (const f of spec.flags ?? []) {
    const v = f.type === "boolean" ? "" : ` ${f.placeholder ?? (f.choices ? f.choices.join("|") : f.type === "number" ? "N" : "VALUE")}`;
    parts.push(`[${flagName(f)}${v}]`);
  }
  parts.push("[--json]");
  return parts.join(" ");
}

/** Finds the command a token list names, or explains what was meant. */
export function resolveCommand(table: CommandSpec[], tokens: string[]): { spec: CommandSpec; rest: string[] } {
  const words = tokens.filter((t) => !t.startsWith("-"));
  // Longest path whose words are the leading non-flag tokens.
  let best: CommandSpec | undefined;
  for (const spec of table) {
    const n = spec.path.length;
    let ok = true;
    for (let i = 0; i < n; i++) if (tokens[i] !== spec.path[i]) ok = false;
    if (ok && (!best || n > best.path.length)) best = spec;
  }
  if (best) {
    // A group with subcommands named without one: `rag` alone -> show the group's help.
    return { spec: best, rest: tokens.slice(best.path.length) };
  }
  const first = words[0] ?? tokens[0];
  if (!first) throw new UsageError("no command given", { fix: "try `help` for the list of commands" });
  const gs = groups(table);
  if (!gs.includes(first)) {
    const g = didYouMean(first, gs);
    throw new UsageError(`unknown command "${first}"${g ? `; did you mean "${g}"?` : ""}`, { fix: `commands: ${gs.join(", ")}` });
  }
  const subs = table.filter((c) => c.path[0] === first && c.path.length > 1).map((c) => c.path[1]!);
  const second = tokens[1];
  if (!second || second.startsWith("-")) {
    throw new UsageError(`"${first}" needs a subcommand: ${subs.join(", ")}`, { fix: `e.g. \`${first} ${subs[0]} --help\`` });
  }
  const g = didYouMean(second, subs);
  throw new UsageError(`unknown subcommand "${first} ${second}"${g ? `; did you mean "${first} ${g}"?` : ""}`, { fix: `subcommands of ${first}: ${subs.join(", ")}` });
}

function coerce(f: FlagSpec, raw: string, cmd: string): unknown {
  if (f.type === "number") {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${f.name} takes a number, got "${raw}"`, { fix: `e.g. \`${cmd} --${f.name} 5\`` });
    return n;
  }
  if (f.choices && !f.choices.includes(raw)) {
    const g = didYouMean(raw, f.choices);
    throw new UsageError(`--${f.name} must be one of ${f.choices.join(", ")}, got "${raw}"${g ? `; did you mean "${g}"?` : ""}`);
  }
  return raw;
}

/** Parses the tokens after the command path against its spec. */
export function parseArgs(spec: CommandSpec, rest: string[]): { args: ParsedArgs; configPath?: string; help: boolean } {
  const cmd = spec.path.join(" ");
  const flags = [...(spec.flags ?? []), ...GLOBAL_FLAGS];
  const byName = new Map(flags.map((f) => [f.name, f]));
  const byShort = new Map(flags.filter((f) => f.short).map((f) => [f.short!, f]));
  const values: Record<string, unknown> = {};
  for (const f of spec.flags ?? []) if (f.default !== undefined) values[f.name] = f.default;
  const pos: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]!;
    if (onlyPositionals || !t.startsWith("-") || t === "-" || /^-\d/.test(t)) {
      pos.push(t);
      continue;
    }
    if (t === "--") {
      onlyPositionals = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    let f: FlagSpec | undefined;
    if (t.startsWith("--")) {
      const eq = t.indexOf("=");
      name = eq >= 0 ? t.slice(2, eq) : t.slice(2);
      inline = eq >= 0 ? t.slice(eq + 1) : undefined;
      f = byName.get(name);
      if (!f && name.startsWith("no-") && byName.get(name.slice(3))?.type === "boolean") {
        values[name.slice(3)] = false;
        continue;
      }
    } else {
      name = t.slice(1);
      f = byShort.get(name);
    }
    if (!f) {
      const g = didYouMean(name, flags.map((x) => x.name));
      throw new UsageError(`unknown flag "${t}" for \`${cmd}\`${g ? `; did you mean "--${g}"?` : ""}`, { fix: `usage: ${usageLine(spec)}` });
    }
    if (f.type === "boolean") {
      if (inline !== undefined && !["true", "false"].includes(inline)) throw new UsageError(`--${f.name} is a switch; it takes no value (got "${inline}")`);
      values[f.name] = inline === undefined ? true : inline === "true";
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      raw = rest[++i];
      if (raw === undefined) throw new UsageError(`--${f.name} needs a value`, { fix: `usage: ${usageLine(spec)}` });
    }
    const v = coerce(f, raw, cmd);
    if (f.type === "list") values[f.name] = [...((values[f.name] as string[] | undefined) ?? []), v as string];
    else values[f.name] = v;
  }
  const help = values.help === true;
  const positionals: ParsedArgs["positionals"] = {};
  const specs = spec.positionals ?? [];
  let k = 0;
  for (const p of specs) {
    if (p.variadic) {
      positionals[p.name] = pos.slice(k);
      k = pos.length;
    } else positionals[p.name] = pos[k++];
  }
  if (!help) {
    if (k < pos.length) {
      throw new UsageError(`unexpected argument "${pos[k]}" for \`${cmd}\``, { fix: `usage: ${usageLine(spec)}${/\s/.test(pos[k]!) ? "" : ' (quote a value with spaces: "like this")'}` });
    }
    for (const p of specs) {
      const v = positionals[p.name];
      if (p.required && (v === undefined || (Array.isArray(v) && v.length === 0))) {
        throw new UsageError(`\`${cmd}\` needs ${p.name.toUpperCase()}: ${p.help}`, { fix: `usage: ${usageLine(spec)}` });
      }
    }
  }
  const configPath = typeof values.config === "string" ? values.config : undefined;
  const json = values.json === true;
  delete values.json;
  delete values.config;
  delete values.help;
  return { args: { positionals, flags: values, json }, configPath, help };
}

export function parse(table: CommandSpec[], tokens: string[]): Parsed {
  const { spec, rest } = resolveCommand(table, tokens);
  const { args, configPath, help } = parseArgs(spec, rest);
  return { spec, args, configPath, help };
}
