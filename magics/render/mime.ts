import { formatError, OpenClawError } from "../../runtime/errors.js";
import type { CommandResult } from "../types.js";
import { box, COLORS, code, esc, jsonView } from "./html.js";

export type MimeBundle = Record<string, unknown>;

/** Text for a terminal or text/plain: the command's own text, else pretty JSON. */
export function toText(r: CommandResult): string {
  return r.text ?? JSON.stringify(r.data, null, 2);
}

/** The one JSON document `--json` prints. */
export function toJson(r: CommandResult): string {
  return JSON.stringify(r.data, null, 2);
}

/**
 * Every command result as a notebook MIME bundle: self-contained HTML, Markdown,
 * plain text and the JSON itself, so any front end shows its best form.
 */
export function toMimeBundle(r: CommandResult): MimeBundle {
  const text = toText(r);
  const bundle: MimeBundle = {
    "text/plain": text,
    "text/html": r.html ?? jsonView(r.command, r.data),
    "text/markdown": r.markdown ?? "```\n" + text + "\n```",
  };
  if (r.data !== undefined && r.data !== null && typeof r.data === "object") bundle["application/json"] = r.data;
  return bundle;
}

/** An error as a notebook shows it: the message, the details and the fix; no stack noise for user mistakes. */
export function errorBundle(e: unknown): MimeBundle {
  const text = formatError(e);
  const details = e instanceof OpenClawError ? e.details : [];
  const html = box(
    "oc-error",
    "",
    `<div style="color:${COLORS.fail};font-weight:600">${esc(e instanceof Error ? `${e.name}: ${e.message}` : String(e))}</div>` +
      (details.length ? `<ul style="margin:4px 0 4px 18px;padding:0">${details.map((d) => `<li>${code(d)}</li>`).join("")}</ul>` : "") +
      (e instanceof OpenClawError && e.fix ? `<div><b>fix:</b> ${esc(e.fix)}</div>` : ""),
  );
  return { "text/plain": text, "text/html": html, "application/json": e instanceof OpenClawError ? e.toJSON() : { error: String(e) } };
}
