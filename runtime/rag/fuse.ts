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
