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

const FONT = "font-family:var(--jp-content-font-family,-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif);font-size:13px;line-height:1.45";

/**
 * Colours that follow the page's theme. Borders and fills are tints of `currentColor`
 * (the theme's text colour) over transparent, never a fixed colour nor --jp-layout-*:
 * classic Notebook 6 defines JupyterLab's light-theme variables (for widgets) whatever
 * its theme, so `var(--jp-layout-color2)` is #eee on a dark page. Muted text is the text
 * colour made translucent (`opacity`, see muted()): Chromium draws a `color-mix()` of
 * `currentColor` in the `color` property too dark. Status hues come from --jp-* where a
 * front end defines them, else mid-tones that read on white and on near-black.
 */
const tint = (pct: number) => `color-mix(in srgb,currentColor ${pct}%,transparent)`;
export const COLORS = {
  ok: "var(--jp-success-color1,#2e9e4f)",
  warn: "var(--jp-warn-color1,#b58407)",
  fail: "var(--jp-error-color1,#d73a49)",
  /** Muted text: use as `${MUTED}` in a style (text colour, translucent), never as a colour. */
  muted: "inherit;opacity:.72",
  border: tint(22),
  bg: tint(7),
  accent: "var(--jp-brand-color1,#2f81f7)",
  /** <mark>: a translucent yellow that reads on light and dark. */
  mark: "color-mix(in srgb,#e3b341 40%,transparent)",
};

/**
 * Reset of what front ends' stylesheets put on output HTML (classic Notebook's
 * .rendered_html: black text on pre/code/table, fixed table layout, striped light rows,
 * centred tables), for the elements we emit.
 */
export const RESET = "color:inherit;font-size:inherit;overflow-wrap:anywhere";

/** The outer box every rendering shares; `cls` names it for tests (e.g. "oc-doctor"). */
export function box(cls: string, title: string, inner: string): string {
  return `<div class="openclaw ${esc(cls)}" style="${FONT};color:inherit;overflow-wrap:anywhere;box-sizing:border-box;border:1px solid ${COLORS.border};border-radius:6px;padding:10px 12px;margin:4px 0;max-width:min(960px,100%);min-width:0">` +
    (title ? `<div style="font-weight:600;margin-bottom:6px">${esc(title)}</div>` : "") +
    inner +
    `</div>`;
}

export function badge(status: string): string {
  const c = status === "ok" || status === "allow" || status === "pass" ? COLORS.ok : status === "warn" || status === "running" ? COLORS.warn : status === "info" ? COLORS.accent : COLORS.fail;
  return `<span class="oc-badge oc-${esc(status)}" style="display:inline-block;padding:0 6px;border-radius:10px;border:1px solid ${c};color:${c};font-size:11px;font-weight:600">${esc(status)}</span>`;
}

/**
 * A table from rows of already-escaped HTML cells. Cells wrap anywhere (argv, hashes,
 * paths) and the layout is automatic, so a long cell never runs over its neighbour; rows
 * stay transparent whatever the front end stripes them with.
 */
export function table(headers: string[], rows: string[][]): string {
  const cell = `text-align:left;padding:3px 8px;border:none;border-bottom:1px solid ${COLORS.border};vertical-align:top;white-space:normal;max-width:none;line-height:1.4;background:transparent;${RESET}`;
  // headers are short words: they keep whole (a column is never narrower than its name)
  const th = headers.map((h) => `<th style="${cell};font-weight:600;background:${COLORS.bg};white-space:nowrap;overflow-wrap:normal">${esc(h)}</th>`).join("");
  const trs = rows.map((r) => `<tr style="background:transparent">${r.map((c) => `<td style="${cell}">${c}</td>`).join("")}</tr>`).join("");
  return `<table class="oc-table" style="border-collapse:collapse;border:none;width:100%;table-layout:auto;margin:0;background:transparent;${RESET}">${th ? `<thead style="border:none"><tr style="background:transparent">${th}</tr></thead>` : ""}<tbody>${trs}</tbody></table>`;
}

export function code(s: string): string {
  return `<code style="background:${COLORS.bg};padding:0 3px;border-radius:3px;white-space:pre-wrap;${RESET}">${esc(s)}</code>`;
}

export function pre(s: string, maxHeight = 320): string {
  return `<pre style="background:${COLORS.bg};padding:6px 8px;border-radius:4px;max-height:${maxHeight}px;overflow:auto;white-space:pre-wrap;margin:4px 0;border:0;${RESET}">${esc(s)}</pre>`;
}

export function muted(s: string): string {
  return `<span style="color:${COLORS.muted}">${esc(s)}</span>`;
}

/** A generic rendering of any JSON value, for commands without a custom view. */
export function jsonView(title: string, data: unknown): string {
  return box("oc-json", title, pre(JSON.stringify(data, null, 2)));
}
