/**
 * RAG types: the result shape the seed's local-rag skill prints (schemas/rag-result.schema.json)
 * and the on-disk index's manifest.
 */
export type RagMode = "hybrid" | "dense" | "lexical";

/** One retrieved passage with its citation. */
export interface RagHit {
  text: string;
  /** The ranking score in [0, 1]: cosine for dense, normalized BM25 for lexical, fused for hybrid. */
  score: number;
  /** Workspace-relative path, "/" separated. */
  source: string;
  /** 1-based inclusive line range of the passage in its file. */
  lines: [number, number];
  chunkId?: string;
  denseScore?: number;
  lexicalScore?: number;
}

export interface RagResult {
  query: string;
  results: RagHit[];
  /** Extractive and deterministic: built from the hits, no model involved. */
  summary: string;
  /**
   * False when nothing in the workspace looks relevant enough to answer from (the passages
   * are still listed, but the summary says so instead of summarizing them).
   */
  found?: boolean;
  /** What `found` was decided on: the best passage's share of the query's BM25 evidence, and its cosine. */
  evidence?: { lexical: number; dense?: number };
  mode: RagMode;
  /** The embedder id the index was built with, e.g. "use-lite@0.2.0". */
  embedder: string;
  tookMs: number;
}

export interface RagProgress {
  done: number;
  total: number;
  file?: string;
  phase: string;
}

export interface IndexOptions {
  signal?: AbortSignal;
  onProgress?: (p: RagProgress) => void;
  /** Re-embed everything, ignoring what the index already has. */
  full?: boolean;
}

export interface QueryOptions {
  topk?: number;
  mode?: RagMode;
  signal?: AbortSignal;
}

/** A file the loader skipped, and why. */
export interface Skipped {
  source: string;
  reason: string;
}

export interface IndexReport {
  workspace: string;
  indexDir: string;
  embedder: string;
  dims: number;
  files: number;
  chunks: number;
  /** Files (re-)embedded this run. */
  embeddedFiles: string[];
  embeddedChunks: number;
  unchangedFiles: number;
  removedFiles: string[];
  skipped: Skipped[];
  /** "exact" below the HNSW threshold, "hnsw" above it. */
  search: "exact" | "hnsw";
  /** Set when a corrupt or mismatched index was discarded and rebuilt. */
  rebuilt?: string;
  tookMs: number;
  chunksPerSec: number;
}

/** One chunk in the manifest's chunk table; its vector is row `row` of vectors.f32. */
export interface ChunkRecord {
  id: string;
  source: string;
  lines: [number, number];
  text: string;
  /** Heading path the chunk sits under, e.g. "Onboarding > First 30 days"; starts with the document's title. */
  heading?: string;
  /** Matched and embedded with the text but outside its lines (a table's header row). */
  context?: string;
}

export interface FileRecord {
  sha256: string;
  size: number;
  mtimeMs: number;
  /** Indices into the chunk table. */
  chunks: number;
}

export interface Manifest {
  format: 1;
  /** How chunk texts were prepared for embedding (indexer TEXT_VERSION); a change re-embeds. */
  textVersion?: number;
  workspace: string;
  embedder: string;
  dims: number;
  chunkChars: number;
  overlapChars: number;
  createdAt: string;
  updatedAt: string;
  files: Record<string, FileRecord>;
  chunks: ChunkRecord[];
  skipped: Skipped[];
  /** Hex sha256 of vectors.f32, so a truncated or swapped file is caught. */
  vectorsSha256: string;
}
