// Commands of "kernel": the kernelspec install and the kernel entry (terminal only), and
// the `%%openclaw skill` cell magic (notebook only).
import { EXIT, UsageError } from "../../runtime/errors.js";
import { box, code, esc, pre, table } from "../render/html.js";
import type { CommandSpec } from "../types.js";

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
    ],
    examples: ["install --user", "install --prefix /tmp/jp --name openclaw"],
    async run(args, ctx) {
      const f = args.flags as { user?: boolean; "sys-prefix"?: boolean; prefix?: string; name: string };
      const chosen = [f.user && "--user", f["sys-prefix"] && "--sys-prefix", f.prefix !== undefined && "--prefix"].filter(Boolean);
      if (chosen.length > 1) throw new UsageError(`choose one of ${chosen.join(", ")}`, { fix: "e.g. `install --user`" });
      const { installKernelspec } = await import("../../kernel/kernelspec.js");
      const target = f.prefix !== undefined ? { kind: "prefix" as const, prefix: f.prefix } : f["sys-prefix"] ? { kind: "sys-prefix" as const } : { kind: "user" as const };
      const r = installKernelspec(target, f.name, ctx.env);
      const text = `installed kernelspec "${r.name}" in ${r.dir}\n  argv: ${JSON.stringify(r.kernelJson.argv)}\n` +
        (target.kind === "prefix" ? `  use it with JUPYTER_PATH=${r.dir.replace(/\/kernels\/[^/]+$/, "")}` : `  check with: jupyter kernelspec list`);
      return {
        command: "install",
        exitCode: EXIT.OK,
        data: r,
        text,
        html: box("oc-install", "kernelspec installed", table(["name", "folder"], [[code(r.name), code(r.dir)]]) + pre(JSON.stringify(r.kernelJson, null, 2))),
      };
    },
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
    async run(args, ctx) {
      const file = args.flags["connection-file"] as string | undefined;
      if (!file) throw new UsageError("`kernel` needs --connection-file F", { fix: "Jupyter runs it for you: install the kernelspec with `openclaw-kernel install` and pick \"OpenClaw (TypeScript)\"" });
      const { runKernel } = await import("../../kernel/main.js");
      const code = await runKernel({ connectionFile: file, insecure: args.flags.insecure === true, cwd: ctx.cwd, env: ctx.env });
      // Sockets and timers of user cells must not keep a shut-down kernel alive.
      process.exit(code);
    },
  },
  {
    path: ["skill"],
    summary: "register the cell body (a SKILL.md) as a skill for this session: %%openclaw skill",
    only: "kernel",
    positionals: [{ name: "text", help: "the SKILL.md text (the cell body)", required: false }],
    bodyPositional: "text",
    examples: ["skill   (as %%openclaw skill, with SKILL.md in the cell body)"],
    async run(args, ctx) {
      const text = String(args.positionals.text ?? "");
      const rt = await ctx.runtime();
      const skill = await (await rt.skills()).register(text, { fromText: true });
      const name = skill.name;
      return {
        command: "skill",
        exitCode: EXIT.OK,
        data: skill,
        text: `registered skill ${name}${skill.description ? `: ${skill.description}` : ""}`,
        html: box("oc-skill", `skill registered: ${name}`, esc(skill.description)),
      };
    },
  },
];
