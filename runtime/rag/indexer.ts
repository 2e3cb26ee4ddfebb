/**
 * Incremental indexing in two phases: updateLexical (scan, re-chunk only changed files,
 * drop deleted ones; no embedding, so the index is queryable lexically at once) and
 * fillDense (embed the rows that have no vector yet, in batches, resumable). Unchanged
 * files keep their vectors byte for byte; a new chunk whose embedded text was seen before
 * takes that vector (content-hash vector cache).
 */
import { readFileSync } from "node:fs";
import { chunkText } from "./chunk.js";
import type { Embedder } from "./embedders/index.js";
import { emptyWorkspace } from "./errors.js";
import { loadDocument, scanWorkspace, snapshotOf, stampMatches, type ScanSnapshot } from "./loaders.js";
import { ChunkTable, sha256, type Stored } from "./store.js";
import type { ChunkRecord, FileRecord, IndexReport, Manifest, RagProgress, Skipped } from "./types.js";

export interface IndexInputs {
  workspace: string;
  indexDir: string;
  exclude: string[];
  chunkChars: number;
  overlapChars: number;
  embedder: Embedder;
  progress: (p: RagProgress) => void;
  signal?: AbortSignal;
}

/** The heading path (unless the text opens with that very heading), any context (a table's header row), then the text. */
function withHeading(c: { heading?: string; text: string; context?: string }): string {
  const last = c.heading?.split(" > ").at(-1);
  const first = c.text.split("\n", 1)[0]!.replace(/^#+\s*/, "").trim();
  const head = c.heading && !(c.text.startsWith("#") && first === last) ? `${c.heading}\n` : "";
  return `${head}${c.context ? c.context + "\n" : ""}${c.text}`;
}

/**
 * What the embedder sees: the heading path for context, and the prose without markup
 * noise. URLs, badge images and HTML tags carry no meaning a sentence encoder can use
 * and crowd out the words that do (a README's first chunk is often mostly badges).
 */
export function embedText(c: { heading?: string; text: string; context?: string }): string {
  const t = cleanForEmbedding(c);
  // USE-lite's cost grows with every token while its mean-pooled vector gains little past
  // the opening: the heading path and the first EMBED_CHARS carry the passage's topic
  return t.length > EMBED_CHARS ? t.slice(0, EMBED_CHARS).replace(/\s+\S*$/, "") : t;
}

/** Characters of a passage (after its heading path) that the dense model sees. */
export const EMBED_CHARS = 600;

function cleanForEmbedding(c: { heading?: string; text: string; context?: string }): string {
  return withHeading(c)
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1") // images -> alt text
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1") // links -> their text
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1") // reference links -> their text
    .replace(/^\s*\[[^\]]+\]:\s*\S+.*$/gm, "") // link definitions
    .replace(/<[^>]{1,400}>/g, " ") // HTML tags
    .replace(/\bhttps?:\/\/\S+/g, " ") // bare URLs
    .replace(/^ {0,3}(=+|-+)\s*$/gm, "") // setext underlines
    .replace(/^\s*(```|~~~).*$/gm, "") // code fences
    .replace(/[ \t]+/g, " ")
    .replace(/\n\s*\n+/g, "\n\n")
    .trim() || withHeading(c);
}

/** What BM25 sees: the raw text with the path's words ("demos/README.md" matches "demos"). */
export function lexicalText(c: ChunkRecord): string {
  return `${c.source.replace(/[/.]/g, " ")}\n${withHeading(c)}`;
}

/** Texts per embedding call with worker threads (split across them); see fillDense. */
const EMBED_BATCH = 64;
/** On this thread (no worker pool), one embedding call should block about this long at most, so Stop lands within a second. */
const EMBED_TARGET_MS = 250;
/**
 * Bumped whenever chunking or embedText changes, so old vectors are not mixed with new ones;
 * and when the default embedder's arithmetic does (6: USE-lite on onnxruntime with int8
 * weight matrices, vectors within cosine 0.997 of TF.js's float ones).
 */
export const TEXT_VERSION = 6;
/** The lexical phase yields to the event loop this often, so a Stop is seen while it chunks thousands of files. */
const YIELD_MS = 50;

/** The vector cache's key: a hash of exactly what the embedder sees. */
export function embedKey(c: { heading?: string; text: string; context?: string }): string {
  return sha256(embedText(c)).slice(0, 32);
}

/** Whether row `row` holds a vector (rows not embedded yet are all zeros; an embedding is unit length). */
export function hasVector(vectors: Float32Array, dims: number, row: number): boolean {
  for (let j = row * dims, end = j + dims; j < end; j++) if (vectors[j] !== 0) return true;
  return false;
}

export interface LexicalOutcome {
  report: Omit<IndexReport, "tookMs" | "chunksPerSec" | "search">;
  manifest: Manifest;
  chunks: ChunkTable;
  /** Row-major; rows of unchanged files and of texts met before keep their vectors, the rest are zeros. */
  vectors: Float32Array;
  /** 1 where a row has a vector. */
  have: Uint8Array;
  /** False when nothing changed: the stored index is already current. */
  changed: boolean;
  /** What the scan saw, for the next query's stat-only freshness check. */
  snapshot: ScanSnapshot;
}

/**
 * The lexical phase: scan the workspace, re-chunk only files whose content changed
 * (size+mtime+ctime+inode fast path, then sha256), drop deleted files, dedupe passages, and give each
 * new chunk the vector of the same text from the previous index where there is one (the
 * vector cache, keyed by a hash of what the embedder sees). Nothing is embedded here:
 * fillDense does that behind it, so the index is queryable lexically at once.
 */
export async function updateLexical(inp: IndexInputs, prev: Stored | undefined): Promise<LexicalOutcome> {
  const { workspace, signal } = inp;
  const embedderId = inp.embedder.id;
  const scan = scanWorkspace(workspace, inp.exclude);
  const skipped: Skipped[] = [...scan.skipped];
  inp.progress({ done: 0, total: scan.files.length, phase: "scan" });
  const m = prev?.manifest;
  const reuse = m && m.embedder === embedderId && m.chunkChars === inp.chunkChars && m.overlapChars === inp.overlapChars && m.textVersion === TEXT_VERSION ? prev : undefined;
  const dims0 = reuse?.manifest.dims;

  // rows of the previous index per source, to copy unchanged files' rows
  const prevRows = new Map<string, number[]>();
  if (reuse) {
    for (let row = 0; row < reuse.chunks.length; row++) {
      const c = reuse.chunks.get(row);
      let r = prevRows.get(c.source);
      if (!r) prevRows.set(c.source, (r = []));
      r.push(row);
    }
  }

  type Plan = { source: string; rec: FileRecord; reuse?: number[]; chunks?: ChunkRecord[] };
  const plans: Plan[] = [];
  let mtimeOnly = false;
  let lastYield = performance.now();
  for (const f of scan.files) {
    if (performance.now() - lastYield > YIELD_MS) {
      await new Promise<void>((r) => setImmediate(r));
      lastYield = performance.now();
    }
    signal?.throwIfAborted();
    const old = reuse?.manifest.files[f.source];
    // (a file whose passages all repeat other files' is on record with 0 chunks)
    if (old && stampMatches(old, f.stat) && (prevRows.has(f.source) || old.chunks === 0)) {
      plans.push({ source: f.source, rec: old, reuse: prevRows.get(f.source) ?? [] });
      continue;
    }
    let buf: Buffer;
    try {
      buf = readFileSync(f.path);
    } catch (e) {
      skipped.push({ source: f.source, reason: `unreadable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    const hash = sha256(buf);
    const rec: FileRecord = { sha256: hash, size: f.stat.size, mtimeMs: f.stat.mtimeMs, ctimeMs: f.stat.ctimeMs, ino: f.stat.ino, chunks: 0 };
    if (old && old.sha256 === hash && prevRows.has(f.source)) {
      // touched but not changed (or an older record without ctime): keep the rows, remember the new stat
      mtimeOnly = true;
      plans.push({ source: f.source, rec: { ...rec, chunks: old.chunks }, reuse: prevRows.get(f.source)! });
      continue;
    }
    let doc: ReturnType<typeof loadDocument>;
    try {
      doc = loadDocument(f, buf);
    } catch (e) {
      skipped.push({ source: f.source, reason: (e as Error).message });
      continue;
    }
    const fileLine = (n: number) => doc.lineMap?.[n - 1] ?? n;
    const title = f.source.replace(/\.[^./]+$/, "");
    const chunks = chunkText(doc.text, { chunkChars: inp.chunkChars, overlapChars: inp.overlapChars, markdown: doc.kind !== "text", title }).map(
      (c, i): ChunkRecord => ({ id: `${f.source}#${i}`, source: f.source, lines: [fileLine(c.lines[0]), fileLine(c.lines[1])], text: c.text, ...(c.heading ? { heading: c.heading } : {}), ...(c.context ? { context: c.context } : {}) }),
    );
    if (!chunks.length) {
      skipped.push({ source: f.source, reason: "no text" });
      continue;
    }
    rec.chunks = chunks.length;
    plans.push({ source: f.source, rec, chunks });
  }
  if (!plans.length) throw emptyWorkspace(workspace, skipped.length);

  // the same passage in two files (a licence, a copied notice) is indexed once, where it is met first
  const seenText = new Set<string>();
  const norm = (t: string) => t.replace(/\s+/g, " ").trim().toLowerCase();
  const anyNew = plans.some((p) => p.chunks);
  if (anyNew) for (const p of plans) if (p.reuse) for (const row of p.reuse) seenText.add(norm(reuse!.chunks.get(row).text));
  for (const p of plans) {
    if (!p.chunks) continue;
    p.chunks = p.chunks.filter((c) => {
      const k = norm(c.text);
      if (seenText.has(k)) return false;
      seenText.add(k);
      return true;
    });
    p.rec.chunks = p.chunks.length;
  }

  const removed = reuse ? Object.keys(reuse.manifest.files).filter((s) => !plans.some((p) => p.source === s)) : [];
  const rechunked = plans.filter((p) => p.chunks?.length);
  const dedupedAway = plans.filter((p) => p.chunks && !p.chunks.length);
  const newChunks = rechunked.reduce((n, p) => n + p.chunks!.length, 0);
  // (an index in the older layout is rewritten in the current one, its vectors kept)
  const changed = !reuse || reuse.manifest.format !== 2 || newChunks > 0 || dedupedAway.length > 0 || removed.length > 0 || mtimeOnly || JSON.stringify(skipped) !== JSON.stringify(reuse.manifest.skipped);
  if (!changed && reuse) {
    // nothing new, nothing gone, nothing touched: the stored rows are the index as it stands
    const have = new Uint8Array(reuse.chunks.length);
    for (let r = 0; r < have.length; r++) have[r] = hasVector(reuse.vectors, reuse.manifest.dims, r) ? 1 : 0;
    return {
      manifest: reuse.manifest,
      chunks: reuse.chunks,
      vectors: reuse.vectors,
      have,
      changed,
      snapshot: snapshotOf(scan),
      report: { workspace, indexDir: inp.indexDir, embedder: embedderId, dims: reuse.manifest.dims, files: plans.length, chunks: reuse.chunks.length, embeddedFiles: [], embeddedChunks: 0, newChunks: 0, reusedVectors: 0, unchangedFiles: plans.length, removedFiles: [], skipped },
    };
  }

  // the vector cache: every previous row that has a vector, by the hash of its embedded text
  const cache = new Map<string, number>();
  if (reuse && newChunks) {
    for (let row = 0; row < reuse.chunks.length; row++) {
      if (!hasVector(reuse.vectors, reuse.manifest.dims, row)) continue;
      const c = reuse.chunks.get(row);
      cache.set(c.ek ?? embedKey(c), row);
    }
  }
  const dims = dims0 ?? (await inp.embedder.dims());
  const count = plans.reduce((n, p) => n + (p.reuse?.length ?? p.chunks!.length), 0);
  const vectors = new Float32Array(count * dims);
  const have = new Uint8Array(count);
  const chunks: ChunkRecord[] = [];
  const files: Record<string, FileRecord> = {};
  let reusedVectors = 0;
  for (const p of plans) {
    files[p.source] = p.rec;
    if (p.reuse) {
      for (const row of p.reuse) {
        const c = reuse!.chunks.get(row);
        const at = chunks.length;
        vectors.set(reuse!.vectors.subarray(row * dims, (row + 1) * dims), at * dims);
        have[at] = hasVector(vectors, dims, at) ? 1 : 0;
        chunks.push(c.ek ? c : { ...c, ek: embedKey(c) });
      }
    } else {
      for (const c of p.chunks!) {
        const at = chunks.length;
        c.ek = embedKey(c);
        const from = cache.get(c.ek);
        if (from !== undefined) {
          vectors.set(reuse!.vectors.subarray(from * dims, (from + 1) * dims), at * dims);
          have[at] = 1;
          reusedVectors++;
        }
        chunks.push(c);
      }
    }
  }
  const now = new Date().toISOString();
  let ready = 0;
  for (const h of have) ready += h;
  const manifest: Manifest = {
    format: 2,
    textVersion: TEXT_VERSION,
    workspace,
    embedder: embedderId,
    dims,
    chunkChars: inp.chunkChars,
    overlapChars: inp.overlapChars,
    createdAt: reuse?.manifest.createdAt ?? now,
    updatedAt: now,
    files,
    chunkCount: chunks.length,
    skipped,
    vectorsSha256: "",
    dense: { ready },
    dirs: scan.dirs,
  };
  return {
    manifest,
    chunks: ChunkTable.of(chunks),
    vectors,
    have,
    changed,
    snapshot: snapshotOf(scan),
    report: {
      workspace,
      indexDir: inp.indexDir,
      embedder: embedderId,
      dims,
      files: plans.length,
      chunks: chunks.length,
      embeddedFiles: rechunked.map((p) => p.source),
      embeddedChunks: 0,
      newChunks,
      reusedVectors,
      unchangedFiles: plans.length - rechunked.length,
      removedFiles: removed,
      skipped,
    },
  };
}

export interface DenseTarget {
  chunks: ChunkTable;
  vectors: Float32Array;
  have: Uint8Array;
  dims: number;
}

/**
 * Embeds every row that has no vector yet, writing each batch's vectors into `t.vectors`
 * as it lands (a query meanwhile sees them). Texts of similar length share a batch, so
 * little of it is padding. Between batches: progress, `checkpoint` (the caller saves) and
 * the signal; a Stop keeps every vector done so far. Returns how many rows were embedded
 * and whether it was stopped.
 */
export async function fillDense(
  t: DenseTarget,
  embedder: Embedder,
  opts: { progress: (p: RagProgress) => void; signal?: AbortSignal; checkpoint?: () => void; checkpointMs?: number },
): Promise<{ embedded: number; total: number; stopped: boolean }> {
  const { signal } = opts;
  const rows: number[] = [];
  for (let r = 0; r < t.have.length; r++) if (!t.have[r]) rows.push(r);
  const total = rows.length;
  if (!total) return { embedded: 0, total, stopped: false };
  const texts = new Map<number, string>();
  for (const r of rows) texts.set(r, embedText(t.chunks.get(r)));
  rows.sort((a, b) => texts.get(a)!.length - texts.get(b)!.length || a - b);
  embedder.prepare?.(total);
  // Worker threads (256+ texts) leave this thread free: full batches. On this thread a batch
  // blocks it, so batches are sized to take about EMBED_TARGET_MS.
  const pooled = total >= 256;
  let size = pooled ? EMBED_BATCH : 2;
  let done = 0;
  let lastSave = performance.now();
  const every = opts.checkpointMs ?? 15_000;
  for (let i = 0; i < rows.length; ) {
    // The embedder may resolve on microtasks only: yield a full turn so a Stop (a message from
    // the kernel's control thread), timers and I/O are seen between batches.
    await new Promise<void>((r) => setImmediate(r));
    if (signal?.aborted) return { embedded: done, total, stopped: true };
    const batch = rows.slice(i, i + size);
    let vecs: Float32Array[];
    try {
      const t0 = performance.now();
      vecs = await untilAborted(
        embedder.embed(
          batch.map((r) => texts.get(r)!),
          signal,
        ),
        signal,
      );
      if (!pooled) size = Math.max(1, Math.min(EMBED_BATCH, Math.round((batch.length * EMBED_TARGET_MS) / Math.max(1, performance.now() - t0)), size * 2));
    } catch (e) {
      if (!signal?.aborted) throw e;
      return { embedded: done, total, stopped: true };
    }
    batch.forEach((r, k) => {
      t.vectors.set(vecs[k]!, r * t.dims);
      t.have[r] = 1;
    });
    i += batch.length;
    done += batch.length;
    opts.progress({ done, total, file: t.chunks.get(batch[batch.length - 1]!).source, phase: "embed" });
    if (opts.checkpoint && performance.now() - lastSave > every && i < rows.length) {
      opts.checkpoint();
      lastSave = performance.now();
    }
  }
  await embedder.idle?.();
  return { embedded: done, total, stopped: false };
}

/** The batch's result, or a rejection as soon as the signal aborts (a worker's batch is left to finish unobserved). */
function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
