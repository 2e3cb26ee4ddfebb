/**
 * RAG results as citation cards: self-contained HTML (source and line range, a score
 * bar, a snippet with the query's terms marked, the full passage behind <details>),
 * with Markdown and plain-text fallbacks. No scripts, no external assets; every value
 * from a document is escaped, since documents are untrusted.
 */
import { stem, tokenize } from "../../runtime/rag/lexical.js";
import type { RagHit, RagResult } from "../../runtime/rag/types.js";
import { box, COLORS, esc, muted } from "./html.js";

const SNIPPET = 320;

/** The set of folded query terms a word is compared against. */
function termSet(query: string): Set<string> {
  return new Set(tokenize(query));
}

function isTerm(word: string, terms: Set<string>): boolean {
  const w = word.toLowerCase();
  return terms.has(w) || terms.has(stem(w));
}

/** The window of `text` (about SNIPPET chars) holding the most query terms; whole text if short. */
export function snippet(text: string, query: string, max = SNIPPET): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const terms = termSet(query);
  const words = [...flat.matchAll(/[\p{L}\p{N}][\p{L}\p{N}_-]*/gu)];
  // before[k]: query terms among words[0..k) (each word folded once)
  const before = new Uint32Array(words.length + 1);
  for (let k = 0; k < words.length; k++) before[k + 1] = before[k]! + (isTerm(words[k]![0], terms) ? 1 : 0);
  let bestStart = 0;
  let best = -1;
  let end = 0; // first word at or past the window's end (moves forward only: windows start further on)
  for (let i = 0; i < words.length; i++) {
    // windows start at a query term, so the snippet opens near the evidence
    if (best >= 0 && before[i + 1] === before[i]) continue;
    const start = words[i]!.index!;
    end = Math.max(end, i);
    while (end < words.length && words[end]!.index! < start + max) end++;
    const n = before[end]! - before[i]!;
    if (n > best) (best = n), (bestStart = start);
  }
  // back up to a sentence start when one is near, so the snippet reads naturally
  const back = flat.lastIndexOf(". ", bestStart);
  const from = back >= 0 && bestStart - back < 80 ? back + 2 : bestStart;
  const cut = flat.slice(from, from + max).replace(/\s+\S*$/, "");
  return `${from > 0 ? "… " : ""}${cut}${from + max < flat.length ? " …" : ""}`;
}

/** HTML-escaped text with query terms wrapped in <mark>. */
export function markTerms(text: string, query: string): string {
  const terms = termSet(query);
  let out = "";
  let last = 0;
  for (const m of text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}_-]*/gu)) {
    if (!isTerm(m[0], terms)) continue;
    out += esc(text.slice(last, m.index)) + `<mark style="background:${COLORS.mark};color:inherit;padding:0 1px">${esc(m[0])}</mark>`;
    last = m.index! + m[0].length;
  }
  return out + esc(text.slice(last));
}

export function cite(h: Pick<RagHit, "source" | "lines">): string {
  return `${h.source}:${h.lines[0]}-${h.lines[1]}`;
}

function scoreBar(score: number): string {
  const pct = Math.round(Math.max(0, Math.min(1, score)) * 100);
  return (
    `<span title="score ${score.toFixed(3)}" style="display:inline-block;vertical-align:middle;width:90px;height:8px;background:${COLORS.bg};border:1px solid ${COLORS.border};border-radius:4px;overflow:hidden">` +
    `<span class="oc-score-bar" style="display:block;height:100%;width:${pct}%;background:${COLORS.accent}"></span></span> <span style="font-variant-numeric:tabular-nums">${score.toFixed(2)}</span>`
  );
}

function card(h: RagHit, i: number, query: string): string {
  const parts = [h.denseScore !== undefined ? `dense ${h.denseScore.toFixed(2)}` : "", h.lexicalScore !== undefined ? `lexical ${h.lexicalScore.toFixed(2)}` : ""].filter(Boolean).join(" · ");
  return (
    `<div class="oc-citation" style="border:1px solid ${COLORS.border};border-radius:6px;padding:6px 10px;margin:6px 0">` +
    `<div style="display:flex;flex-wrap:wrap;justify-content:space-between;gap:8px;align-items:center">` +
    `<span><b>[${i + 1}]</b> <code class="oc-source" style="background:${COLORS.bg};padding:0 3px;border-radius:3px">${esc(h.source)}</code> ${muted(`lines ${h.lines[0]}–${h.lines[1]}`)}</span>` +
    `<span>${scoreBar(h.score)}${parts ? " " + muted(parts) : ""}</span></div>` +
    `<div class="oc-snippet" style="margin-top:4px;white-space:pre-wrap">${markTerms(snippet(h.text, query), query)}</div>` +
    `<details style="margin-top:2px"><summary style="cursor:pointer;color:${COLORS.muted}">full passage</summary>` +
    `<pre style="background:${COLORS.bg};padding:6px 8px;border-radius:4px;max-height:260px;overflow:auto;white-space:pre-wrap;margin:4px 0;border:0;color:inherit;font-size:inherit">${markTerms(h.text, query)}</pre></details>` +
    `</div>`
  );
}

/** The line shown above the passages when the workspace has nothing relevant (found: false). */
export const NOTHING_FOUND = "Nothing relevant found in the workspace: the passages below are the closest matches, not an answer.";

/**
 * Is `v` a RAG result as `rag query --json` and the local-rag skill print it (a query
 * and passages with source, lines, text and score)? Tool output is untrusted: every
 * field is checked before it is shown as a card.
 */
export function isRagShape(v: unknown): v is RagResult {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.query === "string" &&
    Array.isArray(r.results) &&
    r.results.every((h) => {
      const x = h as Record<string, unknown> | null;
      return !!x && typeof x.source === "string" && typeof x.text === "string" && typeof x.score === "number" && Array.isArray(x.lines) && x.lines.length === 2 && x.lines.every((n) => Number.isInteger(n));
    })
  );
}

/** The cards alone (no outer box): what a tool result in the RAG shape shows inside an agent transcript. */
export function citationCards(r: RagResult): string {
  const cards = r.results.length ? r.results.map((h, i) => card(h, i, r.query)).join("") : `<div>${muted("no passage matched")}</div>`;
  return `<div class="oc-rag-cards">${r.summary ? `<div class="oc-summary" style="margin:4px 0;padding:4px 8px;background:${COLORS.bg};border-radius:4px">${esc(r.summary)}</div>` : ""}${cards}</div>`;
}

export function citationsHtml(r: RagResult): string {
  const head =
    `<div style="margin-bottom:4px"><b>Q:</b> ${esc(r.query)}</div>` +
    (r.found === false ? `<div class="oc-nothing-found" style="margin-bottom:4px;color:${COLORS.muted}"><b>${esc(NOTHING_FOUND)}</b></div>` : "") +
    `<div class="oc-summary" style="margin-bottom:6px;padding:6px 8px;background:${COLORS.bg};border-radius:4px">${esc(r.summary)}</div>`;
  const foot = `<div style="margin-top:4px">${muted(`${r.results.length} passage${r.results.length === 1 ? "" : "s"} · ${r.mode} · ${r.embedder} · ${r.tookMs} ms · local, no network`)}</div>`;
  const cards = r.results.length ? r.results.map((h, i) => card(h, i, r.query)).join("") : `<div>${muted("no passage matched")}</div>`;
  return box("oc-rag", "rag query", head + cards + foot);
}

/** Markdown cannot be trusted to escape, so document text goes in as quoted plain lines. */
export function citationsMarkdown(r: RagResult): string {
  const mdEsc = (s: string) => s.replace(/([\\`*_[\]<>|#])/g, "\\$1");
  const lines = [`**Q:** ${mdEsc(r.query)}`, "", ...(r.found === false ? [`**${mdEsc(NOTHING_FOUND)}**`, ""] : []), `> ${mdEsc(r.summary)}`, ""];
  r.results.forEach((h, i) => {
    lines.push(`${i + 1}. \`${h.source.replace(/`/g, "'")}\` lines ${h.lines[0]}–${h.lines[1]} · score ${h.score.toFixed(2)}`);
    lines.push(`   > ${mdEsc(snippet(h.text, r.query))}`);
  });
  lines.push("", `_${r.results.length} passages · ${r.mode} · ${mdEsc(r.embedder)} · ${r.tookMs} ms_`);
  return lines.join("\n");
}

export function citationsText(r: RagResult): string {
  const out = [`Q: ${r.query}`, ...(r.found === false ? [NOTHING_FOUND] : []), `summary: ${r.summary}`, ""];
  r.results.forEach((h, i) => {
    const bar = "#".repeat(Math.round(Math.max(0, Math.min(1, h.score)) * 10)).padEnd(10, ".");
    out.push(`[${i + 1}] ${cite(h)}  [${bar}] ${h.score.toFixed(2)}`);
    out.push(`    ${snippet(h.text, r.query, 240)}`);
  });
  out.push("", `${r.results.length} passages, ${r.mode}, ${r.embedder}, ${r.tookMs} ms`);
  return out.join("\n");
}
