import { doctor } from "../../runtime/operations/table.js";
import { bind } from "../bind.js";
import { EXIT } from "../../runtime/errors.js";
import { badge, box, code, COLORS, esc, table } from "../render/html.js";
import { color, padTable } from "../render/text.js";
import type { CommandSpec } from "../types.js";

export const commands: CommandSpec[] = [
  bind({
    op: doctor,
    path: ["doctor"],
    summary: "health checks: config, exposure, exec governance, model pinning, keys, workspace, Jupyter",
    examples: ["doctor", "doctor --json"],
    render(report) {
      const s = report.summary;
      const rows = report.checks.map((c) => [color(c.status.toUpperCase().padEnd(4), c.status), c.id, c.message + (c.fix ? `\n      fix: ${c.fix}` : "")]);
      const text = `${padTable(rows.map((r) => [r[0]!, r[1]!, r[2]!.split("\n")[0]!]))}\n${report.checks
        .filter((c) => c.fix)
        .map((c) => `fix ${c.id}: ${c.fix}`)
        .join("\n")}\n${s.ok} ok, ${s.warn} warn, ${s.fail} fail`.replace(/\n\n/g, "\n");
      const html = box(
        "oc-doctor",
        `doctor: ${s.ok} ok, ${s.warn} warn, ${s.fail} fail`,
        table(
          ["status", "check", "message", "fix"],
          report.checks.map((c) => [badge(c.status), code(c.id), c.status === "fail" ? `<b style="color:${COLORS.fail}">${esc(c.message)}</b>` : esc(c.message), esc(c.fix ?? "")]),
        ),
      );
      const md = `| status | check | message | fix |\n|---|---|---|---|\n${report.checks.map((c) => `| ${c.status} | \`${c.id}\` | ${c.message.replace(/\|/g, "\\|")} | ${(c.fix ?? "").replace(/\|/g, "\\|")} |`).join("\n")}`;
      return { exitCode: s.fail ? EXIT.FAILED : EXIT.OK, text, html, markdown: md };
    },
  }),
];
