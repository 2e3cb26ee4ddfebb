import { stemmer as porter } from "stemmer";

/**
 * BM25 over the same chunks the vectors cover. Tokens keep identifiers whole
 * (`parseBind`, `OPENCLAW_STATE_DIR`) and also add their parts, so an exact
 * identifier matches exactly while its words still match prose.
 */
const STOP = new Set(
  "a an and are as at be by can do does for from has have how i if in into is it its of on or our so than that the their then there these this to was we were what when where which who why will with you your".split(" "),
);

/**
 * English stemming (Porter, from the `stemmer` package): "compressed"/"compression",
 * "running"/"runs", "policies"/"policy" meet on one term. Words with digits and words of up
 * to three letters stay as written (version strings, "ids", "abs"); whole identifiers are
 * never stemmed (see tokenize).
 */
export function stem(w: string): string {
  if (w.length <= 3 || /\d/.test(w)) return w;
  let s = stems.get(w);
  if (s === undefined) {
    if (stems.size >= 100_000) stems.clear();
    stems.set(w, (s = porter(w)));
  }
  return s;
}

/** Words repeat (a corpus of 27k passages has ~150k distinct terms): each is stemmed once. */
const stems = new Map<string, string>();

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}_.-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu)) {
    const raw = m[0];
    const whole = raw.toLowerCase();
    // most words have no separator and no capital after the first letter: one part, nothing to split
    if (!/[_.-]|.[A-Z]/.test(raw)) {
      if (!STOP.has(whole)) out.push(stem(whole));
      continue;
    }
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

/** The tokenizer's version: a persisted lexical index made by another one is rebuilt. 2: Porter stemming (stemmer 2.0.1, pinned: bump this with it). */
export const LEXICAL_VERSION = 2;

/** A BM25 index in flat arrays, so it can be saved and loaded without re-tokenizing every chunk. */
export interface Bm25Parts {
  terms: string[];
  /** offsets[i]..offsets[i+1] index rows/tfs of terms[i]. */
  offsets: Uint32Array;
  rows: Uint32Array;
  tfs: Uint32Array;
  lengths: Uint32Array;
  /** A term's index without building a Map of every term (a saved index read from disk: store.ts). */
  lookup?: (term: string) => number | undefined;
  /** A term's rows and tfs, checked (a saved index: store.ts reads them when a query reaches the term). */
  postings?: (ti: number) => { rows: Uint32Array; tfs: Uint32Array };
  /** Ends what reading postings holds open (store.ts's file). */
  close?: () => void;
}

export class Bm25 {
  private readonly termIndex = new Map<string, number>();
  private readonly parts: Bm25Parts;
  private readonly lengths: Uint32Array;
  private readonly avgLen: number;
  readonly size: number;

  constructor(docs: string[] | Bm25Parts, private readonly k1 = 1.2, private readonly b = 0.75) {
    if (Array.isArray(docs)) {
      const postings = new Map<string, Array<[row: number, tf: number]>>();
      const lengths = new Uint32Array(docs.length);
      docs.forEach((d, row) => {
        const toks = tokenize(d);
        lengths[row] = toks.length;
        const tf = new Map<string, number>();
        for (const t of toks) tf.set(t, (tf.get(t) ?? 0) + 1);
        for (const [t, n] of tf) {
          let p = postings.get(t);
          if (!p) postings.set(t, (p = []));
          p.push([row, n]);
        }
      });
      const terms = [...postings.keys()];
      const offsets = new Uint32Array(terms.length + 1);
      let total = 0;
      terms.forEach((t, i) => ((offsets[i] = total), (total += postings.get(t)!.length)));
      offsets[terms.length] = total;
      const rows = new Uint32Array(total);
      const tfs = new Uint32Array(total);
      terms.forEach((t, i) => postings.get(t)!.forEach(([r, n], k) => ((rows[offsets[i]! + k] = r), (tfs[offsets[i]! + k] = n))));
      this.parts = { terms, offsets, rows, tfs, lengths };
    } else this.parts = docs;
    if (!this.parts.lookup) this.parts.terms.forEach((t, i) => this.termIndex.set(t, i));
    this.lengths = this.parts.lengths;
    this.size = this.lengths.length;
    let total = 0;
    for (const l of this.lengths) total += l;
    this.avgLen = this.size ? total / this.size : 1;
  }

  /** Closes the saved index's file a query reads postings from (when it has one). */
  close(): void {
    this.parts.close?.();
  }

  /** The flat arrays, for saving. */
  toParts(): Bm25Parts {
    return this.parts;
  }

  private idf(df: number): number {
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  /** Raw BM25 of every row that has at least one query term, and the best score this query could reach. */
  scores(query: string): { scores: Map<number, number>; best: number; possible: number } {
    const terms = [...new Set(tokenize(query))];
    const scores = new Map<number, number>();
    let best = 0;
    // what a passage holding every query term would score, words the index never saw included:
    // a question about things the workspace does not mention has little of this
    let possible = 0;
    const { offsets } = this.parts;
    for (const t of terms) {
      const ti = this.parts.lookup ? this.parts.lookup(t) : this.termIndex.get(t);
      const df = ti === undefined ? 0 : offsets[ti + 1]! - offsets[ti]!;
      possible += this.idf(df) * (this.k1 + 1);
      if (ti === undefined) continue;
      const idf = this.idf(df);
      best += idf * (this.k1 + 1);
      const { rows, tfs } = this.parts.postings ? this.parts.postings(ti) : { rows: this.parts.rows.subarray(offsets[ti]!, offsets[ti + 1]!), tfs: this.parts.tfs.subarray(offsets[ti]!, offsets[ti + 1]!) };
      for (let k = 0; k < rows.length; k++) {
        const row = rows[k]!;
        const tf = tfs[k]!;
        const norm = tf + this.k1 * (1 - this.b + (this.b * this.lengths[row]!) / this.avgLen);
        scores.set(row, (scores.get(row) ?? 0) + (idf * tf * (this.k1 + 1)) / norm);
      }
    }
    return { scores, best, possible };
  }

  search(query: string, k: number): LexicalHit[] {
    const { scores, best } = this.scores(query);
    return [...scores]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, k)
      .map(([row, bm25]) => ({ row, bm25, score: best ? Math.min(1, bm25 / best) : 0 }));
  }
}
