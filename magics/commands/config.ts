import { configGet, configSchema, configValidate } from "../../runtime/operations/table.js";
import { bind } from "../bind.js";
import { box, esc, pre } from "../render/html.js";
import { renderValidate } from "../render/config-validate.js";
import type { CommandSpec } from "../types.js";

export const commands: CommandSpec[] = [
  bind({
    op: configValidate,
    path: ["config", "validate"],
    examples: ["config validate", "config validate --config ./openclaw.json --json"],
    render: renderValidate,
  }),
  bind({
    op: configGet,
    path: ["config", "show"],
    command: "config.show",
    summary: "print the effective config: defaults filled, paths resolved, secrets never shown",
    render(data) {
      // Where each effective value came from: default, system (the admin's pinned file), user, env.
      const keys = Object.keys(data.provenance);
      const w = Math.max(0, ...keys.map((k) => k.length));
      const origin = keys.map((k) => `${k.padEnd(w)}  ${data.provenance[k] === "system" ? `system (${data.system})` : data.provenance[k]}`).join("\n");
      const head = `# ${data.path ?? "secure defaults (no openclaw.json found)"}${data.system ? `\n# admin-pinned system config: ${data.system} (a user config may tighten its keys, never loosen them)` : ""}`;
      const text = `${head}\n${JSON.stringify(data.config, null, 2)}\n# where each value came from\n${origin}`;
      return { text, html: box("oc-config-show", `config (${esc(data.via)})${data.system ? ` · pinned by ${esc(data.system)}` : ""}`, pre(JSON.stringify(data.config, null, 2), 480) + `<details><summary>where each value came from</summary>${pre(origin, 480)}</details>`) };
    },
  }),
  bind({
    op: configSchema,
    path: ["config", "schema"],
    summary: "print the JSON Schema of openclaw.json",
    render: (schema) => ({ text: JSON.stringify(schema, null, 2) }),
  }),
];
