/**
 * Dense search over unit-length vectors with usearch. Queries use exact search: inner
 * product with usearch's SIMD kernel on one thread, over an int8 copy of the matrix first and
 * the f32 vectors for the rows it keeps (27k x 512: ~1 ms instead of ~4.5 ms for the f32 scan
 * on this 2-core machine; see search()). HNSW found only 0.885 of the true top 5 on real USE vectors at 27k
 * chunks (issue 17) with these parameters, below the 0.98 the project requires, so no index
 * builds a graph by default (HNSW_THRESHOLD is infinite); the code stays for a Rag given a
 * threshold (tests, bench/rag.bench.ts measures its recall on real vectors each run).
 * The row number is the key.
 */
import { createRequire } from "node:module";
import type Usearch from "usearch";

// usearch's native addon is loaded on first dense search, so a lexical query never pays for it
const require = createRequire(import.meta.url);
let lib: typeof Usearch | undefined;
function usearchLib(): typeof Usearch {
  return (lib ??= require("usearch") as typeof Usearch);
}

/** Chunks above which an index builds an HNSW graph: never by default (see above). */
export const HNSW_THRESHOLD = Number.POSITIVE_INFINITY;
/**
 * Measured at 100k clustered 512-d vectors on 2 cores: M16/ef_add 32 -> recall@5 0.91,
 * M16/48/256 -> 0.989 (58 s build), M16/64/128 -> 0.996; M32/128 took over 7 minutes.
 * bench/rag.bench.ts re-measures recall against exact search on every run.
 */
export const HNSW_PARAMS = { connectivity: 16, expansion_add: 64, expansion_search: 256 } as const;

export interface DenseHit {
  row: number;
  /** Cosine similarity. */
  score: number;
}

type UIndex = InstanceType<typeof Usearch.Index>;

export class VectorSearch {
  private hnsw?: UIndex;

  readonly vectors: Float32Array;

  /** Whether search() may scan an int8 copy first (building it costs ~30-90 ms at 27k x 512: worth it in a long-lived host). */
  private readonly int8: boolean;

  /** `vectors` holds `count` rows of `dims` floats, row-major. */
  constructor(
    readonly dims: number,
    vectors: Float32Array,
    readonly count = vectors.length / dims,
    opts: { int8?: boolean } = {},
  ) {
    this.vectors = aligned(vectors);
    this.int8 = opts.int8 ?? true;
  }

  get kind(): "exact" | "hnsw" {
    return this.hnsw ? "hnsw" : "exact";
  }

  /** Builds the graph in memory (threads 0 = all cores). */
  buildHnsw(params: { connectivity: number; expansion_add: number; expansion_search: number } = HNSW_PARAMS): void {
    const usearch = usearchLib();
    const idx = new usearch.Index({ dimensions: this.dims, metric: usearch.MetricKind.Cos, quantization: usearch.ScalarKind.F32, multi: false, ...params });
    if (this.count) {
      const keys = new BigUint64Array(this.count);
      for (let i = 0; i < this.count; i++) keys[i] = BigInt(i);
      idx.add(keys, this.vectors.subarray(0, this.count * this.dims), 0);
    }
    this.hnsw = idx;
  }

  /** Loads a saved graph; false when the file is not a usable graph for these vectors. */
  loadHnsw(path: string, params = HNSW_PARAMS): boolean {
    try {
      const usearch = usearchLib();
      const idx = new usearch.Index({ dimensions: this.dims, metric: usearch.MetricKind.Cos, quantization: usearch.ScalarKind.F32, multi: false, ...params });
      idx.load(path);
      if (idx.size() !== this.count || idx.dimensions() !== this.dims) return false;
      this.hnsw = idx;
      return true;
    } catch {
      return false;
    }
  }

  saveHnsw(path: string): void {
    this.hnsw?.save(path);
  }

  /**
   * The k rows closest to `query` (cosine), best first, ties by row. Above Q8_MIN rows the scan
   * reads an int8 copy of the matrix (a quarter of the bytes: the f32 scan is bound by memory,
   * 27k x 512 f32 is 55 MB) for the best Q8_POOL(k) rows, then scores those with the f32 vectors:
   * the cosines returned are exact, and a row of the true top k is left out only if int8
   * rounding moved it below Q8_POOL(k) others (bench/rag.bench.ts measures recall against the
   * f32 scan on real vectors each run). `exact` scans the f32 matrix (the truth for that
   * measurement); `version` (the count of rows with a vector) rebuilds the copy after rows were
   * filled in.
   */
  search(query: Float32Array, k: number, opts: { exact?: boolean; version?: number } = {}): DenseHit[] {
    const n = Math.min(k, this.count);
    if (n <= 0) return [];
    query = aligned(query);
    const usearch = usearchLib();
    if (!this.hnsw && !opts.exact && this.int8 && this.count >= Q8_MIN) return this.searchQ8(query, n, opts.version ?? 0);
    const m = this.hnsw && !opts.exact ? this.hnsw.search(query, n, 0) : (usearch.exactSearch(this.vectors.subarray(0, this.count * this.dims), query, this.dims, n, usearch.MetricKind.IP, 1) as InstanceType<typeof Usearch.Matches>);
    const out: DenseHit[] = [];
    for (let i = 0; i < m.keys.length; i++) {
      const row = Number(m.keys[i]);
      // usearch pads with sentinel keys when it finds fewer than k
      if (row >= this.count || !Number.isFinite(m.distances[i]!)) continue;
      // (inner product on unit vectors is the cosine; a row not embedded yet is all zeros and scores 0)
      out.push({ row, score: 1 - m.distances[i]! });
    }
    return out;
  }

  private q8?: { data: Int8Array; version: number };

  private searchQ8(query: Float32Array, n: number, version: number): DenseHit[] {
    if (this.q8?.version !== version) this.q8 = { data: quantize(this.vectors.subarray(0, this.count * this.dims)), version };
    const d = this.dims;
    return searchQ8(this.q8.data, d, this.count, query, n, (row) => dot(this.vectors, row * d, query));
  }
}

/** The dot product of row vectors[o..o+query.length) with `query`. */
export function dot(vectors: Float32Array, o: number, query: Float32Array): number {
  let s = 0;
  for (let j = 0; j < query.length; j++) s += vectors[o + j]! * query[j]!;
  return s;
}

/**
 * The int8 scan then exact scoring (VectorSearch.search): the best Q8_POOL(n) rows of `q8`
 * (`count` rows of `dims`) by inner product with the quantized query, scored by `exact(row)`
 * (the f32 cosine), best n of those, ties by row.
 */
export function searchQ8(q8: Int8Array, dims: number, count: number, query: Float32Array, n: number, exact: (row: number) => number): DenseHit[] {
  const usearch = usearchLib();
  // the query's own scale: a positive factor does not change the order of dot products
  const m = usearch.exactSearch(q8, quantize(query), dims, Math.min(count, Q8_POOL(n)), usearch.MetricKind.IP, 1) as InstanceType<typeof Usearch.Matches>;
  const out: DenseHit[] = [];
  for (let i = 0; i < m.keys.length; i++) {
    const row = Number(m.keys[i]);
    if (row >= count) continue;
    out.push({ row, score: exact(row) });
  }
  return out.sort((a, b) => b.score - a.score || a.row - b.row).slice(0, n);
}

/** Below this many rows the f32 scan is already well under a millisecond. */
export const Q8_MIN = 2048;
/** Rows the int8 scan keeps for exact scoring. */
export const Q8_POOL = (k: number) => Math.max(4 * k, 64);

/** Rows scaled so the largest magnitude in the matrix maps to 127 (one scale for all rows keeps their dot products comparable). */
export function quantize(v: Float32Array): Int8Array {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]!));
  const out = new Int8Array(v.length);
  if (max === 0) return out;
  const f = 127 / max;
  for (let i = 0; i < v.length; i++) out[i] = Math.round(v[i]! * f);
  return out;
}

/**
 * usearch reads a typed array from the start of its buffer, ignoring byteOffset (a
 * subarray's row 3 is searched as row 0), so views that do not start their buffer are copied.
 */
function aligned(v: Float32Array): Float32Array {
  return v.byteOffset === 0 ? v : v.slice();
}

export { normalize } from "./math.js";
