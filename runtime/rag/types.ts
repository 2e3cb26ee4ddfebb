/**
 * RAG types: the result shape the seed's local-rag skill prints (schemas/rag-result.schema.json,
 * generated into runtime/generated/rag-result.ts) and the on-disk index's manifest.
 */
import type { RagProgressEvent } from "../generated/gateway-event.js";
import type { RagResultJson } from "../generated/rag-result.js";

export type RagMode = NonNullable<RagResultJson["mode"]>;

type RagResultItem = RagResultJson["results"][number];

/** One retrieved passage with its citation; this runtime always gives its line range. */
export interface RagHit extends RagResultItem {
  /** 1-based inclusive line range of the passage in its file. */
  lines: [number, number];
}

/** What a query returns: the schema's shape with the fields this runtime always fills. */
export interface RagResult extends RagResultJson {
  results: RagHit[];
  mode: RagMode;
  /** The embedder id the index was built with, e.g. "use-lite@0.2.0". */
  embedder: string;
  tookMs: number;
  /** Present while some chunks have no dense vector yet: the ranking then used BM25 alone (hybrid) or only the chunks that have one (dense). */
  dense?: DenseState;
}

/** What indexing reports as it goes: the rag.progress event without its envelope. */
export type RagProgress = Omit<RagProgressEvent, "type" | "ts" | "turnId">;

export interface IndexOptions {
  signal?: AbortSignal;
  onProgress?: (p: RagProgress) => void;
  /** Re-embed everything, ignoring what the index already has. */
  full?: boolean;
  /**
   * Build and save the lexical index only and return: the dense vectors are left for a later
   * `rag index` (or, in the kernel and gateway, filled in the background). Queries meanwhile
   * rank lexically and say how many vectors are ready.
   */
  lexicalOnly?: boolean;
}

/** How many chunks have a dense vector; until ready == total, hybrid queries rank lexically. */
export interface DenseState {
  ready: number;
  total: number;
  /** True while vectors are being filled in behind the lexical index (kernel, gateway). */
  filling?: boolean;
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
  /** Files (re-)read and chunked this run. */
  embeddedFiles: string[];
  /** Vectors computed by the embedder this run. */
  embeddedChunks: number;
  /** Chunks (re)made from changed files this run. */
  newChunks?: number;
  /** Vectors of new chunks taken from the previous index by their text's hash (no embedding). */
  reusedVectors?: number;
  /** Dense vectors present after this run. */
  dense?: DenseState;
  /** Milliseconds until the lexical index (chunks, BM25, manifest) was saved and queryable, of tookMs. */
  lexicalMs?: number;
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
  /** Hash of the text the embedder sees: a vector is reused for the same text (vector cache). */
  ek?: string;
}

export interface FileRecord {
  sha256: string;
  size: number;
  mtimeMs: number;
  /** Recorded with size and mtime from the same stat (absent in an index written before): see loaders.ts stampMatches. */
  ctimeMs?: number;
  ino?: number;
  /** Indices into the chunk table. */
  chunks: number;
}

/** manifest.json; format 1 (older) also held the chunk table, format 2 keeps it in chunks.jsonl. */
export interface Manifest {
  format: 1 | 2;
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
  chunkCount: number;
  /** Byte length and sha256 of chunks.jsonl. */
  chunksBytes?: number;
  chunksSha256?: string;
  skipped: Skipped[];
  /** Hex sha256 of vectors.f32, so a truncated or swapped file is caught. */
  vectorsSha256: string;
  /** Rows of vectors.f32 that hold a vector (the rest are zeros, to be filled). */
  dense: { ready: number };
  /** Every folder the last scan walked, with its mtime: with files' size+mtime, what a fresh process's stat-only freshness check compares. */
  dirs?: Array<{ path: string; mtimeMs: number; ctimeMs?: number }>;
}
