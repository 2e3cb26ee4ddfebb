/**
 * Dense search over unit-length vectors with usearch. Queries use exact search: inner
 * product with usearch's SIMD kernel on one thread (27k x 512 in ~7 ms, 100k in ~20 ms on
 * this 2-core machine). HNSW found only 0.885 of the true top 5 on real USE vectors at 27k
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

  /** `vectors` holds `count` rows of `dims` floats, row-major. */
  constructor(readonly dims: number, vectors: Float32Array, readonly count = vectors.length / dims) {
    this.vectors = aligned(vectors);
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

  search(query: Float32Array, k: number, opts: { exact?: boolean } = {}): DenseHit[] {
    const n = Math.min(k, this.count);
    if (n <= 0) return [];
    query = aligned(query);
    const usearch = usearchLib();
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
}

/**
 * usearch reads a typed array from the start of its buffer, ignoring byteOffset (a
 * subarray's row 3 is searched as row 0), so views that do not start their buffer are copied.
 */
function aligned(v: Float32Array): Float32Array {
  return v.byteOffset === 0 ? v : v.slice();
}

export { normalize } from "./math.js";
