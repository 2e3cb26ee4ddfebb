/**
 * The grammar's dispatcher over a given command table: magics/dispatch.ts runs it over the
 * whole table (the kernel, the gateway); the CLI entry runs it over its lazy table (each
 * command's code imported only when it runs, bin/cli-table.ts), so a CLI process loads the
 * grammar's data and the one command it runs.
 */
import { UsageError } from "../runtime/errors.js";
import { groupHelp, commandHelp } from "./commands/help.js";
import { parse } from "./parse.js";
import { tokenize } from "./tokenize.js";
import type { CommandContext, CommandResult, CommandSpec } from "./types.js";

export interface DispatchOptions {
  /** Body of a cell magic (%%openclaw agent: the prompt; %%openclaw skill: SKILL.md). */
  body?: string;
  /** The code of terminal-only commands (install, kernel), by command path: given by the CLI entry. */
  runners?: Record<string, CommandSpec["run"]>;
}

/** A command that exists but only in a terminal: say so instead of "unknown command". */
function cliOnlyError(all: CommandSpec[], tokens: string[], host: CommandContext["host"]): UsageError | undefined {
  if (host !== "kernel") return undefined;
  const words = tokens.filter((t) => !t.startsWith("-"));
  const spec = all.filter((c) => c.only === "cli" && c.path.every((w, i) => words[i] === w)).sort((a, b) => b.path.length - a.path.length)[0];
  // A bare group with commands here (`gateway`) keeps its "needs a subcommand" help.
  if (!spec || (spec.path.length === 1 && all.some((c) => c.path[0] === spec.path[0] && c.path.length > 1 && c.only !== "cli"))) return undefined;
  const name = spec.path.join(" ");
  return new UsageError(`\`${name}\` is CLI-only: it runs from a terminal, not in a notebook cell`, { fix: `run \`openclaw-kernel ${name}\` in a shell${spec.path[0] === "gateway" ? ", or use `%openclaw gateway start` to run it inside this kernel" : ""}` });
}

/** Lifts leading global flags (`--json --config P rag query …`) behind the command words. */
function hoistGlobals(tokens: string[]): string[] {
  const lead: string[] = [];
  let i = 0;
  while (i < tokens.length && tokens[i]!.startsWith("-")) {
    const t = tokens[i]!;
    lead.push(t);
    if (t === "--config") lead.push(tokens[++i] ?? "");
    i++;
  }
  return [...tokens.slice(i), ...lead];
}

/** The commands of `all` a front door may reach. */
export function commandsIn(all: CommandSpec[], host: CommandContext["host"]): CommandSpec[] {
  return all.filter((c) => !c.only || c.only === host || host === "gateway");
}

/**
 * The one grammar behind both front doors: `openclaw-kernel <argv>` and `%openclaw <line>`.
 * Returns the command's typed result; throws typed errors (UsageError, ConfigError, …)
 * that the front door renders.
 */
export async function dispatchIn(all: CommandSpec[], input: string | string[], ctx: CommandContext, opts: DispatchOptions = {}): Promise<{ result: CommandResult; json: boolean }> {
  const tokens = hoistGlobals(typeof input === "string" ? tokenize(input) : input);
  const table = commandsIn(all, ctx.host);
  const wantsHelp = tokens.includes("--help") || tokens.includes("-h");
  const wantsJson = tokens.includes("--json");
  if (tokens.length === 0 || (wantsHelp && tokens[0]?.startsWith("-"))) {
    return { result: groupHelp(table, undefined, ctx.host), json: wantsJson };
  }
  let parsed;
  try {
    parsed = parse(table, tokens);
  } catch (e) {
    // `rag --help`, `skills -h`: a group named with --help shows the group's commands.
    const g = tokens[0]!;
    const cliOnly = e instanceof UsageError ? cliOnlyError(all, tokens, ctx.host) : undefined;
    if (cliOnly) throw cliOnly;
    if (wantsHelp && e instanceof UsageError && table.some((c) => c.path[0] === g)) return { result: groupHelp(table, g, ctx.host), json: wantsJson };
    throw e;
  }
  if (parsed.help) return { result: commandHelp(parsed.spec, ctx.host), json: parsed.args.json };
  if (parsed.spec.bodyPositional && opts.body !== undefined && opts.body.trim() !== "") {
    parsed.args.positionals[parsed.spec.bodyPositional] = opts.body;
  }
  if (opts.body !== undefined) parsed.args.body = opts.body;
  if (parsed.spec.bodyPositional && !parsed.args.positionals[parsed.spec.bodyPositional]) {
    throw new UsageError(`\`${parsed.spec.path.join(" ")}\` needs ${parsed.spec.bodyPositional.toUpperCase()}`, {
      fix: ctx.host === "kernel" ? `give it on the line, or use %%openclaw ${parsed.spec.path.join(" ")} with it in the cell body` : `give it as an argument in quotes`,
    });
  }
  const c: CommandContext = parsed.configPath ? { ...ctx, configPath: parsed.configPath } : ctx;
  const run = opts.runners?.[parsed.spec.path.join(" ")] ?? parsed.spec.run;
  const result = await run(parsed.args, c);
  return { result, json: parsed.args.json };
}

