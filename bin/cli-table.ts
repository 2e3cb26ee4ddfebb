/**
 * The CLI's command table, lazy: every command's grammar (path, summary, positionals, flags,
 * examples, help text) comes from one JSON file written at build time from the whole grammar
 * (dist/bin/cli-table.json, by scripts/gen-validators.mjs through writeCliTable below); a
 * command's code (its group module in magics/commands/, and through it the operation table,
 * renderers and runtime parts) is imported only when that command runs. `config validate`
 * then loads the config checker and not the ~40 modules of the other commands (issue 18).
 *
 * The file is used only while it is as new as the modules it was made from: a group module,
 * the binder or the operation table rebuilt after it (tsc alone, or `tsc -w`), or one whose
 * size differs from the recorded one, makes the CLI import the whole grammar instead (the
 * same specs, eagerly), so a stale file can never show wrong help or accept wrong flags.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CommandSpec } from "../magics/types.js";

/** A command's grammar: its spec without code. */
export type Grammar = Omit<CommandSpec, "run" | "present">;

export interface TableFile {
  /** Per command, in the order `help` lists them: its group module and grammar. */
  commands: Array<{ group: string; spec: Grammar; present?: true }>;
  /** The modules the grammar was read from (dist-relative) and their sizes when it was. */
  sources: Record<string, number>;
}

/** The group modules of magics/commands/, by name: the only way the lazy table reaches command code. */
const GROUPS: Record<string, () => Promise<{ commands: CommandSpec[] }>> = {
  help: () => import("../magics/commands/help.js"),
  config: () => import("../magics/commands/config.js"),
  doctor: () => import("../magics/commands/doctor.js"),
  gateway: () => import("../magics/commands/gateway.js"),
  models: () => import("../magics/commands/models.js"),
  skills: () => import("../magics/commands/skills.js"),
  agent: () => import("../magics/commands/agent.js"),
  rag: () => import("../magics/commands/rag.js"),
  exec: () => import("../magics/commands/exec.js"),
  audit: () => import("../magics/commands/audit.js"),
  secret: () => import("../magics/commands/secret.js"),
  kernel: () => import("../magics/commands/kernel.js"),
};

/** Modules besides the group modules whose code shapes the grammar (bind's summaries come from the operations). */
const SHAPING = ["magics/bind.js", "runtime/operations/table.js", "magics/commands/index.js"];

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A spec's grammar as plain data (what JSON keeps of it). */
export function grammarOf(spec: CommandSpec): Grammar {
  const { run: _run, present: _present, ...grammar } = spec;
  return JSON.parse(JSON.stringify(grammar)) as Grammar;
}

/** The table file's content, made from the whole grammar (magics/commands/index.js) as built. */
export async function buildCliTable(): Promise<TableFile> {
  const { COMMANDS } = await import("../magics/commands/index.js");
  const groupOf = new Map<CommandSpec, string>();
  for (const [name, load] of Object.entries(GROUPS)) for (const spec of (await load()).commands) groupOf.set(spec, name);
  const commands = COMMANDS.map((spec) => {
    const group = groupOf.get(spec);
    if (!group) throw new Error(`cli-table: command \`${spec.path.join(" ")}\` comes from a module not listed in bin/cli-table.ts GROUPS: add its group there`);
    return { group, spec: grammarOf(spec), ...(spec.present ? { present: true as const } : {}) };
  });
  const sources: Record<string, number> = {};
  for (const rel of [...Object.keys(GROUPS).map((g) => `magics/commands/${g}.js`), ...SHAPING]) sources[rel] = statSync(join(DIST, rel)).size;
  return { commands, sources };
}

/** Writes dist/bin/cli-table.json (the build's last step). */
export async function writeCliTable(): Promise<number> {
  const t = await buildCliTable();
  const { writeFileSync } = await import("node:fs");
  writeFileSync(join(DIST, "bin", "cli-table.json"), JSON.stringify(t) + "\n");
  return t.commands.length;
}

/** The table file under `dist`, when present and as new as its sources; else undefined. */
export function readTable(dist: string = DIST): TableFile | undefined {
  const file = join(dist, "bin", "cli-table.json");
  let text: string;
  let made: number;
  try {
    made = statSync(file).mtimeMs;
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const t = JSON.parse(text) as TableFile;
    for (const [rel, size] of Object.entries(t.sources)) {
      const s = statSync(join(dist, rel), { throwIfNoEntry: false });
      if (!s || s.size !== size || s.mtimeMs > made) return undefined;
    }
    if (t.commands.some((c) => !Object.hasOwn(GROUPS, c.group))) return undefined;
    return t;
  } catch {
    return undefined;
  }
}

/** A spec whose code is its group module's, imported on the first run. */
function lazySpec(group: string, grammar: Grammar, present: boolean): CommandSpec {
  const key = grammar.path.join(" ");
  let real: Promise<CommandSpec> | undefined;
  const load = () =>
    (real ??= GROUPS[group]!().then(({ commands }) => {
      const spec = commands.find((c) => c.path.join(" ") === key);
      if (!spec) throw new Error(`cli-table: \`${key}\` is no longer in magics/commands/${group}.js: rebuild (npm run build)`);
      return spec;
    }));
  return {
    ...grammar,
    run: async (args, ctx) => (await load()).run(args, ctx),
    // Commands bound to an operation (bind) can present its data.
    ...(present ? { present: async (data: unknown, args: Parameters<CommandSpec["run"]>[0], ctx: Parameters<CommandSpec["run"]>[1]) => (await load()).present!(data, args, ctx) } : {}),
  };
}

/** How the table was made: "lazy" from the build's file, or "eager" (the whole grammar imported). */
export let tableKind: "lazy" | "eager" | undefined;

/** The CLI's command table: lazy from the build's file, else the whole grammar. */
export async function cliTable(): Promise<CommandSpec[]> {
  const t = readTable();
  if (t) {
    tableKind = "lazy";
    return t.commands.map((c) => lazySpec(c.group, c.spec, c.present === true));
  }
  tableKind = "eager";
  return (await import("../magics/commands/index.js")).COMMANDS;
}
