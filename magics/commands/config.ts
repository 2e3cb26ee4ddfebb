import { checkConfig, formatIssue, redactedConfig, throwIfIssues } from "../../runtime/config/index.js";
import { EXIT } from "../../runtime/errors.js";
import { readSchema } from "../../runtime/paths.js";
import { badge, box, code, esc, pre } from "../render/html.js";
import type { CommandSpec } from "../types.js";

export const commands: CommandSpec[] = [
  {
    path: ["config", "validate"],
    summary: "check openclaw.json against the schema; every error with its line and JSON path",
    examples: ["config validate", "config validate --config ./openclaw.json --json"],
    async run(args, ctx) {
      const r = checkConfig({ configPath: ctx.configPath, env: ctx.env, cwd: ctx.cwd });
      const safety = r.issues.some((i) => i.kind === "safety");
      const exitCode = r.issues.length === 0 ? EXIT.OK : safety ? EXIT.SAFETY : EXIT.USAGE;
      const file = r.source.path ?? "(no file: secure defaults)";
      const data = {
        ok: r.issues.length === 0,
        path: r.source.path,
        via: r.source.via,
        errors: r.issues.map((i) => ({ file: i.file, line: i.line, pointer: i.pointer, message: i.message, kind: i.kind, text: formatIssue(i) })),
      };
      const text = data.ok ? `ok: ${file} is valid` : [`${safety ? "refused (unsafe)" : "invalid"}: ${file}: ${r.issues.length} error${r.issues.length === 1 ? "" : "s"}`, ...r.issues.map(formatIssue)].join("\n");
      const html = box(
        "oc-config-validate",
        "config validate",
        `<div>${badge(data.ok ? "ok" : "fail")} ${code(file)}</div>` + (data.ok ? "" : `<ul style="margin:4px 0 0 18px;padding:0">${r.issues.map((i) => `<li>${code(formatIssue(i))}</li>`).join("")}</ul>`),
      );
      return { command: "config.validate", exitCode, data, text, html };
    },
  },
  {
    path: ["config", "show"],
    summary: "print the effective config: defaults filled, paths resolved, secrets never shown",
    async run(args, ctx) {
      const r = checkConfig({ configPath: ctx.configPath, env: ctx.env, cwd: ctx.cwd });
      throwIfIssues(r);
      const data = { path: r.source.path, via: r.source.via, config: redactedConfig(r.config!) };
      const text = `# ${r.source.path ?? "secure defaults (no openclaw.json found)"}\n${JSON.stringify(data.config, null, 2)}`;
      return { command: "config.show", exitCode: EXIT.OK, data, text, html: box("oc-config-show", `config (${esc(r.source.via)})`, pre(JSON.stringify(data.config, null, 2), 480)) };
    },
  },
  {
    path: ["config", "schema"],
    summary: "print the JSON Schema of openclaw.json",
    async run() {
      const schema = readSchema("openclaw.schema.json");
      return { command: "config.schema", exitCode: EXIT.OK, data: schema, text: JSON.stringify(schema, null, 2) };
    },
  },
];
