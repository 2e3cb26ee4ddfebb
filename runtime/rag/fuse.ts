/**
 * Reciprocal rank fusion: each list votes 1/(K + rank) for its items. Ranks, not raw
 * scores, are fused because cosine and BM25 live on unrelated scales.
 *
 * K is 5, not the customary 60: with two lists and a top-3 answer, K=60 flattens the
 * ranks so much that a passage ranked 5th by both beats one ranked 1st by one list and
 * missed by the other, and a weak list drags the fusion below the strong one. Measured on
 * the README question set (bench/rag.bench.ts), top-3 hit rate: K=60 22/26, K=20 23/26,
 * K=10 24/26, K=5 25/26, with lexical alone 24/26 and dense alone 17/26.
 */
export const RRF_K = 5;

export interface Fused {
  row: number;
  /** Fused score over the best possible (rank 1 in every list): in [0, 1]. */
  score: number;
  ranks: Array<number | undefined>;
}

export function rrf(lists: number[][], k: number, K = RRF_K): Fused[] {
  const acc = new Map<number, Fused & { raw: number }>();
  lists.forEach((list, li) => {
    list.forEach((row, rank) => {
      let f = acc.get(row);
      if (!f) acc.set(row, (f = { row, score: 0, raw: 0, ranks: lists.map(() => undefined) }));
      f.raw += 1 / (K + rank + 1);
      f.ranks[li] = rank + 1;
    });
  });
  const max = lists.length / (K + 1);
  return [...acc.values()]
    .sort((a, b) => b.raw - a.raw || Math.min(...a.ranks.map((r) => r ?? Infinity)) - Math.min(...b.ranks.map((r) => r ?? Infinity)) || a.row - b.row)
    .slice(0, k)
    .map(({ row, raw, ranks }) => ({ row, score: raw / max, ranks }));
}

/**
 * Score-aware fusion for the hybrid mode (what `rag query` uses; `rrf` above is kept for
 * callers that only have ranks). Reciprocal ranks threw the scores away: a passage first
 * in one list and missing from the other scored exactly like the other list's first, so
 * the top slot was a tie broken by row order (alphabetical files). Here every candidate
 * of either list gets both scores (cosine from its vector, BM25 from the postings), each
 * is scaled to [0, 1] over the candidates, and the weighted sum is ranked. A file-level
 * signal (how well the file's path, title and headings match) lifts passages of the file
 * that is about the question. Ties break on raw BM25 (lexical evidence), then cosine,
 * and only then on row. Weights were chosen on the dev questions of
 * bench/data/rag-questions.json (see bench/rag.bench.ts for the held-out figures).
 */
export interface FusionWeights {
  lexical: number;
  dense: number;
  /** Weight of the file-level signal added to each passage. */
  file: number;
}

/**
 * Lexical leads, dense breaks near-ties. With BM25 scaled by the best candidate's and cosine
 * min-max scaled over the candidates, weights 0.8 / 0.2 let the dense side lift a passage
 * over another only when their BM25 differ by less than a quarter of the best BM25
 * (0.2 / 0.8): a clear lexical lead is never overturned by USE-lite, whose own top-1 is right
 * a third of the time. Chosen on the dev questions only (bench/rag-tune.ts, after the Porter
 * stemmer went in): lexical alone hit@1 .81, hit@3 .94, MRR@10 .886; dense 0.05-0.15 the same
 * as lexical; 0.2 and 0.25 .84/.97/.907; 0.3 .81/.97/.892; 0.4 (the earlier default)
 * .81/1.00/.891, which already lost one top-1 that lexical had. The separate file-level BM25
 * (path, title, headings) and a per-file sum of passage BM25 lowered every setting (file 0.1:
 * MRR .88; sum of a file's top 3 passages at 0.2: .884), so the file signal is the title and
 * path carried in every passage's heading path and lexical text.
 */
export const FUSION: FusionWeights = { lexical: 0.8, dense: 0.2, file: 0 };

export interface Candidate {
  row: number;
  /** Raw BM25 (0 when the passage has none of the query's terms). */
  bm25: number;
  /** Cosine similarity with the query. */
  cosine: number;
  /** Raw BM25 of the passage's file-level text (path, title, headings); 0 when unknown. */
  fileBm25?: number;
}

export interface Scored extends Candidate {
  score: number;
}

function scaler(xs: number[]): (x: number) => number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) (lo = Math.min(lo, x)), (hi = Math.max(hi, x));
  const span = hi - lo;
  return (x) => (span > 1e-9 ? (x - lo) / span : hi > 0 ? 1 : 0);
}

/** Orders candidates by fused score; never by row alone unless every signal is equal. */
export function fuseScores(cands: Candidate[], w: FusionWeights = FUSION): Scored[] {
  if (!cands.length) return [];
  // BM25 scales from 0 (a passage without the words has no lexical evidence at all)
  const maxBm = Math.max(...cands.map((c) => c.bm25));
  const lex = (x: number) => (maxBm > 0 ? x / maxBm : 0);
  const den = scaler(cands.map((c) => c.cosine));
  const maxFile = Math.max(0, ...cands.map((c) => c.fileBm25 ?? 0));
  const total = w.lexical + w.dense + w.file;
  return cands
    .map((c) => ({ ...c, score: (w.lexical * lex(c.bm25) + w.dense * den(c.cosine) + (maxFile > 0 ? w.file * ((c.fileBm25 ?? 0) / maxFile) : 0)) / total }))
    .sort(byScore);
}

export function byScore(a: Scored, b: Scored): number {
  return b.score - a.score || b.bm25 - a.bm25 || b.cosine - a.cosine || a.row - b.row;
}

/**
 * At most `perFile` passages per file and each distinct text once (whitespace-folded),
 * keeping order; the rest fill in only when there are not `k` otherwise.
 */
export function diversify<T extends { row: number }>(ranked: T[], k: number, info: (row: number) => { source: string; text: string }, perFile = 2): T[] {
  const out: T[] = [];
  const spill: T[] = [];
  const per = new Map<string, number>();
  const texts = new Set<string>();
  for (const r of ranked) {
    const { source, text } = info(r.row);
    const norm = text.replace(/\s+/g, " ").trim().toLowerCase();
    if (texts.has(norm)) continue;
    texts.add(norm);
    const n = per.get(source) ?? 0;
    if (n >= perFile) {
      spill.push(r);
      continue;
    }
    per.set(source, n + 1);
    out.push(r);
    if (out.length >= k) return out;
  }
  return out.concat(spill.slice(0, k - out.length));
}
