/**
 * The final answer of an agent turn in its output format (`-f`). Everything the model
 * wrote is untrusted: Markdown goes through magics/render/markdown.ts (raw HTML off, links
 * limited to http(s), no images: a model cannot make the notebook fetch a URL);
 * HTML goes into a sandboxed iframe (no scripts, no same-origin); code is shown, never run.
 */
import type { TurnOutput } from "../../runtime/agent/format.js";
import { COLORS, esc, pre } from "./html.js";
import { renderMarkdown } from "./markdown.js";

/** Markdown from a model as safe HTML: the one renderer (markdown-it, raw HTML off, http(s) links only, no images). */
export function safeMarkdown(s: string): string {
  return renderMarkdown(s);
}

export interface FormattedFinal {
  html: string;
  markdown: string;
  text: string;
}

export function renderFinal(o: TurnOutput): FormattedFinal {
  const wrap = (inner: string, label: string) => `<div class="oc-final oc-final-${o.format}" style="margin-top:8px;border-top:1px solid ${COLORS.muted};padding-top:6px"><div style="color:${COLORS.muted};font-size:11px">${esc(label)}</div>${inner}</div>`;
  switch (o.format) {
    case "markdown":
      return { html: wrap(safeMarkdown(o.text), "answer (markdown)"), markdown: o.text, text: o.text };
    case "html":
      return {
        html: wrap(`<iframe sandbox="" referrerpolicy="no-referrer" style="width:100%;min-height:160px;border:1px solid ${COLORS.muted}" srcdoc="${esc(o.text)}"></iframe>`, "answer (html, sandboxed: no scripts)"),
        markdown: "```html\n" + o.text + "\n```",
        text: o.text,
      };
    case "code": {
      const lang = o.language ?? "";
      return {
        html: wrap(pre(o.code ?? ""), `code${lang ? ` (${lang})` : ""}: copy it into a new cell to run it; it was not executed`),
        markdown: "```" + lang + "\n" + (o.code ?? "") + "\n```",
        text: o.code ?? "",
      };
    }
    case "json": {
      const body = o.jsonError ? o.text : JSON.stringify(o.json, null, 2);
      const label = o.jsonError ? `answer (json): ${o.jsonError}` : "answer (json)";
      return { html: wrap(pre(body), label), markdown: "```json\n" + body + "\n```", text: o.jsonError ? `${o.jsonError}\n${o.text}` : body };
    }
    default:
      return { html: wrap(pre(o.text), "answer"), markdown: o.text, text: o.text };
  }
}
