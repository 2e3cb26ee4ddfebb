import { EXIT } from "../../runtime/errors.js";
import { flagName, GLOBAL_FLAGS, usageLine } from "../parse.js";
import { box, code, esc, table } from "../render/html.js";
import { padTable } from "../render/text.js";
import type { CommandContext, CommandResult, CommandSpec, ParsedArgs } from "../types.js";

const prefixFor = (host: CommandContext["host"]) => (host === "kernel" ? "%openclaw " : "openclaw-kernel ");

export function groupHelp(tableIn: CommandSpec[], group: string | undefined, host: CommandContext["host"]): CommandResult {
  const list = group ? tableIn.filter((c) => c.path[0] === group) : tableIn;
  const prefix = prefixFor(host);
  const rows = list.map((c) => [prefix + c.path.join(" "), c.summary]);
  const data = { commands: list.map((c) => ({ command: c.path.join(" "), summary: c.summary, usage: usageLine(c) })) };
  const head = group ? `Commands of ${group}:` : `openclaw-kernel: a secure, local-first agent runtime for notebooks.\nCommands (each takes --json and --help):`;
  const foot = `\nExit codes: 0 ok, 1 failed, 2 bad usage or invalid config, 78 refused for safety.`;
  return {
    command: "help",
    exitCode: EXIT.OK,
    data,
    text: `${head}\n${padTable(rows)}${foot}`,
    html: box("oc-help", group ? `openclaw ${group}` : "openclaw commands", table(["command", "what it does"], rows.map((r) => [code(r[0]!), esc(r[1])]))),
  };
}

export function commandHelp(spec: CommandSpec, host: CommandContext["host"]): CommandResult {
  const prefix = prefixFor(host);
  const lines = [`usage: ${prefix}${usageLine(spec)}`, "", spec.summary];
  if (spec.description) lines.push("", spec.description);
  const pos = spec.positionals ?? [];
  if (pos.length) lines.push("", "arguments:", padTable(pos.map((p) => ["  " + p.name.toUpperCase(), p.help])));
  const flags = [...(spec.flags ?? []), ...GLOBAL_FLAGS];
  lines.push(
    "",
    "flags:",
    padTable(flags.map((f) => [`  ${f.short && f.short !== f.name ? `-${f.short}, ` : ""}${flagName(f)}${f.type === "boolean" ? "" : " " + (f.placeholder ?? (f.type === "number" ? "N" : "VALUE"))}`, f.help + (f.default !== undefined ? ` (default ${JSON.stringify(f.default)})` : "")])),
  );
  if (spec.examples?.length) lines.push("", "examples:", ...spec.examples.map((e) => `  ${prefix}${e}`));
  const text = lines.join("\n");
  return {
    command: "help",
    exitCode: EXIT.OK,
    data: { command: spec.path.join(" "), usage: usageLine(spec), summary: spec.summary, positionals: pos, flags, examples: spec.examples ?? [] },
    text,
    html: box("oc-help", `${prefix}${spec.path.join(" ")}`, `<pre style="white-space:pre-wrap;margin:0">${esc(text)}</pre>`),
  };
}

/** `help [TOPIC…]` over a command table (the whole grammar, or the CLI's lazy table of the same specs). */
export async function helpOf(all: CommandSpec[], args: ParsedArgs, ctx: CommandContext): Promise<CommandResult> {
  const words = (args.positionals.topic as string[]) ?? [];
  const list = all.filter((c) => !c.only || c.only === ctx.host);
  if (!words.length) return groupHelp(list, undefined, ctx.host);
  const exact = list.find((c) => c.path.join(" ") === words.join(" "));
  if (exact) return commandHelp(exact, ctx.host);
  if (list.some((c) => c.path[0] === words[0])) return groupHelp(list, words[0], ctx.host);
  const { resolveCommand } = await import("../parse.js");
  resolveCommand(list, words); // throws the did-you-mean error
  return groupHelp(list, undefined, ctx.host);
}

export const commands: CommandSpec[] = [
  {
    path: ["help"],
    summary: "list the commands, or show one command's help",
    positionals: [{ name: "topic", help: "a command or group, e.g. `rag` or `rag query`", variadic: true }],
    examples: ["help", "help skills run"],
    async run(args, ctx) {
      const { COMMANDS } = await import("./index.js");
      return helpOf(COMMANDS, args, ctx);
    },
  },
];
