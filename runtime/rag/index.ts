/**
 * Local RAG: index the workspace's documents, answer queries with cited passages.
 * Everything runs on this machine: embeddings from a model on disk, usearch for
 * vectors, BM25 for words, reciprocal rank fusion for the default hybrid mode.
 * The index is refreshed incrementally before each query, so answers never cite a
 * file as it was before an edit.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { AbortedError, UsageError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { createEmbedder, type Embedder } from "./embedders/index.js";
import { embedderMismatch, missingWorkspace } from "./errors.js";
import { rrf } from "./fuse.js";
import { lexicalText, updateIndex } from "./indexer.js";
import { Bm25 } from "./lexical.js";
import { CorruptIndexError, HNSW_FILE, indexDirFor, readIndex, removeIndex, writeHnsw, writeIndex, type Stored } from "./store.js";
import { summarize } from "./summary.js";
import type { IndexOptions, IndexReport, Manifest, QueryOptions, RagHit, RagMode, RagProgress, RagResult } from "./types.js";
import { HNSW_THRESHOLD, VectorSearch } from "./vectors.js";

export type { RagHit, RagResult, RagMode, IndexReport, IndexOptions, QueryOptions, RagProgress, Manifest } from "./types.js";
export { wrapUntrusted, wrapRagResult } from "./untrusted.js";

const MODES: readonly RagMode[] = ["hybrid", "dense", "lexical"];

interface Loaded {
  manifest: Manifest;
  vectors: Float32Array;
  dense: VectorSearch;
  bm25: Bm25;
}

export interface RagStatus {
  workspace: string;
  indexDir: string;
  exists: boolean;
  /** True when no document changed since the last index. */
  fresh: boolean;
  embedder: string | null;
  configuredEmbedder: string;
  files: number;
  chunks: number;
  search: "exact" | "hnsw" | null;
  updatedAt: string | null;
  changedFiles: string[];
  newFiles: string[];
  removedFiles: string[];
  problem?: string;
}

export class Rag {
  readonly runtime: Runtime;
  private embedderInst?: Embedder;
  private loaded?: Loaded;
  private chain: Promise<unknown> = Promise.resolve();
  /** Messages from the last index refresh (corrupt index rebuilt, index not persisted). */
  private warnings: string[] = [];

  private readonly hnswThreshold: number;

  /** `embedder` replaces the configured one (tests count its calls); `hnswThreshold` too (tests, benchmarks). */
  constructor(opts: { runtime: Runtime; embedder?: Embedder; hnswThreshold?: number }) {
    this.runtime = opts.runtime;
    this.embedderInst = opts.embedder;
    this.hnswThreshold = opts.hnswThreshold ?? HNSW_THRESHOLD;
  }

  get workspace(): string {
    return this.runtime.config.agentDefaults.workspace;
  }

  get indexDir(): string {
    return indexDirFor(this.runtime.config.stateDir, this.workspace);
  }

  embedder(): Embedder {
    return (this.embedderInst ??= createEmbedder(this.runtime.config));
  }

  /** One index operation at a time per Rag: a query waits for a running index. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  index(opts: IndexOptions = {}): Promise<IndexReport> {
    return this.serial(() => this.refresh(opts));
  }

  private async refresh(opts: IndexOptions & { quiet?: boolean }): Promise<IndexReport> {
    const t0 = performance.now();
    const ws = this.workspace;
    if (!existsSync(ws) || !statSync(ws).isDirectory()) throw missingWorkspace(ws);
    this.warnings = [];
    const dir = this.indexDir;
    const embedder = this.embedder();
    let prev: Stored | undefined;
    let rebuilt: string | undefined;
    if (this.loaded && !opts.full) prev = this.loaded;
    else {
      try {
        prev = opts.full ? undefined : readIndex(dir);
      } catch (e) {
        if (!(e instanceof CorruptIndexError)) throw e;
        rebuilt = `the index was corrupt and has been rebuilt: ${e.message}`;
        this.warnings.push(rebuilt);
        this.runtime.emit({ type: "rag.warning", message: rebuilt });
        try {
          removeIndex(dir);
        } catch {
          /* read-only: the rebuilt index lives in memory (a warning follows when saving fails) */
        }
      }
    }
    if (prev && prev.manifest.embedder !== embedder.id && !opts.full) throw embedderMismatch(dir, prev.manifest.embedder, embedder.id);
    // A query's refresh stays silent unless it has real work (embedding, writing):
    // a progress display flashing on every query would be noise.
    let busy = !opts.quiet;
    const progress = (p: RagProgress) => {
      if (p.phase === "embed") busy = true;
      if (!busy) return;
      this.runtime.emit({ type: "rag.progress", ...p });
      opts.onProgress?.(p);
    };
    let out;
    try {
      out = await updateIndex(
        { workspace: ws, indexDir: dir, exclude: [this.runtime.config.stateDir], chunkChars: this.runtime.config.rag.chunkChars, overlapChars: this.runtime.config.rag.overlapChars, embedder, progress, signal: opts.signal },
        prev,
      );
    } catch (e) {
      if (opts.signal?.aborted) throw new AbortedError("indexing stopped; the previous index is unchanged");
      throw e;
    }
    const dense = new VectorSearch(out.manifest.dims, out.vectors);
    if (out.changed || !this.loaded) {
      // Stopped part way: save what is embedded now, without spending time on the graph.
      const big = out.manifest.chunks.length > this.hnswThreshold && !out.stopped;
      if (big && (out.changed || !dense.loadHnsw(join(dir, HNSW_FILE)))) {
        dense.buildHnsw();
        // a missing or broken graph file beside a good index: replace it, best effort
        if (!out.changed) {
          try {
            writeHnsw(dir, (tmp) => dense.saveHnsw(tmp));
          } catch {
            /* read-only state dir: the graph lives in memory */
          }
        }
      }
      if (out.changed) {
        progress({ done: out.manifest.chunks.length, total: out.manifest.chunks.length, phase: "write" });
        try {
          writeIndex(dir, out.manifest, out.vectors, big ? (tmp) => dense.saveHnsw(tmp) : undefined);
        } catch (e) {
          // a read-only state dir (sandboxed skill run) still answers from memory
          const w = `the index could not be saved to ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); it lives in memory for this process only`;
          this.warnings.push(w);
          this.runtime.emit({ type: "rag.warning", message: w });
        }
      }
      this.loaded = { manifest: out.manifest, vectors: out.vectors, dense, bm25: new Bm25(out.manifest.chunks.map(lexicalText)) };
    }
    if (out.stopped) {
      const saved = !this.warnings.some((w) => w.startsWith("the index could not be saved"));
      throw new AbortedError(
        `indexing stopped after ${out.stopped.embeddedChunks} of ${out.stopped.totalChunks} new chunks; ${saved ? "the files finished so far are saved and the next `rag index` resumes from there" : "nothing was saved"}`,
      );
    }
    progress({ done: out.manifest.chunks.length, total: out.manifest.chunks.length, phase: "done" });
    const tookMs = performance.now() - t0;
    return {
      ...out.report,
      search: this.loaded!.dense.kind,
      ...(rebuilt ? { rebuilt } : {}),
      tookMs: Math.round(tookMs),
      chunksPerSec: out.report.embeddedChunks ? Math.round((out.report.embeddedChunks / tookMs) * 1000) : 0,
    };
  }

  async query(q: string, opts: QueryOptions = {}): Promise<RagResult> {
    try {
      return await this.runQuery(q, opts);
    } catch (e) {
      if (opts.signal?.aborted && !(e instanceof AbortedError)) throw new AbortedError("query stopped");
      throw e;
    }
  }

  private async runQuery(q: string, opts: QueryOptions): Promise<RagResult> {
    const t0 = performance.now();
    const query = String(q ?? "").trim();
    if (!query) throw new UsageError("the query is empty", { fix: 'give a question, e.g. rag query "How do we onboard new hires?"' });
    const topk = opts.topk ?? this.runtime.config.rag.topk;
    if (!Number.isInteger(topk) || topk < 1 || topk > 100) throw new UsageError(`--topk must be an integer from 1 to 100 (got ${topk})`);
    const mode = opts.mode ?? this.runtime.config.rag.mode;
    if (!MODES.includes(mode)) throw new UsageError(`--mode must be one of ${MODES.join(", ")} (got ${mode})`);
    await this.serial(() => this.refresh({ signal: opts.signal, quiet: true }));
    const idx = this.loaded!;
    const n = idx.manifest.chunks.length;
    const pool = Math.min(n, Math.max(topk * 4, 50));
    let dense: Array<{ row: number; score: number }> = [];
    let lexical: Array<{ row: number; score: number }> = [];
    if (mode !== "lexical") {
      opts.signal?.throwIfAborted();
      const [qv] = await this.embedder().embed([query], opts.signal);
      dense = idx.dense.search(qv!, pool);
    }
    if (mode !== "dense") lexical = idx.bm25.search(query, pool);
    const denseBy = new Map(dense.map((d) => [d.row, d.score]));
    const lexBy = new Map(lexical.map((d) => [d.row, d.score]));
    let ranked: Array<{ row: number; score: number }>;
    if (mode === "dense") ranked = dense.slice(0, topk);
    else if (mode === "lexical") ranked = lexical.slice(0, topk);
    else
      ranked = rrf(
        [dense.map((d) => d.row), lexical.map((d) => d.row)],
        topk,
      );
    const round = (x: number) => Math.round(x * 10000) / 10000;
    const results: RagHit[] = ranked.map(({ row, score }) => {
      const c = idx.manifest.chunks[row]!;
      const hit: RagHit = { text: c.text, score: round(Math.max(0, score)), source: c.source, lines: [c.lines[0], c.lines[1]], chunkId: c.id };
      if (denseBy.has(row)) hit.denseScore = round(denseBy.get(row)!);
      if (lexBy.has(row)) hit.lexicalScore = round(lexBy.get(row)!);
      return hit;
    });
    const result: RagResult & { warnings?: string[] } = { query, results, summary: summarize(query, results), mode, embedder: idx.manifest.embedder, tookMs: 0 };
    if (this.warnings.length) result.warnings = [...this.warnings];
    result.tookMs = Math.round((performance.now() - t0) * 10) / 10;
    return result;
  }

  /** What is indexed and whether it is current; never embeds, never writes. */
  async status(): Promise<RagStatus> {
    const { scanWorkspace } = await import("./loaders.js");
    const dir = this.indexDir;
    const configured = (() => {
      try {
        return this.embedder().id;
      } catch (e) {
        return `invalid: ${(e as Error).message}`;
      }
    })();
    const base: RagStatus = { workspace: this.workspace, indexDir: dir, exists: false, fresh: false, embedder: null, configuredEmbedder: configured, files: 0, chunks: 0, search: null, updatedAt: null, changedFiles: [], newFiles: [], removedFiles: [] };
    let stored: Stored | undefined;
    try {
      stored = this.loaded ?? readIndex(dir);
    } catch (e) {
      return { ...base, exists: true, problem: `corrupt index: ${(e as Error).message}` };
    }
    if (!stored) return base;
    const m = stored.manifest;
    const st: RagStatus = { ...base, exists: true, embedder: m.embedder, files: Object.keys(m.files).length, chunks: m.chunks.length, search: m.chunks.length > this.hnswThreshold ? "hnsw" : "exact", updatedAt: m.updatedAt };
    if (!existsSync(this.workspace)) return { ...st, problem: `workspace ${this.workspace} does not exist` };
    const { files } = scanWorkspace(this.workspace, [this.runtime.config.stateDir]);
    const seen = new Set<string>();
    for (const f of files) {
      seen.add(f.source);
      const rec = m.files[f.source];
      if (!rec) {
        if (!m.skipped.some((s) => s.source === f.source)) st.newFiles.push(f.source);
      } else if (rec.size !== f.stat.size || rec.mtimeMs !== f.stat.mtimeMs) st.changedFiles.push(f.source);
    }
    st.removedFiles = Object.keys(m.files).filter((s) => !seen.has(s));
    st.fresh = !st.newFiles.length && !st.changedFiles.length && !st.removedFiles.length;
    if (m.embedder !== configured) st.problem = `built with ${m.embedder}, config uses ${configured}: re-index with \`rag index --full\``;
    return st;
  }

  async close(): Promise<void> {
    await this.embedderInst?.close?.();
  }
}
