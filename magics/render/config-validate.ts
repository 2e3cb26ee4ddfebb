/**
 * How `config validate` shows its data: the exit code (2 invalid, 78 refused as unsafe), the
 * text and the HTML. Used by the bound command (magics/commands/config.ts) and by the CLI's
 * own `config validate` runner (bin/openclaw-kernel.ts), which skips the operation table.
 */
import { EXIT, type ExitCode } from "../../runtime/errors.js";
import type { ValidateReport } from "../../runtime/operations/config-validate.js";
import { badge, box, code } from "./html.js";

export function renderValidate(data: ValidateReport): { exitCode: ExitCode; text: string; html: string } {
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
}
