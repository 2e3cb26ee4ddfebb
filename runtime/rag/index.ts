/**
 * Local RAG: index the workspace's documents, answer queries with cited passages.
 * Everything runs on this machine: embeddings from a model on disk, exact search (usearch)
 * for vectors, BM25 for words, score fusion for the default hybrid mode. Indexing is
 * lexical first (queryable at once) with dense vectors filled in behind it. The index is
 * refreshed incrementally before each query (a stat of every folder and file when nothing
 * changed), so answers never cite a file as it was before an edit.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { AbortedError, UsageError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { createEmbedder, type Embedder } from "./embedders/index.js";
import { embedderMismatch, missingWorkspace } from "./errors.js";
import { diversify, FUSION, fuseScores, type Candidate, type FusionWeights } from "./fuse.js";
import { fillDense, hasVector, lexicalText, TEXT_VERSION, updateLexical } from "./indexer.js";
import { snapshotFresh, stampMatches, type ScanSnapshot } from "./loaders.js";
import { FreshnessWatch } from "./watch.js";
import { Bm25, LEXICAL_VERSION } from "./lexical.js";
import { ChunkTable, CorruptIndexError, DiskVectors, HNSW_FILE, indexDirFor, q8Current, readChunks, readIndex, readLexical, readManifest, readVectors, removeIndex, vectorsLookWhole, VECTORS, wantsQ8, writeHnsw, writeIndex, writeLexical, writeQ8, type Stored } from "./store.js";
import { FOUND, isFound, nothingFound, summarize, type FoundThresholds } from "./summary.js";
import type { ChunkRecord, DenseState, IndexOptions, IndexReport, Manifest, QueryOptions, RagHit, RagMode, RagProgress, RagResult } from "./types.js";
import { dot, HNSW_THRESHOLD, VectorSearch } from "./vectors.js";

export type { RagHit, RagResult, RagMode, IndexReport, IndexOptions, QueryOptions, RagProgress, Manifest, DenseState } from "./types.js";
export { wrapUntrusted, wrapRagResult } from "./untrusted.js";

const MODES: readonly RagMode[] = ["hybrid", "dense", "lexical"];

/** A query embeds up to this many missing vectors itself (a small edit); more are left to the fill behind the lexical index. */
export const SYNC_FILL = 256;

interface Loaded {
  manifest: Manifest;
  chunks: ChunkTable;
  /** Undefined until a dense or hybrid query needs them (a fresh process answering lexically never reads them). */
  vectors?: Float32Array;
  /** 1 where the row has a vector. */
  have?: Uint8Array;
  dense?: VectorSearch;
  /** A one-query process's search over the int8 copy on disk, instead of reading `vectors` (complete vectors only). */
  disk?: DiskVectors;
  /** How many files the manifest lists (counted once). */
  fileCount?: number;
  /** The vectors were read without checking the manifest's checksum (a one-query process): checked before they are carried into a new index or saved. */
  unverified?: boolean;
  bm25: Bm25;
  /** BM25 over one text per file (path, headings) and row -> file: the file-level signal. */
  fileIndex?: { files: Bm25; fileOf: Uint32Array };
}

/** What the file-level signal matches: the file's path words and every heading in it, once each. */
export function fileTexts(manifest: { chunks: ArrayLike<ChunkRecord> } | ChunkTable): { texts: string[]; fileOf: Uint32Array } {
  const table = manifest instanceof ChunkTable ? manifest : ChunkTable.of(Array.from(manifest.chunks));
  const idx = new Map<string, number>();
  const parts: Array<Set<string>> = [];
  const fileOf = new Uint32Array(table.length);
  for (let row = 0; row < table.length; row++) {
    const c = table.get(row);
    let i = idx.get(c.source);
    if (i === undefined) {
      idx.set(c.source, (i = parts.length));
      parts.push(new Set([c.source.replace(/[/._-]+/g, " ")]));
    }
    if (c.heading) for (const h of c.heading.split(" > ")) parts[i]!.add(h);
    fileOf[row] = i;
  }
  return { texts: parts.map((p) => [...p].join("\n")), fileOf };
}

function lexicalKey(m: Manifest): string {
  return `${m.chunksSha256 ?? ""}:${m.chunkCount}:${m.textVersion ?? 0}:${LEXICAL_VERSION}`;
}

/**
 * The saved BM25 indexes for this chunk table (with `lazy`, a one-query process: postings read
 * when a query reaches a term), else built from its chunks (and saved, best effort, when `save`).
 */
function lexicalFor(dir: string, manifest: Manifest, chunks: ChunkTable, save: boolean, lazy = false): Pick<Loaded, "bm25" | "fileIndex"> {
  const key = lexicalKey(manifest);
  const parts = manifest.chunksSha256 ? readLexical(dir, key, "lexical", { lazy }) : undefined;
  const fparts = parts && readLexical(dir, key, "files", { lazy });
  if (parts && parts.lengths.length === chunks.length && fparts && fparts.extra[0]?.length === chunks.length) {
    return { bm25: new Bm25(parts), fileIndex: { files: new Bm25(fparts), fileOf: fparts.extra[0] } };
  }
  const all = chunks.all();
  const bm25 = new Bm25(all.map(lexicalText));
  const ft = fileTexts(chunks);
  const files = new Bm25(ft.texts);
  if (save && manifest.chunksSha256) {
    try {
      writeLexical(dir, key, bm25.toParts());
      writeLexical(dir, key, files.toParts(), "files", [ft.fileOf]);
    } catch {
      /* read-only state dir: rebuilt per process */
    }
  }
  return { bm25, fileIndex: { files, fileOf: ft.fileOf } };
}

function countReady(have: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < have.length; i++) n += have[i]!;
  return n;
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
  /** Chunks that have a dense vector (the rest are searched lexically until `rag index` fills them). */
  dense: DenseState;
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
  /** The dense fill running behind the lexical index (kernel, gateway). */
  private fill?: { ac: AbortController; done: Promise<void>; loaded: Loaded };

  private readonly hnswThreshold: number;
  /** Fill missing vectors in the background after a query's refresh (long-lived hosts); the CLI leaves them to `rag index`. */
  readonly backgroundDense: boolean;
  /** Keep folder watches so a query on a quiet workspace needs no stat pass (long-lived hosts; watch.ts). */
  readonly watchFolders: boolean;
  private watch?: FreshnessWatch;
  /** Hybrid fusion weights (benchmarks try others). */
  fusion: FusionWeights = FUSION;
  /** Passages per file in one answer. */
  perFile = 2;
  /** "Nothing relevant found" thresholds (benchmarks try others). */
  found: FoundThresholds = FOUND;
  /** A query embeds at most this many missing vectors itself (tests set 0 to see the fill behind). */
  syncFill = SYNC_FILL;

  /** `embedder` replaces the configured one (tests count its calls); `hnswThreshold` too (tests, benchmarks). */
  constructor(opts: { runtime: Runtime; embedder?: Embedder; hnswThreshold?: number; backgroundDense?: boolean; watchFolders?: boolean }) {
    this.runtime = opts.runtime;
    this.embedderInst = opts.embedder;
    this.hnswThreshold = opts.hnswThreshold ?? HNSW_THRESHOLD;
    this.backgroundDense = opts.backgroundDense ?? opts.runtime.host !== "cli";
    this.watchFolders = opts.watchFolders ?? opts.runtime.host !== "cli";
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
  /** How many chunk vectors the dense fill has embedded in this process (tests, benchmarks). */
  embeddedTotal = 0;
  private snapshot?: ScanSnapshot;
  private lastReport?: IndexReport;
  /**
   * Whether opening a saved index checks chunks.jsonl against the manifest's sha256 (one read and
   * hash of the file: 43-62 ms for 35 MB, 27k chunks, on 2 loaded cores). Long-lived hosts (kernel, gateway) always do; a
   * fresh CLI process reads only the records it cites (each checked for shape and line range) and
   * checks the whole file once a record turned out bad.
   */
  private verifyChunks?: boolean;

  /** Dense vectors present, of all chunks. */
  private denseState(L: Loaded): DenseState {
    const total = L.chunks.length;
    const ready = L.have ? countReady(L.have) : L.manifest.dense.ready;
    return { ready, total, ...(this.fill?.loaded === L ? { filling: true } : {}) };
  }

  /** Waits for a background fill to stop (its vectors so far are saved). */
  private async stopFill(): Promise<void> {
    const f = this.fill;
    if (!f) return;
    f.ac.abort();
    await f.done;
  }

  /** Saves vectors and the manifest's ready count (a fill's checkpoint); false when the state dir is read-only. */
  private saveVectors(L: Loaded): boolean {
    if (!L.vectors || !L.have) return true;
    // never a new checksum over rows nobody checked against the old one
    this.verifyVectors(L);
    L.manifest.dense = { ready: countReady(L.have) };
    const big = L.chunks.length > this.hnswThreshold && L.manifest.dense.ready === L.chunks.length;
    if (big) this.ensureSearch(L).buildHnsw();
    try {
      writeIndex(this.indexDir, L.manifest, L.vectors, big ? { hnsw: (tmp) => L.dense!.saveHnsw(tmp) } : {});
      return true;
    } catch (e) {
      const w = `the index's vectors could not be saved to ${this.indexDir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); they live in memory for this process only`;
      if (!this.warnings.includes(w)) this.warnings.push(w);
      this.runtime.emit({ type: "rag.warning", message: w });
      return false;
    }
  }

  private ensureSearch(L: Loaded): VectorSearch {
    // the int8 copy pays off over many queries; a fresh process answering one scans the f32 rows
    return (L.dense ??= new VectorSearch(L.manifest.dims, L.vectors!, undefined, { int8: this.backgroundDense }));
  }

  /**
   * Vectors read unchecked are checked (the file against the manifest's checksum) before they
   * are saved or carried into a new index: damaged ones are dropped, to be embedded again,
   * with a warning, so a one-query process never writes a valid checksum over damaged rows.
   */
  private verifyVectors(L: Loaded): void {
    if (!L.unverified) return;
    L.unverified = false;
    try {
      readVectors(this.indexDir, L.manifest, true);
    } catch (e) {
      if (!(e instanceof CorruptIndexError)) throw e;
      this.dropVectors(L, e);
    }
  }

  /** Damaged vectors: zeros to embed again, with a warning. */
  private dropVectors(L: Loaded, e: CorruptIndexError): void {
    const w = `the index's vectors were corrupt and are embedded again: ${e.message}`;
    this.warnings.push(w);
    this.runtime.emit({ type: "rag.warning", message: w });
    L.vectors = new Float32Array(L.chunks.length * L.manifest.dims);
    L.have = new Uint8Array(L.chunks.length);
    L.dense = undefined;
  }

  /** Ends what a replaced index held open (the int8 copy's file). */
  private release(L: Loaded | undefined): void {
    L?.disk?.close();
    if (L) L.disk = undefined;
  }

  /** Ends everything a replaced or closed index holds open (also its BM25 files). */
  private releaseAll(L: Loaded | undefined): void {
    this.release(L);
    L?.bm25?.close();
    L?.fileIndex?.files.close();
  }

  /**
   * Vectors for a dense or hybrid query: read on first need; a damaged file is replaced by zeros
   * to re-embed, with a warning. Complete vectors with no current int8 copy (an index from before
   * vectors.i8, or a write that stopped between the two files) are checked and get one, so the
   * next one-query process scans it.
   */
  private ensureVectors(L: Loaded): void {
    this.release(L);
    if (L.vectors) return;
    try {
      const q8 = wantsQ8(L.manifest) && !q8Current(this.indexDir, L.manifest);
      const verify = q8 || (this.verifyChunks ?? this.backgroundDense);
      L.vectors = readVectors(this.indexDir, L.manifest, verify);
      L.unverified = !verify;
      if (q8) {
        try {
          writeQ8(this.indexDir, L.manifest, L.vectors);
        } catch {
          /* read-only state dir: the next process reads vectors.f32 again */
        }
      }
    } catch (e) {
      if (!(e instanceof CorruptIndexError)) throw e;
      this.dropVectors(L, e);
      this.saveVectors(L);
    }
    if (!L.have) {
      L.have = new Uint8Array(L.chunks.length);
      for (let r = 0; r < L.have.length; r++) L.have[r] = hasVector(L.vectors!, L.manifest.dims, r) ? 1 : 0;
    }
    const complete = countReady(L.have) === L.chunks.length;
    const s = this.ensureSearch(L);
    if (complete && L.chunks.length > this.hnswThreshold && s.kind === "exact" && !s.loadHnsw(join(this.indexDir, HNSW_FILE))) {
      s.buildHnsw();
      try {
        writeHnsw(this.indexDir, (tmp) => s.saveHnsw(tmp));
      } catch {
        /* read-only state dir: the graph lives in memory */
      }
    }
  }

  /**
   * A fresh process's way in: the saved manifest, a stat of every folder and file it lists
   * (no readdir, no file reads), the chunk table as bytes and the saved BM25 arrays. Any
   * doubt (no index, another layout, a change, a damaged file) returns undefined and the
   * caller takes the scanning path, which reports and repairs.
   */
  private openFresh(question?: string): { loaded: Loaded; snapshot: ScanSnapshot } | undefined {
    const dir = this.indexDir;
    const ws = this.workspace;
    let m: Manifest | undefined;
    try {
      m = readManifest(dir);
    } catch {
      return undefined;
    }
    const rc = this.runtime.config.rag;
    if (!m || m.format !== 2 || !m.dirs || m.workspace !== ws || m.embedder !== this.embedder().id || m.textVersion !== TEXT_VERSION || m.chunkChars !== rc.chunkChars || m.overlapChars !== rc.overlapChars) return undefined;
    const base = ws.endsWith("/") ? ws : `${ws}/`;
    const files: ScanSnapshot["files"] = [];
    for (const source in m.files) {
      const r = m.files[source]!;
      files.push({ path: base + source, size: r.size, mtimeMs: r.mtimeMs, ctimeMs: r.ctimeMs, ino: r.ino });
    }
    const snapshot: ScanSnapshot = { dirs: m.dirs, files };
    // a one-query process that will need the question's vector: the model loads on another
    // thread while this one stats the workspace and reads the index
    if (question !== undefined && !this.backgroundDense && m.dense?.ready) this.embedAside(question);
    if (!snapshotFresh(snapshot) || !vectorsLookWhole(dir, m)) return undefined;
    let chunks: ChunkTable;
    try {
      chunks = readChunks(dir, m, this.verifyChunks ?? this.backgroundDense);
    } catch {
      return undefined;
    }
    return { loaded: { manifest: m, chunks, ...lexicalFor(dir, m, chunks, true, !this.backgroundDense) }, snapshot };
  }

  /** The question's vector being computed on another thread (embedAside), for the query that started it. */
  private aside?: { question: string; vector: Promise<Float32Array | undefined> };

  private embedAside(question: string): void {
    const e = this.embedder();
    if (e.embedAside) this.aside = { question, vector: e.embedAside(question).catch(() => undefined) };
  }

  private async refresh(opts: IndexOptions & { quiet?: boolean; needVectors?: boolean; question?: string }): Promise<IndexReport> {
    const t0 = performance.now();
    const ws = this.workspace;
    // (the manifest's file count once per index: Object.keys of 4,809 paths took ~10 ms of a cold CLI query)
    const fileCount = (L: Loaded) => (L.fileCount ??= Object.keys(L.manifest.files).length);
    const unchanged = (L: Loaded, base?: IndexReport): IndexReport => ({
      ...(base ?? { workspace: ws, indexDir: this.indexDir, embedder: L.manifest.embedder, dims: L.manifest.dims, files: fileCount(L), chunks: L.chunks.length, skipped: L.manifest.skipped, search: "exact" }),
      embeddedFiles: [],
      embeddedChunks: 0,
      newChunks: 0,
      reusedVectors: 0,
      unchangedFiles: fileCount(L),
      removedFiles: [],
      tookMs: Math.round(performance.now() - t0),
      chunksPerSec: 0,
    });
    // a query on an index this process already holds: stat calls decide whether anything changed
    if (opts.quiet && !opts.full && this.loaded && this.snapshot && this.loaded.manifest.workspace === ws && (await this.snapshotFresh(this.snapshot))) {
      this.warnings = [];
      return await this.afterLexical(this.loaded, unchanged(this.loaded, this.lastReport), opts, t0);
    }
    // a fresh process (the CLI, a skill) on a saved, current index: stat only, nothing scanned
    if (opts.quiet && !opts.full && !this.loaded && existsSync(ws)) {
      const open = this.openFresh(opts.needVectors ? opts.question : undefined);
      if (open) {
        this.warnings = [];
        this.loaded = open.loaded;
        this.snapshot = open.snapshot;
        return await this.afterLexical(open.loaded, (this.lastReport = unchanged(open.loaded)), opts, t0);
      }
    }
    this.scans++;
    if (!existsSync(ws) || !statSync(ws).isDirectory()) throw missingWorkspace(ws);
    await this.stopFill();
    this.warnings = [];
    const dir = this.indexDir;
    const embedder = this.embedder();
    let prev: Stored | undefined;
    let rebuilt: string | undefined;
    const corrupt = (e: CorruptIndexError) => {
      rebuilt = `the index was corrupt and has been rebuilt: ${e.message}`;
      this.warnings.push(rebuilt);
      this.runtime.emit({ type: "rag.warning", message: rebuilt });
      try {
        removeIndex(dir);
      } catch {
        /* read-only: the rebuilt index lives in memory (a warning follows when saving fails) */
      }
    };
    if (this.loaded && !opts.full) {
      try {
        this.ensureVectors(this.loaded);
        this.verifyVectors(this.loaded);
        prev = { manifest: this.loaded.manifest, chunks: this.loaded.chunks, vectors: this.loaded.vectors! };
      } catch (e) {
        if (!(e instanceof CorruptIndexError)) throw e;
        corrupt(e);
      }
    } else if (!opts.full) {
      try {
        prev = readIndex(dir);
      } catch (e) {
        if (!(e instanceof CorruptIndexError)) throw e;
        corrupt(e);
      }
    }
    if (prev && prev.manifest.embedder !== embedder.id && !opts.full) throw embedderMismatch(dir, prev.manifest.embedder, embedder.id);
    let out;
    try {
      out = await updateLexical(
        { workspace: ws, indexDir: dir, exclude: [this.runtime.config.stateDir], chunkChars: this.runtime.config.rag.chunkChars, overlapChars: this.runtime.config.rag.overlapChars, embedder, progress: (p) => this.progress(p, opts), signal: opts.signal },
        prev,
      );
    } catch (e) {
      if (opts.signal?.aborted) throw new AbortedError("indexing stopped; the previous index is unchanged");
      throw e;
    }
    let L: Loaded;
    if (out.changed || !this.loaded) {
      L = { manifest: out.manifest, chunks: out.chunks, vectors: out.vectors, have: out.have, bm25: undefined as unknown as Bm25 };
      if (out.changed) {
        L.manifest.dense = { ready: countReady(out.have) };
        try {
          writeIndex(dir, L.manifest, out.vectors, { chunks: out.chunks, lexical: () => Object.assign(L, lexicalFor(dir, L.manifest, L.chunks, true)) });
        } catch (e) {
          // a read-only state dir (sandboxed skill run) still answers from memory
          const w = `the index could not be saved to ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); it lives in memory for this process only`;
          this.warnings.push(w);
          this.runtime.emit({ type: "rag.warning", message: w });
        }
      }
      if (!L.bm25) Object.assign(L, lexicalFor(dir, L.manifest, L.chunks, false));
      if (this.loaded !== L) this.releaseAll(this.loaded);
      this.loaded = L;
    } else L = this.loaded;
    // queryable from here: chunks, BM25 and manifest saved (or in memory)
    const lexicalMs = performance.now() - t0;
    this.snapshot = out.snapshot;
    const report: IndexReport = (this.lastReport = {
      ...out.report,
      search: "exact",
      ...(rebuilt ? { rebuilt } : {}),
      lexicalMs: Math.round(lexicalMs),
      tookMs: 0,
      chunksPerSec: 0,
    });
    return await this.afterLexical(L, report, { ...opts, changed: out.changed }, t0);
  }

  /** The held snapshot unchanged? A long-lived host keeps folder watches and stats only after an event (watch.ts); a fresh process stats everything once. */
  private async snapshotFresh(snap: ScanSnapshot): Promise<boolean> {
    if (!this.watchFolders) return snapshotFresh(snap);
    if (this.watch?.snapshot !== snap) {
      this.watch?.close();
      this.watch = new FreshnessWatch(snap);
    }
    return await this.watch.fresh();
  }

  /** How the held index is checked for changes (status, tests). */
  get freshness(): { watching: boolean; reason?: string; statPasses: number } | undefined {
    return this.watch && { watching: this.watch.watching, ...(this.watch.reason ? { reason: this.watch.reason } : {}), statPasses: this.watch.passes };
  }

  /** Progress to the runtime's listeners: a query's refresh stays silent unless it embeds (a display flashing on every query would be noise). */
  private progress(p: RagProgress, opts: IndexOptions & { quiet?: boolean }, force = false): void {
    if (opts.quiet && !force) return;
    this.runtime.emit({ type: "rag.progress", ...p });
    opts.onProgress?.(p);
  }

  /**
   * The dense part after the lexical index is current: `rag index` embeds what is missing
   * (progress, Stop saves what is done); a query embeds a small remainder itself when it
   * needs vectors, and otherwise leaves the rest to the background fill (kernel, gateway)
   * or to `rag index` (CLI).
   */
  private async afterLexical(L: Loaded, report: IndexReport, opts: IndexOptions & { quiet?: boolean; needVectors?: boolean; changed?: boolean }, t0: number): Promise<IndexReport> {
    const wantDense = !opts.lexicalOnly && (!opts.quiet || opts.needVectors);
    // a one-query process on complete vectors scans their int8 copy on disk (vectors.i8) and reads only the rows it scores
    const onDisk = wantDense && opts.quiet && !this.backgroundDense && !L.vectors && wantsQ8(L.manifest) && !!(L.disk ??= DiskVectors.open(this.indexDir, L.manifest));
    if (!onDisk && (wantDense || (opts.quiet && this.backgroundDense))) this.ensureVectors(L);
    let state = this.denseState(L);
    const missing = state.total - state.ready;
    const wrote = (embedded: number) => {
      if (!opts.quiet || embedded) this.progress({ done: L.chunks.length, total: L.chunks.length, phase: "write" }, opts, embedded > 0);
    };
    if (missing && this.fill?.loaded !== L && wantDense && (!opts.quiet || missing <= this.syncFill)) {
      let embedded = 0;
      let stopped = false;
      try {
        const r = await fillDense({ chunks: L.chunks, vectors: L.vectors!, have: L.have!, dims: L.manifest.dims }, this.embedder(), {
          progress: (p) => this.progress(p, opts, true),
          signal: opts.signal,
          checkpoint: () => this.saveVectors(L),
        });
        embedded = r.embedded;
        stopped = r.stopped;
      } finally {
        this.embeddedTotal += embedded;
      }
      wrote(embedded);
      const saved = this.saveVectors(L);
      if (stopped) {
        throw new AbortedError(
          `indexing stopped after ${embedded} of ${missing} new chunks; ${saved ? "the lexical index is complete and saved (queries use it now), and the next `rag index` resumes the vectors from there" : "nothing was saved"}`,
        );
      }
      report.embeddedChunks = embedded;
      state = this.denseState(L);
    } else {
      if (opts.changed) wrote(0);
      if (missing && opts.quiet && this.backgroundDense && !opts.lexicalOnly) this.startFill(L);
      state = this.denseState(L);
    }
    const tookMs = performance.now() - t0;
    if (opts.changed || !opts.quiet || report.embeddedChunks) this.progress({ done: L.chunks.length, total: L.chunks.length, phase: "done" }, opts, !!report.embeddedChunks);
    return Object.assign(report, {
      search: L.dense?.kind ?? (L.chunks.length > this.hnswThreshold && state.ready === state.total ? "hnsw" : "exact"),
      dense: state,
      tookMs: Math.round(tookMs),
      // chunks indexed per second: embedded ones when there were any, else the ones chunked
      chunksPerSec: Math.round((Math.max(report.embeddedChunks, report.newChunks ?? 0) / tookMs) * 1000),
    });
  }

  /** Fills missing vectors behind the lexical index, on the embedder's workers; progress and warnings go to the runtime's listeners. */
  private startFill(L: Loaded): void {
    if (this.fill || !L.vectors || !L.have) return;
    const ac = new AbortController();
    const f = { ac, loaded: L, done: Promise.resolve() };
    this.fill = f;
    f.done = (async () => {
      try {
        await new Promise<void>((r) => setImmediate(r));
        const r = await fillDense({ chunks: L.chunks, vectors: L.vectors!, have: L.have!, dims: L.manifest.dims }, this.embedder(), {
          progress: (p) => this.runtime.emit({ type: "rag.progress", ...p }),
          signal: ac.signal,
          checkpoint: () => this.saveVectors(L),
        });
        this.embeddedTotal += r.embedded;
        if (r.embedded) this.saveVectors(L);
        if (!r.stopped) this.runtime.emit({ type: "rag.progress", done: L.chunks.length, total: L.chunks.length, phase: "done" });
      } catch (e) {
        this.runtime.emit({ type: "rag.warning", message: `filling the index's vectors failed: ${(e as Error).message}; queries rank lexically until \`rag index\` succeeds` });
      } finally {
        if (this.fill === f) this.fill = undefined;
      }
    })();
  }

  /** Resolves when no dense fill is running (tests, benchmarks). */
  async settled(): Promise<void> {
    while (this.fill) await this.fill.done;
  }

  async query(q: string, opts: QueryOptions = {}): Promise<RagResult> {
    try {
      try {
        return await this.runQuery(q, opts);
      } catch (e) {
        // a record read for this answer was damaged: never answer from that table; the next open
        // checks the whole file, and the scan that follows rebuilds the index with a warning
        if (!(e instanceof CorruptIndexError) || opts.signal?.aborted) throw e;
        await this.serial(async () => {
          await this.stopFill();
          this.releaseAll(this.loaded);
          this.loaded = undefined;
          this.snapshot = undefined;
          this.verifyChunks = true;
        });
        return await this.runQuery(q, opts);
      }
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
    await this.serial(() => this.refresh({ signal: opts.signal, quiet: true, needVectors: mode !== "lexical", question: query }));
    const aside = this.aside;
    this.aside = undefined;
    const idx = this.loaded!;
    const n = idx.chunks.length;
    const pool = Math.min(n, Math.max(topk * 4, 50));
    const lex = idx.bm25.scores(query);
    const denseState = mode === "lexical" ? undefined : this.denseState(idx);
    const partial = !!denseState && denseState.ready < denseState.total;
    // hybrid with vectors missing ranks by BM25 alone (a fused score over some rows' cosines would favour or bury them by chance)
    const useDense = mode === "dense" || (mode === "hybrid" && !partial);
    let qv: Float32Array | undefined;
    const cands = new Map<number, Candidate>();
    const dims = idx.manifest.dims;
    const cosine = (row: number) => (idx.disk ? idx.disk.cosine(row, qv!) : dot(idx.vectors!, row * dims, qv!));
    if (useDense) {
      opts.signal?.throwIfAborted();
      // (the thread's vector when it came; else, or when it failed, embedded here)
      qv = aside?.question === query ? await untilAborted(aside.vector, opts.signal) : undefined;
      opts.signal?.throwIfAborted();
      qv ??= (await this.embedder().embed([query], opts.signal))[0];
      const hits = idx.disk ? idx.disk.search(qv!, pool) : this.ensureSearch(idx).search(qv!, pool, { version: denseState?.ready ?? 0 });
      for (const d of hits) if (idx.disk || idx.have![d.row]) cands.set(d.row, { row: d.row, cosine: d.score, bm25: lex.scores.get(d.row) ?? 0 });
    }
    if (mode !== "dense") {
      for (const [row, bm25] of topScores(lex.scores, pool)) if (!cands.has(row)) cands.set(row, { row, bm25, cosine: qv ? cosine(row) : 0 });
    }
    let ranked: Array<Candidate & { score: number }>;
    const all = [...cands.values()];
    if (mode === "dense") ranked = all.map((c) => ({ ...c, score: c.cosine })).sort((a, b) => b.score - a.score || a.row - b.row);
    else if (!useDense) ranked = all.map((c) => ({ ...c, score: lex.best ? Math.min(1, c.bm25 / lex.best) : 0 })).sort((a, b) => b.score - a.score || a.row - b.row);
    else {
      if (this.fusion.file > 0) {
        idx.fileIndex ??= (() => {
          const ft = fileTexts(idx.chunks);
          return { files: new Bm25(ft.texts), fileOf: ft.fileOf };
        })();
        const fi = idx.fileIndex;
        const fileScores = fi.files.scores(query).scores;
        for (const c of all) c.fileBm25 = fileScores.get(fi.fileOf[c.row]!) ?? 0;
      }
      ranked = fuseScores(all, this.fusion);
    }
    ranked = diversify(ranked, topk, (row) => idx.chunks.get(row), this.perFile);
    const round = (x: number) => Math.round(x * 10000) / 10000;
    const results: RagHit[] = ranked.map(({ row, score, bm25, cosine: cos }) => {
      const c = idx.chunks.get(row);
      const hit: RagHit = { text: c.text, score: round(Math.min(1, Math.max(0, score))), source: c.source, lines: [c.lines[0], c.lines[1]], chunkId: c.id };
      if (qv) hit.denseScore = round(cos);
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
    const warnings = [...this.warnings];
    if (partial) {
      result.dense = denseState;
      warnings.push(
        `dense vectors cover ${denseState.ready} of ${denseState.total} passages so far: ${mode === "hybrid" ? "ranked by BM25 alone" : "only passages with a vector were searched"} (${denseState.filling ? "the rest are being embedded in the background" : "run `rag index` to embed the rest"})`,
      );
    }
    if (warnings.length) result.warnings = warnings;
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
    const base: RagStatus = { workspace: this.workspace, indexDir: dir, exists: false, fresh: false, embedder: null, configuredEmbedder: configured, files: 0, chunks: 0, dense: { ready: 0, total: 0 }, search: null, updatedAt: null, changedFiles: [], newFiles: [], removedFiles: [] };
    let m: Manifest | undefined;
    let dense: DenseState;
    if (this.loaded) {
      m = this.loaded.manifest;
      dense = this.denseState(this.loaded);
    } else {
      try {
        m = readManifest(dir);
        if (m) {
          readChunks(dir, m);
          if (!vectorsLookWhole(dir, m)) throw new CorruptIndexError(`${join(dir, VECTORS)} is missing or does not have the size the manifest expects`);
        }
      } catch (e) {
        return { ...base, exists: true, problem: `corrupt index: ${(e as Error).message}` };
      }
      dense = m ? { ready: m.dense.ready, total: m.chunkCount } : base.dense;
    }
    if (!m) return base;
    const st: RagStatus = { ...base, exists: true, embedder: m.embedder, files: Object.keys(m.files).length, chunks: m.chunkCount, dense, search: m.chunkCount > this.hnswThreshold && dense.ready === dense.total ? "hnsw" : "exact", updatedAt: m.updatedAt };
    if (!existsSync(this.workspace)) return { ...st, problem: `workspace ${this.workspace} does not exist` };
    const { files } = scanWorkspace(this.workspace, [this.runtime.config.stateDir]);
    const seen = new Set<string>();
    for (const f of files) {
      seen.add(f.source);
      const rec = m.files[f.source];
      if (!rec) {
        if (!m.skipped.some((s) => s.source === f.source)) st.newFiles.push(f.source);
      } else if (!stampMatches(rec, f.stat)) st.changedFiles.push(f.source);
    }
    st.removedFiles = Object.keys(m.files).filter((s) => !seen.has(s));
    st.fresh = !st.newFiles.length && !st.changedFiles.length && !st.removedFiles.length;
    if (m.embedder !== configured) st.problem = `built with ${m.embedder}, config uses ${configured}: re-index with \`rag index --full\``;
    return st;
  }

  async close(): Promise<void> {
    this.releaseAll(this.loaded);
    this.watch?.close();
    this.watch = undefined;
    await this.stopFill();
    await this.embedderInst?.close?.();
  }
}

/** `p`, or an AbortedError as soon as `signal` aborts (the thread it waits on ends on its own: use-lite.ts OrtThread). */
function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new AbortedError("query stopped"));
    if (signal.aborted) return stop();
    signal.addEventListener("abort", stop, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}

/** The `k` highest scores, best first (ties by row), without sorting every row that matched a common word. */
export function topScores(scores: Map<number, number>, k: number): Array<[number, number]> {
  const better = (a: [number, number], b: [number, number]) => a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]);
  const heap: Array<[number, number]> = []; // min-heap on "better": heap[0] is the worst kept
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!better(heap[p]!, heap[i]!)) break;
      [heap[p], heap[i]] = [heap[i]!, heap[p]!];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < heap.length && better(heap[w]!, heap[l]!)) w = l;
      if (r < heap.length && better(heap[w]!, heap[r]!)) w = r;
      if (w === i) break;
      [heap[w], heap[i]] = [heap[i]!, heap[w]!];
      i = w;
    }
  };
  if (k <= 0) return [];
  for (const e of scores) {
    if (heap.length < k) {
      heap.push(e);
      up(heap.length - 1);
    } else if (better(e, heap[0]!)) {
      heap[0] = e;
      down(0);
    }
  }
  return heap.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}
