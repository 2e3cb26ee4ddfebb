import { box, COLORS, esc } from "./html.js";

export interface Progress {
  done: number;
  total: number;
  file?: string;
  phase?: string;
  /** Items per second so far, when known. */
  rate?: number;
  /** Seconds left at that rate, when known. */
  etaSec?: number;
}

/** "12/s, 8 s left" for a progress label; empty when unknown. */
function pace(p: Progress): string {
  const parts: string[] = [];
  if (p.rate !== undefined && Number.isFinite(p.rate) && p.rate > 0) parts.push(`${p.rate >= 10 ? Math.round(p.rate) : p.rate.toFixed(1)}/s`);
  if (p.etaSec !== undefined && Number.isFinite(p.etaSec) && p.etaSec >= 0) parts.push(p.etaSec >= 90 ? `${Math.round(p.etaSec / 60)} min left` : `${Math.ceil(p.etaSec)} s left`);
  return parts.join(", ");
}

/** A progress bar as a MIME bundle (inline styles only) for a live notebook display. */
export function progressBundle(title: string, p: Progress): Record<string, unknown> {
  const total = Math.max(0, Number(p.total) || 0);
  const done = Math.min(total || Infinity, Math.max(0, Number(p.done) || 0));
  const pct = total ? Math.round((done / total) * 100) : 0;
  const rate = pace(p);
  const label = `${p.phase ? p.phase + " " : ""}${done}/${total || "?"}${rate ? ` (${rate})` : ""}${p.file ? " " + p.file : ""}`;
  const bar =
    `<div style="background:${COLORS.bg};border:1px solid ${COLORS.border};border-radius:4px;height:10px;width:100%;max-width:480px">` +
    `<div style="background:${COLORS.accent};height:100%;width:${pct}%;border-radius:4px"></div></div>` +
    `<div style="color:${COLORS.muted};margin-top:4px">${esc(label)} (${pct}%)</div>`;
  return { "text/plain": `${title}: ${label} (${pct}%)`, "text/html": box("oc-progress", title, bar) };
}
