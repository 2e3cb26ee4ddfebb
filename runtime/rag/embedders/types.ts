/** One interface for every embedding model; the id is recorded in the index manifest. */
export interface Embedder {
  /** Stable id naming model and version, e.g. "use-lite@0.2.0"; known before the model loads. */
  readonly id: string;
  /** Vector size; known before load for models that declare it, else after the first embed. */
  dims(): Promise<number>;
  /** Unit-length vectors, one per text. */
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  close?(): Promise<void>;
  /** Told how many texts an indexing run is about to embed (a pool is worth starting only for many). */
  prepare?(total: number): void;
  /** Told the indexing run is over: worker threads (a model each) can go; a query embeds on the calling thread. */
  idle?(): Promise<void>;
  /**
   * The vector of one text, computed on a thread of its own, so a process that must also read
   * its index (a fresh CLI answering one query) loads the model meanwhile. The same vector as
   * embed([text]) gives; rejects when the thread cannot run (the caller then embeds in place).
   */
  embedAside?(text: string): Promise<Float32Array>;
}
