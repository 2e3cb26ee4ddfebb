/**
 * BM25 over the same chunks the vectors cover. Tokens keep identifiers whole
 * (`parseBind`, `OPENCLAW_STATE_DIR`) and also add their parts, so an exact
 * identifier matches exactly while its words still match prose.
 */
const STOP = new Set(
  "a an and are as at be by can do does for from has have how i if in into is it its of on or our so than that the their then there these this to was we were what when where which who why will with you your".split(" "),
);

/** Light plural folding: enough for "hires"/"hire", "demos"/"demo", "policies"/"policy". */
export function stem(w: string): string {
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith("ies") && w.length > 4) return w.slice(0, -3) + "y";
  if (/(ss|us|is)$/.test(w)) return w;
  if (/(sses|xes|ches|shes)$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s")) return w.slice(0, -1);
  return w;
}

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}_.-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu)) {
    const raw = m[0];
    const whole = raw.toLowerCase();
    const parts = raw
      .split(/[_.-]+/)
      .flatMap((p) => p.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/))
      .map((p) => p.toLowerCase())
      .filter(Boolean);
    if (parts.length > 1) {
      out.push(whole);
      for (const p of parts) if (!STOP.has(p)) out.push(stem(p));
    } else if (!STOP.has(whole)) out.push(stem(whole));
  }
  return out;
}

export interface LexicalHit {
  row: number;
  /** Raw BM25. */
  bm25: number;
  /** BM25 over the best this query could score: in [0, 1]. */
  score: number;
}

export class Bm25 {
  private readonly postings = new Map<string, Array<[row: number, tf: number]>>();
  private readonly lengths: Uint32Array;
  private readonly avgLen: number;
  readonly size: number;

  constructor(docs: string[], private readonly k1 = 1.2, private readonly b = 0.75) {
    this.size = docs.length;
    this.lengths = new Uint32Array(docs.length);
    let total = 0;
    docs.forEach((d, row) => {
      const toks = tokenize(d);
      this.lengths[row] = toks.length;
      total += toks.length;
      const tf = new Map<string, number>();
      for (const t of toks) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, n] of tf) {
        let p = this.postings.get(t);
        if (!p) this.postings.set(t, (p = []));
        p.push([row, n]);
      }
    });
    this.avgLen = docs.length ? total / docs.length : 1;
  }

  private idf(df: number): number {
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  search(query: string, k: number): LexicalHit[] {
    const terms = [...new Set(tokenize(query))];
    const scores = new Map<number, number>();
    let best = 0;
    for (const t of terms) {
      const p = this.postings.get(t);
      if (!p) continue;
      const idf = this.idf(p.length);
      best += idf * (this.k1 + 1);
      for (const [row, tf] of p) {
        const norm = tf + this.k1 * (1 - this.b + (this.b * this.lengths[row]!) / this.avgLen);
        scores.set(row, (scores.get(row) ?? 0) + (idf * tf * (this.k1 + 1)) / norm);
      }
    }
    return [...scores]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, k)
      .map(([row, bm25]) => ({ row, bm25, score: best ? Math.min(1, bm25 / best) : 0 }));
  }
}
