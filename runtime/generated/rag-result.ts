/* eslint-disable */
// GENERATED from schemas/rag-result.schema.json by scripts/gen-types.mjs (json-schema-to-typescript). Do not edit:
// change the schema, then run `npm run gen:types`; tests/types/generated.test.ts fails while this file is stale.

/**
 * What `rag query --json` and the bundled local-rag skill print: the seed's shape {query, results[{text, score, source}], summary}, plus line ranges and ranking details. Extra fields are allowed so older readers keep working.
 */
export interface RagResultJson {
  query: string;
  results: {
    /**
     * The passage, as it appears in the source file.
     */
    text: string;
    /**
     * Ranking score in [0, 1]: cosine (dense), BM25 over its best (lexical) or fused reciprocal rank (hybrid).
     */
    score: number;
    /**
     * Workspace-relative path of the cited file.
     */
    source: string;
    /**
     * 1-based inclusive line range of the passage in its file.
     *
     * @minItems 2
     * @maxItems 2
     */
    lines?: [number, number];
    chunkId?: string;
    denseScore?: number;
    lexicalScore?: number;
    [k: string]: unknown;
  }[];
  /**
   * Extractive, deterministic summary of the top passages with their citations.
   */
  summary: string;
  /**
   * False when nothing in the workspace is relevant enough to answer from: the passages are the closest matches and the summary says nothing was found. Absent in results from older versions (read absent as true).
   */
  found?: boolean;
  /**
   * What `found` was decided on: the best passage's share of the query's BM25 evidence (lexical) and its cosine with the query (dense, absent in lexical mode).
   */
  evidence?: {
    lexical: number;
    dense?: number;
    [k: string]: unknown;
  };
  mode?: "hybrid" | "dense" | "lexical";
  /**
   * The embedder the index was built with, e.g. use-lite@0.2.0.
   */
  embedder?: string;
  tookMs?: number;
  warnings?: string[];
  [k: string]: unknown;
}
