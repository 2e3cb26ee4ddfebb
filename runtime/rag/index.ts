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
import { diversify, FUSION, fuseScores, type Candidate, type FusionWeights } from "./fuse.js";
import { lexicalText, updateIndex } from "./indexer.js";
import { snapshotFresh, type ScanSnapshot } from "./loaders.js";
import { Bm25, LEXICAL_VERSION } from "./lexical.js";
import { CorruptIndexError, HNSW_FILE, indexDirFor, readIndex, readLexical, removeIndex, writeHnsw, writeIndex, writeLexical, type Stored } from "./store.js";
import { FOUND, isFound, nothingFound, summarize, type FoundThresholds } from "./summary.js";
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
  /** BM25 over one text per file (path, headings) and row -> file: the file-level signal, built on first use. */
  fileIndex?: { files: Bm25; fileOf: Uint32Array };
}

/** What the file-level signal matches: the file's path words and every heading in it, once each. */
export function fileTexts(manifest: Manifest): { texts: string[]; fileOf: Uint32Array } {
  const idx = new Map<string, number>();
  const parts: Array<Set<string>> = [];
  const fileOf = new Uint32Array(manifest.chunks.length);
  manifest.chunks.forEach((c, row) => {
    let i = idx.get(c.source);
    if (i === undefined) {
      idx.set(c.source, (i = parts.length));
      parts.push(new Set([c.source.replace(/[/._-]+/g, " ")]));
    }
    if (c.heading) for (const h of c.heading.split(" > ")) parts[i]!.add(h);
    fileOf[row] = i;
  });
  return { texts: parts.map((p) => [...p].join("\n")), fileOf };
}

/** The lexical index saved for this manifest, else built (and saved, best effort) from its chunks. */
function loadedFrom(dir: string, manifest: Manifest, vectors: Float32Array, dense: VectorSearch): Loaded {
  const key = `${manifest.vectorsSha256}:${manifest.chunks.length}:${manifest.textVersion ?? 0}:${LEXICAL_VERSION}`;
  let parts = manifest.vectorsSha256 ? readLexical(dir, key) : undefined;
  let bm25: Bm25;
  if (parts && parts.lengths.length === manifest.chunks.length) bm25 = new Bm25(parts);
  else {
    bm25 = new Bm25(manifest.chunks.map(lexicalText));
    if (manifest.vectorsSha256) {
      try {
        writeLexical(dir, key, bm25.toParts());
      } catch {
        /* read-only state dir: rebuilt per process */
      }
    }
  }
  return { manifest, vectors, dense, bm25 };
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
  /** Hybrid fusion weights (benchmarks try others). */
  fusion: FusionWeights = FUSION;
  /** Passages per file in one answer. */
  perFile = 2;
  /** "Nothing relevant found" thresholds (benchmarks try others). */
  found: FoundThresholds = FOUND;

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

  /** How many times the workspace was scanned (readdir and all); tests check a query on an unchanged workspace does not. */
  scans = 0;
  private snapshot?: ScanSnapshot;
  private lastReport?: IndexReport;

  private async refresh(opts: IndexOptions & { quiet?: boolean }): Promise<IndexReport> {
    const t0 = performance.now();
    const ws = this.workspace;
    // a query on an index this process already holds: stat calls decide whether anything changed
    if (opts.quiet && !opts.full && this.loaded && this.snapshot && this.lastReport && this.loaded.manifest.workspace === ws && snapshotFresh(this.snapshot)) {
      this.warnings = [];
      return { ...this.lastReport, embeddedFiles: [], embeddedChunks: 0, unchangedFiles: this.lastReport.files, removedFiles: [], tookMs: Math.round(performance.now() - t0), chunksPerSec: 0 };
    }
    this.scans++;
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
      this.loaded = loadedFrom(dir, out.manifest, out.vectors, dense);
    }
    if (out.stopped) {
      // Partial: the next query must not take the index for current.
      this.snapshot = undefined;
      const saved = !this.warnings.some((w) => w.startsWith("the index could not be saved"));
      throw new AbortedError(
        `indexing stopped after ${out.stopped.embeddedChunks} of ${out.stopped.totalChunks} new chunks; ${saved ? "the files finished so far are saved and the next `rag index` resumes from there" : "nothing was saved"}`,
      );
    }
    progress({ done: out.manifest.chunks.length, total: out.manifest.chunks.length, phase: "done" });
    const tookMs = performance.now() - t0;
    this.snapshot = out.snapshot;
    return (this.lastReport = {
      ...out.report,
      search: this.loaded!.dense.kind,
      ...(rebuilt ? { rebuilt } : {}),
      tookMs: Math.round(tookMs),
      chunksPerSec: out.report.embeddedChunks ? Math.round((out.report.embeddedChunks / tookMs) * 1000) : 0,
    });
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
    const lex = idx.bm25.scores(query);
    let qv: Float32Array | undefined;
    const cands = new Map<number, Candidate>();
    const dims = idx.manifest.dims;
    const cosine = (row: number) => {
      let s = 0;
      for (let j = 0, o = row * dims; j < dims; j++) s += idx.vectors[o + j]! * qv![j]!;
      return s;
    };
    if (mode !== "lexical") {
      opts.signal?.throwIfAborted();
      [qv] = await this.embedder().embed([query], opts.signal);
      for (const d of idx.dense.search(qv!, pool)) cands.set(d.row, { row: d.row, cosine: d.score, bm25: lex.scores.get(d.row) ?? 0 });
    }
    if (mode !== "dense") {
      const top = [...lex.scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, pool);
      for (const [row, bm25] of top) if (!cands.has(row)) cands.set(row, { row, bm25, cosine: qv ? cosine(row) : 0 });
    }
    let ranked: Array<Candidate & { score: number }>;
    const all = [...cands.values()];
    if (mode === "dense") ranked = all.map((c) => ({ ...c, score: c.cosine })).sort((a, b) => b.score - a.score || a.row - b.row);
    else if (mode === "lexical") ranked = all.map((c) => ({ ...c, score: lex.best ? Math.min(1, c.bm25 / lex.best) : 0 })).sort((a, b) => b.score - a.score || a.row - b.row);
    else {
      if (this.fusion.file > 0) {
        idx.fileIndex ??= (() => {
          const ft = fileTexts(idx.manifest);
          return { files: new Bm25(ft.texts), fileOf: ft.fileOf };
        })();
        const fi = idx.fileIndex;
        const fileScores = fi.files.scores(query).scores;
        for (const c of all) c.fileBm25 = fileScores.get(fi.fileOf[c.row]!) ?? 0;
      }
      ranked = fuseScores(all, this.fusion);
    }
    ranked = diversify(ranked, topk, (row) => idx.manifest.chunks[row]!, this.perFile);
    const round = (x: number) => Math.round(x * 10000) / 10000;
    const results: RagHit[] = ranked.map(({ row, score, bm25, cosine: cos }) => {
      const c = idx.manifest.chunks[row]!;
      const hit: RagHit = { text: c.text, score: round(Math.min(1, Math.max(0, score))), source: c.source, lines: [c.lines[0], c.lines[1]], chunkId: c.id };
      if (mode !== "lexical") hit.denseScore = round(cos);
      if (mode !== "dense" && lex.scores.has(row)) hit.lexicalScore = round(lex.best ? Math.min(1, bm25 / lex.best) : 0);
      return hit;
    });
    // "found": is there lexical evidence (a good share of the query's terms, rare ones
    // weighing more) or a close dense match among the passages returned?
    const lexEvidence = ranked.reduce((m, r) => Math.max(m, lex.possible ? (lex.scores.get(r.row) ?? 0) / lex.possible : 0), 0);
    const denseEvidence = qv ? ranked.reduce((m, r) => Math.max(m, r.cosine), -1) : undefined;
    const found = results.length > 0 && isFound(lexEvidence, denseEvidence, this.found);
    const evidence = { lexical: round(lexEvidence), ...(denseEvidence !== undefined ? { dense: round(denseEvidence) } : {}) };
    const result: RagResult & { warnings?: string[] } = { query, results, summary: found ? summarize(query, results) : nothingFound(query, results), found, evidence, mode, embedder: idx.manifest.embedder, tookMs: 0 };
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
