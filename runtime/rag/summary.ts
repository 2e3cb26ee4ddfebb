/**
 * The result's `summary`: extractive and deterministic, so it is the same for the same
 * index and query, needs no model, and every word in it can be found in a cited file.
 * From the best hits of distinct sources it takes the sentence sharing most query
 * terms, and cites where it came from.
 */
import { tokenize } from "./lexical.js";
import type { RagHit } from "./types.js";

const MAX_SENTENCE = 160;

/**
 * The prose of a passage: code blocks, HTML (comments included), images and badges, table
 * rows and setext underlines go; links keep their words. A summary quotes what the passage
 * says, never a snippet of code or markup.
 */
export function proseOf(text: string): string {
  return withoutCode(text)
    .replace(/<!--[\s\S]*?(-->|$)/g, " ")
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ") // images and badges
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1") // links -> their words
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1")
    .replace(/^\s*\[[^\]]+\]:\s*\S+.*$/gm, "") // link definitions
    .replace(/<\/?[a-zA-Z][^>]{0,400}>/g, " ") // HTML tags
    .replace(/^\s*\|.*\|\s*$/gm, "") // table rows
    .replace(/^ {0,3}(=+|-+)\s*$/gm, "") // setext underlines
    .replace(/^( {4}|\t).*$/gm, "") // indented code
    .replace(/`([^`\n]*)`/g, "$1")
    .replace(/\*\*([^*\n]+)\*\*|__([^_\n]+)__/g, "$1$2")
    .replace(/https?:\/\/\S+/g, " ");
}

/**
 * Drops fenced code. A passage cut out of a long code block can open inside it: with an odd
 * number of fence lines, a first fence without a language tag closes a block that began
 * before the passage (the lines above it are code); otherwise the last fence opens a block
 * that runs past the passage's end.
 */
function withoutCode(text: string): string {
  const lines = text.split("\n");
  const fences = lines.map((l, i) => (/^\s*(```|~~~)/.test(l) ? i : -1)).filter((i) => i >= 0);
  let inCode = fences.length % 2 === 1 && /^\s*(```|~~~)\s*$/.test(lines[fences[0]!]!);
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (fences.includes(i)) {
      inCode = !inCode;
      return;
    }
    if (!inCode) out.push(l);
  });
  return out.join("\n");
}

function sentences(text: string): string[] {
  return proseOf(text)
    .split(/\n\s*\n|(?<=[.!?])\s+(?=[A-Z0-9"'(\[])|\n(?=\s*[-*+] |\s*\d+[.)] |#)/)
    .map((s) => s.replace(/^\s*(#{1,6}|[-*+]|\d+[.)])\s+/, "").replace(/\s+/g, " ").trim())
    .filter((s) => s.length > 2 && /\p{L}{2}/u.test(s) && !/^\[cell \d+: \w+\]$/.test(s));
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

/**
 * When a query counts as answered: the best passage holds at least `lexical` of the BM25
 * score a passage with every query term would have (rare terms weigh more, words the
 * workspace never uses count against), or its cosine with the query is at least `dense`.
 * Chosen on the dev questions of bench/data/rag-questions.json (its no-answer questions
 * against the answerable ones lost); the held-out rates are in bench/rag.bench.ts.
 */
export interface FoundThresholds {
  lexical: number;
  dense: number;
}

/**
 * On the dev set (bench/rag-tune.ts, Porter stemmer, hybrid 0.8/0.2) the best passage's lexical
 * share was 0.258-0.64 for answerable questions and 0.14-0.253 for no-answer ones; cosine
 * 0.48-0.87 against 0.20-0.61. 0.26 / 0.65 judged all 8 no-answer questions "nothing found"
 * and lost none of the 32 answerable ones, but the lexical gap is thin (0.253 to 0.258): the
 * held-out rates in `npm run bench` are the figures to trust.
 */
export const FOUND: FoundThresholds = { lexical: 0.26, dense: 0.65 };

export function isFound(lexical: number, dense: number | undefined, t: FoundThresholds = FOUND): boolean {
  return lexical >= t.lexical || (dense !== undefined && dense >= t.dense);
}

/** The summary when nothing relevant was found: says so, and does not summarize the weak passages. */
export function nothingFound(query: string, hits: RagHit[]): string {
  return hits.length
    ? `Nothing relevant found: no passage in the workspace answers "${query}" with confidence. The closest passages are listed below; check them before relying on them.`
    : `Nothing relevant found: no passage in the workspace matches "${query}".`;
}
