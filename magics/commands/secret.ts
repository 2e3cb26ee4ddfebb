// Commands of "secret": run-time secrets entered in the notebook (memory only).
import { EXIT, UsageError } from "../../runtime/errors.js";
import { badge, box, code, esc, table } from "../render/html.js";
import type { CommandSpec } from "../types.js";
import { secretList } from "../../runtime/operations/table.js";
import { bind } from "../bind.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export const commands: CommandSpec[] = [
  {
    path: ["secret"],
    summary: "(notebook) enter a secret (e.g. OPENAI_API_KEY) through a masked prompt; kept in the kernel's memory for this session only",
    positionals: [{ name: "name", help: "the environment-variable name providers read, e.g. OPENAI_API_KEY", required: true }],
    examples: ["secret OPENAI_API_KEY", "secret list"],
    description: "The value never touches disk, the audit log, outputs, tracebacks or a child's environment; only the provider that needs it reads it (Runtime.secret).",
    async run(args, ctx) {
      const name = String(args.positionals.name);
      if (!NAME.test(name)) throw new UsageError(`"${name}" is not an environment-variable name`, { fix: "e.g. `%openclaw secret OPENAI_API_KEY`" });
      if (!ctx.prompt) {
        throw new UsageError("`secret` asks through the notebook's masked input; this front door cannot prompt", { fix: `export ${name}=… in the shell that starts the program instead` });
      }
      const value = await ctx.prompt(`${name}: `, { password: true });
      if (!value) throw new UsageError(`no value entered for ${name}; nothing stored`, { fix: `run \`%openclaw secret ${name}\` again and paste the value` });
      const rt = await ctx.runtime();
      rt.secrets.set(name, value);
      const data = { name, source: "prompt", stored: true };
      return {
        command: "secret",
        exitCode: EXIT.OK,
        data,
        text: `${name} stored for this kernel session (memory only; value not shown)`,
        html: box("oc-secret", "secret stored", `${code(name)} ${badge("ok")} <span>kept in memory for this session; never written or shown</span>`),
      };
    },
  },
  bind({
    op: secretList,
    path: ["secret", "list"],
    summary: "list secret names and where each comes from (env or prompt); never values",
    examples: ["secret list", "secret list --json"],
    render: ({ secrets: rows }) => ({
      text: rows.length ? rows.map((r) => `${r.name.padEnd(28)} ${r.source.padEnd(6)} ${r.set ? "set" : "not set"}`).join("\n") : "no secrets",
      html: box("oc-secrets", "secrets (values never shown)", table(["name", "source", "state"], rows.map((r) => [code(r.name), esc(r.source), badge(r.set ? "ok" : "warn")]))),
    }),
  }),
];
