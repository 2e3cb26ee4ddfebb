// Commands of "kernel": the grammar of `install` and `kernel` (terminal only: their code
// lives with the CLI entry, bin/cli-commands.ts, so nothing in magics/ imports kernel/),
// and the `%%openclaw skill` cell magic (notebook only).
import { UsageError } from "../../runtime/errors.js";
import { skillsRegister } from "../../runtime/operations/table.js";
import { bind } from "../bind.js";
import { box, esc } from "../render/html.js";
import type { CommandSpec } from "../types.js";

/** Reached only when a front door other than the CLI entry dispatches a terminal-only command. */
function cliOnly(name: string): CommandSpec["run"] {
  return async () => {
    throw new UsageError(`\`${name}\` is CLI-only: it runs from a terminal, not from here`, { fix: `run \`openclaw-kernel ${name}\` in a shell` });
  };
}

export const commands: CommandSpec[] = [
  {
    path: ["install"],
    summary: "install the Jupyter kernelspec \"OpenClaw (TypeScript)\" (no Python needed)",
    only: "cli",
    flags: [
      { name: "user", type: "boolean", help: "into your user data dir, ~/.local/share/jupyter/kernels (the default)" },
      { name: "sys-prefix", type: "boolean", help: "into python3's sys.prefix/share/jupyter/kernels (a venv or conda env)" },
      { name: "prefix", type: "string", placeholder: "P", help: "into P/share/jupyter/kernels (then JUPYTER_PATH=P/share/jupyter)" },
      { name: "name", type: "string", placeholder: "NAME", help: "kernelspec name", default: "openclaw" },
      { name: "ipython", type: "boolean", help: "instead: install the IPython extension (%load_ext openclaw_kernel_ext) for a Python kernel, e.g. Colab" },
      { name: "python", type: "string", placeholder: "PY", help: "with --ipython: the python whose site-packages get it (default python3)" },
      { name: "warm", type: "boolean", help: "also build the TypeScript compiler snapshot now (a few seconds, once per Node and package version), so the first kernel in any folder answers its first cell quickly" },
    ],
    examples: ["install --user --warm", "install --prefix /tmp/jp --name openclaw", "install --ipython --user"],
    run: cliOnly("install"),
  },
  {
    path: ["kernel"],
    summary: "run the Jupyter kernel (what the kernelspec starts)",
    only: "cli",
    flags: [
      { name: "connection-file", short: "f", type: "string", placeholder: "F", help: "the connection file Jupyter wrote ({connection_file})" },
      { name: "insecure", type: "boolean", help: "allow an empty key (unsigned messages); never for a shared machine" },
    ],
    examples: ["kernel --connection-file /tmp/kernel-1.json"],
    run: cliOnly("kernel"),
  },
  {
    path: ["host"],
    summary: "run the IPython extension's host process on stdio (the extension starts it; never listens on a socket)",
    only: "cli",
    examples: ["host   (started by %load_ext openclaw_kernel_ext)"],
    run: cliOnly("host"),
  },
  bind({
    op: skillsRegister,
    path: ["skill"],
    command: "skill",
    summary: "register the cell body (a SKILL.md) as a skill for this session: %%openclaw skill",
    only: "kernel",
    positionals: [{ name: "text", help: "the SKILL.md text (the cell body)", required: false }],
    bodyPositional: "text",
    examples: ["skill   (as %%openclaw skill, with SKILL.md in the cell body)"],
    params: (args) => ({ text: String(args.positionals.text ?? "") }),
    render: (skill) => ({
      text: `registered skill ${skill.name}${skill.description ? `: ${skill.description}` : ""}`,
      html: box("oc-skill", `skill registered: ${skill.name}`, esc(skill.description ?? "")),
    }),
  }),
];
