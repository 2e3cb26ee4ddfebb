/**
 * Small helpers for self-contained HTML: inline styles only, no scripts, no external
 * assets, every value escaped. Notebook front ends sanitize HTML; this renders the
 * same in JupyterLab, classic Notebook, Colab and an nbconvert export.
 */
export function esc(v: unknown): string {
  return String(v ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:13px;line-height:1.45";
export const COLORS = { ok: "#1a7f37", warn: "#9a6700", fail: "#cf222e", muted: "#57606a", border: "#d0d7de", bg: "#f6f8fa", accent: "#0969da" };

/** The outer box every rendering shares; `cls` names it for tests (e.g. "oc-doctor"). */
export function box(cls: string, title: string, inner: string): string {
  return `<div class="openclaw ${esc(cls)}" style="${FONT};border:1px solid ${COLORS.border};border-radius:6px;padding:10px 12px;margin:4px 0;max-width:960px">` +
    (title ? `<div style="font-weight:600;margin-bottom:6px">${esc(title)}</div>` : "") +
    inner +
    `</div>`;
}

export function badge(status: string): string {
  const c = status === "ok" || status === "allow" || status === "pass" ? COLORS.ok : status === "warn" || status === "running" ? COLORS.warn : status === "info" ? COLORS.accent : COLORS.fail;
  return `<span class="oc-badge oc-${esc(status)}" style="display:inline-block;padding:0 6px;border-radius:10px;border:1px solid ${c};color:${c};font-size:11px;font-weight:600">${esc(status)}</span>`;
}

/** A table from rows of already-escaped HTML cells. */
export function table(headers: string[], rows: string[][]): string {
  const th = headers.map((h) => `<th style="text-align:left;padding:3px 8px;border-bottom:1px solid ${COLORS.border};background:${COLORS.bg}">${esc(h)}</th>`).join("");
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td style="text-align:left;padding:3px 8px;border-bottom:1px solid ${COLORS.border};vertical-align:top">${c}</td>`).join("")}</tr>`).join("");
  return `<table style="border-collapse:collapse;width:100%">${th ? `<thead><tr>${th}</tr></thead>` : ""}<tbody>${trs}</tbody></table>`;
}

export function code(s: string): string {
  return `<code style="background:${COLORS.bg};padding:0 3px;border-radius:3px">${esc(s)}</code>`;
}

export function pre(s: string, maxHeight = 320): string {
  return `<pre style="background:${COLORS.bg};padding:6px 8px;border-radius:4px;max-height:${maxHeight}px;overflow:auto;white-space:pre-wrap;margin:4px 0">${esc(s)}</pre>`;
}

export function muted(s: string): string {
  return `<span style="color:${COLORS.muted}">${esc(s)}</span>`;
}

/** A generic rendering of any JSON value, for commands without a custom view. */
export function jsonView(title: string, data: unknown): string {
  return box("oc-json", title, pre(JSON.stringify(data, null, 2)));
}
