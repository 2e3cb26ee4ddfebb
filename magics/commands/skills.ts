import { EXIT, UsageError, type ExitCode } from "../../runtime/errors.js";
import type { InvokeResult, SkillInfo } from "../../runtime/skills/index.js";
import { badge, box, code, esc, muted, pre, table } from "../render/html.js";
import { padTable } from "../render/text.js";
import type { CommandContext, CommandSpec } from "../types.js";

/** The exit code a skill run maps to: ok/running 0, failed/timeout 1, denied 78 (refused for safety), an unknown skill 2 (usage). */
export function runExitCode(status: InvokeResult["status"], rule?: string): ExitCode {
  if (status === "denied" && rule === "skill.unknown") return EXIT.USAGE;
  return status === "ok" || status === "running" ? EXIT.OK : status === "denied" ? EXIT.SAFETY : EXIT.FAILED;
}

/** `key=value` words -> parameters, typed by the skill's schema (a CLI only has strings). */
export function parseKeyValues(words: string[], skill: SkillInfo): Record<string, unknown> {
  const props = ((skill.parameters as { properties?: Record<string, { type?: string }> }).properties ?? {}) as Record<string, { type?: string }>;
  const out: Record<string, unknown> = {};
  for (const w of words) {
    const eq = w.indexOf("=");
    if (eq <= 0) throw new UsageError(`"${w}" is not key=value`, { fix: `give parameters as name=value; ${skill.name} takes: ${Object.keys(props).join(", ") || "none"}` });
    const k = w.slice(0, eq);
    const raw = w.slice(eq + 1);
    if (k in out) throw new UsageError(`parameter ${k} given twice`);
    const t = props[k]?.type;
    if ((t === "number" || t === "integer") && raw.trim() !== "" && Number.isFinite(Number(raw))) out[k] = Number(raw);
    else if (t === "boolean" && (raw === "true" || raw === "false")) out[k] = raw === "true";
    else out[k] = raw;
  }
  return out;
}

function skillRow(s: SkillInfo): string[] {
  return [s.name, s.blocked ? "blocked" : "ok", s.source, s.risk, s.argvTemplate.join(" "), (s.blocked ? `blocked: ${s.blocked}` : "") + (s.overrides ? `${s.blocked ? "; " : ""}overrides ${s.overrides}` : "")];
}

function owner(ctx: CommandContext): string {
  return ctx.host;
}

export const commands: CommandSpec[] = [
  {
    path: ["skills", "list"],
    summary: "skills from the bundled folder, the workspace's skills/ and skills.dirs: blocked ones with the reason, overrides marked",
    examples: ["skills list", "skills list --json"],
    async run(args, ctx) {
      const reg = await (await ctx.runtime()).skills();
      const skills = reg.list();
      const errors = reg.errors();
      const data = { skills, errors, count: skills.length };
      const text =
        (skills.length ? padTable([["NAME", "STATUS", "SOURCE", "RISK", "COMMAND", "NOTE"], ...skills.map(skillRow)]) : "no skills found") +
        (errors.length ? `\n${errors.length} skill(s) failed to load:\n${errors.map((e) => `  ${e.path}: ${e.message}`).join("\n")}` : "");
      const html = box(
        "oc-skills",
        `skills: ${skills.length}`,
        table(
          ["skill", "status", "source", "risk", "command", "note"],
          skills.map((s) => [code(s.name), badge(s.blocked ? "blocked" : "ok"), esc(s.source), s.risk === "high" ? badge("warn") + " high" : "normal", code(s.argvTemplate.join(" ")), esc(s.blocked ?? "") + (s.overrides ? muted(` overrides ${s.overrides}`) : "")]),
        ) + (errors.length ? `<div style="margin-top:6px">${badge("fail")} failed to load:<ul style="margin:2px 0 0 18px;padding:0">${errors.map((e) => `<li>${code(e.path)}: ${esc(e.message)}</li>`).join("")}</ul></div>` : ""),
      );
      return { command: "skills.list", exitCode: errors.length ? EXIT.FAILED : EXIT.OK, data, text, html };
    },
  },
  {
    path: ["skills", "show"],
    summary: "one skill: its command template as argv, parameters schema, requirements and SKILL.md body",
    positionals: [{ name: "name", help: "skill name", required: true }],
    async run(args, ctx) {
      const reg = await (await ctx.runtime()).skills();
      const name = args.positionals.name as string;
      const d = reg.details(name);
      if (!d) throw new UsageError(`no skill named "${name}"`, { fix: `known skills: ${reg.list().map((s) => s.name).join(", ") || "none"} (\`skills list\`)` });
      const text = [
        `${d.name} (${d.source}${d.blocked ? `, BLOCKED: ${d.blocked}` : ""}${d.risk === "high" ? ", risk high: needs approval" : ""})`,
        d.description,
        `path: ${d.path}`,
        `argv: ${JSON.stringify(d.argvTemplate)}`,
        `parameters: ${JSON.stringify(d.parameters)}`,
        d.overrides ? `overrides: ${d.overrides}` : "",
        d.body.trim(),
      ]
        .filter(Boolean)
        .join("\n");
      const html = box("oc-skill", `skill ${d.name}`, `<div>${badge(d.blocked ? "blocked" : "ok")} ${esc(d.description)}</div><div>${muted(d.path)}</div><div>argv: ${d.argvTemplate.map(code).join(" ")}</div>${d.blocked ? `<div>${esc(d.blocked)}</div>` : ""}${pre(JSON.stringify(d.parameters, null, 2), 200)}${pre(d.body.trim(), 240)}`);
      return { command: "skills.show", exitCode: EXIT.OK, data: d, text, html };
    },
  },
  {
    path: ["skills", "register"],
    summary: "load a skill folder (or SKILL.md) for this session; validated like any other",
    positionals: [{ name: "path", help: "skill folder or SKILL.md (in a notebook, %%openclaw skills register with SKILL.md as the cell body)", required: false }],
    async run(args, ctx) {
      const reg = await (await ctx.runtime()).skills();
      const p = args.positionals.path as string | undefined;
      let s: SkillInfo;
      if (p) s = await reg.register((await import("node:path")).resolve(ctx.cwd, p));
      else if (args.body?.trim()) s = await reg.register(args.body, { fromText: true });
      else throw new UsageError("skills register needs PATH", { fix: "give a skill folder holding SKILL.md, or (notebook) put SKILL.md in the cell body of %%openclaw skills register" });
      const text = `registered ${s.name} (${s.path})${s.blocked ? `\nblocked: ${s.blocked}` : ""}${s.overrides ? `\noverrides ${s.overrides}` : ""}`;
      return { command: "skills.register", exitCode: EXIT.OK, data: s, text, html: box("oc-skill-register", `registered ${s.name}`, `<div>${badge(s.blocked ? "blocked" : "ok")} ${code(s.argvTemplate.join(" "))}</div>${s.blocked ? `<div>${esc(s.blocked)}</div>` : ""}`) };
    },
  },
  {
    path: ["skills", "run"],
    summary: "run a skill with name=value parameters through the governed path (policy, exec, audit)",
    positionals: [
      { name: "name", help: "skill name", required: true },
      { name: "params", help: "parameters as name=value", variadic: true },
    ],
    examples: ['skills run local-rag query="How do we onboard new hires?"', "skills run local-rag query=hello --json"],
    async run(args, ctx) {
      const rt = await ctx.runtime();
      const reg = await rt.skills();
      const name = args.positionals.name as string;
      const info = reg.get(name);
      const params = info ? parseKeyValues((args.positionals.params as string[] | undefined) ?? [], info) : {};
      const r = await rt.door().invoke(name, params, { signal: ctx.signal, approver: ctx.approver, owner: owner(ctx) });
      const data = r;
      const exitCode = runExitCode(r.status, r.rule);
      const status = r.status === "ok" ? "" : r.status === "denied" ? `denied (${r.rule}): ${r.reason}` : r.status === "running" ? `running in the background as ${r.id}: \`exec log ${r.id}\`, \`exec kill ${r.id}\`` : `${r.status}: exit ${r.exitCode ?? "-"}${r.signal ? ` signal ${r.signal}` : ""}${r.timedOut ? " (timed out)" : ""}${r.reason ? `: ${r.reason}` : ""}`;
      const text = (r.stdout + (r.stderr ? (r.stdout && !r.stdout.endsWith("\n") ? "\n" : "") + r.stderr : "")).replace(/\n$/, "") + (status ? `${r.stdout || r.stderr ? "\n" : ""}${status}` : "");
      const html = box(
        "oc-skill-run",
        `skill ${name}`,
        `<div>${badge(r.status)} ${r.argv.length ? r.argv.map(code).join(" ") : ""} ${muted(`${r.durationMs} ms${r.exitCode !== null ? `, exit ${r.exitCode}` : ""}`)}</div>` +
          (r.reason ? `<div>${esc(r.rule ?? "")} ${esc(r.reason)}</div>` : "") +
          (r.stdout ? pre(r.stdout) : "") +
          (r.stderr ? `<div>${muted("stderr")}</div>${pre(r.stderr, 160)}` : "") +
          (r.truncated ? `<div>${muted("output truncated (the tail is shown)")}</div>` : ""),
      );
      return { command: "skills.run", exitCode, data, text, html };
    },
  },
];
