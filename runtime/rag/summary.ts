/**
 * The result's `summary`: extractive and deterministic, so it is the same for the same
 * index and query, needs no model, and every word in it can be found in a cited file.
 * From the best hits of distinct sources it takes the sentence sharing most query
 * terms, and cites where it came from.
 */
import { tokenize } from "./lexical.js";
import type { RagHit } from "./types.js";

const MAX_SENTENCE = 160;

function sentences(text: string): string[] {
  return text
    .split(/\n\s*\n|(?<=[.!?])\s+(?=[A-Z0-9"'(\[])|\n(?=\s*[-*+] |\s*\d+[.)] |#)/)
    .map((s) => s.replace(/^\s*(#{1,6}|[-*+]|\d+[.)])\s+/, "").replace(/\s+/g, " ").trim())
    .filter((s) => s.length > 2 && !/^\[cell \d+: \w+\]$/.test(s));
}

/** The sentence of `text` that best covers the query's terms (first one on ties). */
export function bestSentence(text: string, query: string): string {
  const q = new Set(tokenize(query));
  let best = "";
  let bestScore = -1;
  for (const s of sentences(text)) {
    const toks = tokenize(s);
    const hits = new Set(toks.filter((t) => q.has(t))).size;
    // prefer covering more terms; among equals prefer sentences over bare headings
    const score = hits * 10 + Math.min(toks.length, 8) / 8;
    if (score > bestScore) (best = s), (bestScore = score);
  }
  return best.length > MAX_SENTENCE ? best.slice(0, MAX_SENTENCE - 1).replace(/\s+\S*$/, "") + "…" : best;
}

export function summarize(query: string, hits: RagHit[], maxPoints = 3): string {
  if (!hits.length) return `No passages in the workspace match "${query}".`;
  const seen = new Set<string>();
  const points: string[] = [];
  for (const h of hits) {
    if (seen.has(h.source)) continue;
    seen.add(h.source);
    const s = bestSentence(h.text, query);
    if (s) points.push(`${s.replace(/[.:;,]$/, "")} (${h.source}:${h.lines[0]}-${h.lines[1]})`);
    if (points.length >= maxPoints) break;
  }
  return `Top recommendations: ${points.join("; ")}.`;
}
