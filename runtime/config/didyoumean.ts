/** Levenshtein distance, small and allocation-light; keys are short. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/**
 * The candidate a mistyped word most likely meant, or undefined when nothing is close.
 * Close means: same letters ignoring case, one a prefix of the other, or an edit
 * distance within a third of the word's length (at least 2).
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const lc = c.toLowerCase();
    let score: number;
    if (lc === w) score = 0;
    else if (lc.length >= 3 && w.length >= 3 && (lc.startsWith(w) || w.startsWith(lc))) score = 1;
    else {
      const d = editDistance(w, lc);
      if (d > Math.max(2, Math.floor(Math.max(w.length, lc.length) / 3))) continue;
      score = d;
    }
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}
