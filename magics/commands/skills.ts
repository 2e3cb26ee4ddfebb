import { didYouMean } from "../../runtime/config/didyoumean.js";
import { EXIT, UsageError, type ExitCode } from "../../runtime/errors.js";
import type { InvokeResult, SkillInfo } from "../../runtime/skills/index.js";
import { badge, box, code, esc, muted, pre, table } from "../render/html.js";
import { padTable } from "../render/text.js";
import type { CommandSpec } from "../types.js";
import { skillsInvoke, skillsList, skillsRegister, skillsShow } from "../../runtime/operations/table.js";
import { bind, runOp } from "../bind.js";

/**
 * The exit code a skill run maps to: ok/running 0, failed/timeout 1, denied 78 (refused for
 * safety), an unknown skill or parameters that do not fit its schema 2 (usage: fix the
 * command line). NUL bytes and option injection stay 78.
 */
export function runExitCode(status: InvokeResult["status"], rule?: string): ExitCode {
  if (status === "denied" && (rule === "skill.unknown" || rule === "params.schema")) return EXIT.USAGE;
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
    if (!Object.hasOwn(props, k)) {
      const guess = didYouMean(k, Object.keys(props));
      throw new UsageError(`${skill.name} has no parameter "${k}"${guess ? `; did you mean "${guess}"?` : ""}`, { fix: `${skill.name} takes: ${Object.keys(props).map((p) => `${p}=…`).join(" ") || "no parameters"} (\`skills show ${skill.name}\`)` });
    }
    const t = props[k]?.type;
    if ((t === "number" || t === "integer") && raw.trim() !== "" && Number.isFinite(Number(raw))) out[k] = Number(raw);
    else if (t === "boolean" && (raw === "true" || raw === "false")) out[k] = raw === "true";
    else out[k] = raw;
  }
  const required = (skill.parameters as { required?: string[] }).required ?? [];
  const missing = required.filter((r) => !(r in out));
  if (missing.length) throw new UsageError(`${skill.name} needs ${missing.map((m) => `${m}=…`).join(" ")}`, { fix: `e.g. skills run ${skill.name} ${required.map((r) => `${r}=${props[r]?.type === "number" || props[r]?.type === "integer" ? "1" : "value"}`).join(" ")}` });
  return out;
}

/** A load error as one line; SKILL.md errors already begin with their file:line. */
function loadError(e: { path: string; message: string }): string {
  return e.message.startsWith(e.path) ? e.message : `${e.path}: ${e.message}`;
}

function skillRow(s: SkillInfo): string[] {
  const notes = [s.blocked ? `blocked: ${s.blocked}` : "", s.runsModelCode ? `RUNS MODEL-CHOSEN CODE: ${s.runsModelCode}` : "", s.overrides ? `overrides ${s.overrides}` : ""].filter(Boolean);
  return [s.name, s.blocked ? "blocked" : "ok", s.source, s.risk, s.argvTemplate.join(" "), notes.join("; ")];
}

export const commands: CommandSpec[] = [
  bind({
    op: skillsList,
    path: ["skills", "list"],
    summary: "skills from the bundled folder, the workspace's skills/ and skills.dirs: blocked ones with the reason, overrides marked",
    examples: ["skills list", "skills list --json"],
    render({ skills, errors }) {
      const text =
        (skills.length ? padTable([["NAME", "STATUS", "SOURCE", "RISK", "COMMAND", "NOTE"], ...skills.map(skillRow)]) : "no skills found") +
        (errors.length ? `\n${errors.length} skill(s) failed to load:\n${errors.map((e) => `  ${loadError(e)}`).join("\n")}` : "");
      const html = box(
        "oc-skills",
        `skills: ${skills.length}`,
        table(
          ["skill", "status", "source", "risk", "command", "note"],
          skills.map((s) => [code(s.name), badge(s.blocked ? "blocked" : "ok"), esc(s.source), s.risk === "high" ? badge("warn") + " high" : "normal", code(s.argvTemplate.join(" ")), esc(s.blocked ?? "") + (s.runsModelCode ? `<div class="oc-model-code">${badge("warn")} <b>runs model-chosen code</b>: ${esc(s.runsModelCode)}</div>` : "") + (s.overrides ? muted(` overrides ${s.overrides}`) : "")]),
        ) + (errors.length ? `<div style="margin-top:6px">${badge("fail")} failed to load:<ul style="margin:2px 0 0 18px;padding:0">${errors.map((e) => `<li>${e.message.startsWith(e.path) ? esc(e.message) : `${code(e.path)}: ${esc(e.message)}`}</li>`).join("")}</ul></div>` : ""),
      );
      return { exitCode: errors.length ? EXIT.FAILED : EXIT.OK, text, html };
    },
  }),
  bind({
    op: skillsShow,
    path: ["skills", "show"],
    positionals: [{ name: "name", help: "skill name", required: true }],
    params: (args) => ({ name: args.positionals.name }),
    render(d) {
      const text = [
        `${d.name} (${d.source}${d.blocked ? `, BLOCKED: ${d.blocked}` : ""}${d.risk === "high" ? ", risk high: needs approval" : ""})`,
        d.description,
        `path: ${d.path}`,
        `argv: ${JSON.stringify(d.argvTemplate)}`,
        `parameters: ${JSON.stringify(d.parameters)}`,
        d.runsModelCode ? `RUNS MODEL-CHOSEN CODE: ${d.runsModelCode}` : "",
        d.overrides ? `overrides: ${d.overrides}` : "",
        d.body.trim(),
      ]
        .filter(Boolean)
        .join("\n");
      const html = box("oc-skill", `skill ${d.name}`, `<div>${badge(d.blocked ? "blocked" : "ok")} ${esc(d.description)}</div><div>${muted(d.path)}</div><div>argv: ${d.argvTemplate.map(code).join(" ")}</div>${d.blocked ? `<div>${esc(d.blocked)}</div>` : ""}${d.runsModelCode ? `<div class="oc-model-code">${badge("warn")} <b>runs model-chosen code</b>: ${esc(d.runsModelCode)}</div>` : ""}${pre(JSON.stringify(d.parameters, null, 2), 200)}${pre(d.body.trim(), 240)}`);
      return { text, html };
    },
  }),
  bind({
    op: skillsRegister,
    path: ["skills", "register"],
    summary: "load a skill folder (or SKILL.md) for this session; validated like any other",
    positionals: [{ name: "path", help: "skill folder or SKILL.md (in a notebook, %%openclaw skills register with SKILL.md as the cell body)", required: false }],
    params(args) {
      const p = args.positionals.path as string | undefined;
      if (p) return { path: p };
      if (args.body?.trim()) return { text: args.body };
      throw new UsageError("skills register needs PATH", { fix: "give a skill folder holding SKILL.md, or (notebook) put SKILL.md in the cell body of %%openclaw skills register" });
    },
    render(s) {
      const text = `registered ${s.name} (${s.path})${s.blocked ? `\nblocked: ${s.blocked}` : ""}${s.overrides ? `\noverrides ${s.overrides}` : ""}`;
      return { text, html: box("oc-skill-register", `registered ${s.name}`, `<div>${badge(s.blocked ? "blocked" : "ok")} ${code(s.argvTemplate.join(" "))}</div>${s.blocked ? `<div>${esc(s.blocked)}</div>` : ""}`) };
    },
  }),
  bind({
    op: skillsInvoke,
    path: ["skills", "run"],
    command: "skills.run",
    summary: "run a skill with name=value parameters through the governed path (policy, exec, audit)",
    positionals: [
      { name: "name", help: "skill name", required: true },
      { name: "params", help: "parameters as name=value", variadic: true },
    ],
    examples: ['skills run local-rag query="How do we onboard new hires?"', "skills run local-rag query=hello --json"],
    async params(args, ctx) {
      const name = args.positionals.name as string;
      // The skill's schema types the key=value words; an unknown skill is refused (and audited) by invoke.
      const info = await runOp(skillsShow, { name }, ctx).catch(() => undefined);
      return { name, params: info ? parseKeyValues((args.positionals.params as string[] | undefined) ?? [], info) : {} };
    },
    render(r, args) {
      const name = args.positionals.name as string;
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
      return { exitCode, text, html };
    },
  }),
];
