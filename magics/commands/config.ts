import { EXIT } from "../../runtime/errors.js";
import { configGet, configSchema, configValidate } from "../../runtime/operations/table.js";
import { bind } from "../bind.js";
import { badge, box, code, esc, pre } from "../render/html.js";
import type { CommandSpec } from "../types.js";

export const commands: CommandSpec[] = [
  bind({
    op: configValidate,
    path: ["config", "validate"],
    examples: ["config validate", "config validate --config ./openclaw.json --json"],
    render(data) {
      const safety = data.errors.some((i) => i.kind === "safety");
      const exitCode = data.ok ? EXIT.OK : safety ? EXIT.SAFETY : EXIT.USAGE;
      const file = data.path ?? "(no file: secure defaults)";
      const n = data.errors.length;
      const text = data.ok ? `ok: ${file} is valid` : [`${safety ? "refused (unsafe)" : "invalid"}: ${file}: ${n} error${n === 1 ? "" : "s"}`, ...data.errors.map((i) => i.text)].join("\n");
      const html = box(
        "oc-config-validate",
        "config validate",
        `<div>${badge(data.ok ? "ok" : "fail")} ${code(file)}</div>` + (data.ok ? "" : `<ul style="margin:4px 0 0 18px;padding:0">${data.errors.map((i) => `<li>${code(i.text)}</li>`).join("")}</ul>`),
      );
      return { exitCode, text, html };
    },
  }),
  bind({
    op: configGet,
    path: ["config", "show"],
    command: "config.show",
    summary: "print the effective config: defaults filled, paths resolved, secrets never shown",
    render(data) {
      const text = `# ${data.path ?? "secure defaults (no openclaw.json found)"}\n${JSON.stringify(data.config, null, 2)}`;
      return { text, html: box("oc-config-show", `config (${esc(data.via)})`, pre(JSON.stringify(data.config, null, 2), 480)) };
    },
  }),
  bind({
    op: configSchema,
    path: ["config", "schema"],
    summary: "print the JSON Schema of openclaw.json",
    render: (schema) => ({ text: JSON.stringify(schema, null, 2) }),
  }),
];
