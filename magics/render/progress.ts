import { box, COLORS, esc } from "./html.js";

export interface Progress {
  done: number;
  total: number;
  file?: string;
  phase?: string;
}

/** A progress bar as a MIME bundle (inline styles only) for a live notebook display. */
export function progressBundle(title: string, p: Progress): Record<string, unknown> {
  const total = Math.max(0, Number(p.total) || 0);
  const done = Math.min(total || Infinity, Math.max(0, Number(p.done) || 0));
  const pct = total ? Math.round((done / total) * 100) : 0;
  const label = `${p.phase ? p.phase + " " : ""}${done}/${total || "?"}${p.file ? " " + p.file : ""}`;
  const bar =
    `<div style="background:${COLORS.bg};border:1px solid ${COLORS.border};border-radius:4px;height:10px;width:100%;max-width:480px">` +
    `<div style="background:${COLORS.accent};height:100%;width:${pct}%;border-radius:4px"></div></div>` +
    `<div style="color:${COLORS.muted};margin-top:4px">${esc(label)} (${pct}%)</div>`;
  return { "text/plain": `${title}: ${label} (${pct}%)`, "text/html": box("oc-progress", title, bar) };
}
