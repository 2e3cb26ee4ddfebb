/**
 * Incremental indexing: scan the workspace, re-chunk and re-embed only files whose
 * content changed (size+mtime fast path, then sha256), drop deleted files, and write
 * a new manifest + vectors. Unchanged files keep their vectors byte for byte.
 */
import { readFileSync } from "node:fs";
import { chunkText } from "./chunk.js";
import type { Embedder } from "./embedders/index.js";
import { emptyWorkspace } from "./errors.js";
import { loadDocument, scanWorkspace, snapshotOf, type ScanSnapshot } from "./loaders.js";
import { sha256, type Stored } from "./store.js";
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

export interface IndexOutcome {
  report: Omit<IndexReport, "tookMs" | "chunksPerSec" | "search">;
  manifest: Manifest;
  vectors: Float32Array;
  /** False when nothing changed: the stored index is already current. */
  changed: boolean;
  /** What the scan saw, for the next query's stat-only freshness check. */
  snapshot: ScanSnapshot;
  /**
   * Set when the signal stopped embedding part way: the outcome holds every file embedded
   * so far (and the previous vectors of changed files not reached), so saving it lets the
   * next run resume instead of starting over.
   */
  stopped?: { embeddedChunks: number; totalChunks: number };
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

const EMBED_BATCH = 64;
/** On this thread (no worker pool), one embedding call should block about this long at most, so Stop lands within a second. */
const EMBED_TARGET_MS = 250;
/** Bumped whenever chunking or embedText changes, so old vectors are not mixed with new ones. */
export const TEXT_VERSION = 5;

export async function updateIndex(inp: IndexInputs, prev: Stored | undefined): Promise<IndexOutcome> {
  const { workspace, embedder, signal } = inp;
  const scan = scanWorkspace(workspace, inp.exclude);
  const skipped: Skipped[] = [...scan.skipped];
  inp.progress({ done: 0, total: scan.files.length, phase: "scan" });
  const m = prev?.manifest;
  const reuse = m && m.embedder === embedder.id && m.chunkChars === inp.chunkChars && m.overlapChars === inp.overlapChars && m.textVersion === TEXT_VERSION ? prev : undefined;

  // rows of the previous index per source, to copy unchanged files' vectors
  const prevRows = new Map<string, number[]>();
  reuse?.manifest.chunks.forEach((c, row) => {
    let r = prevRows.get(c.source);
    if (!r) prevRows.set(c.source, (r = []));
    r.push(row);
  });

  type Plan = { source: string; rec: FileRecord; reuse?: number[]; chunks?: ChunkRecord[]; old?: FileRecord };
  const plans: Plan[] = [];
  let mtimeOnly = false;
  for (const f of scan.files) {
    signal?.throwIfAborted();
    const old = reuse?.manifest.files[f.source];
    // (a file whose passages all repeat other files' is on record with 0 chunks)
    if (old && old.size === f.stat.size && old.mtimeMs === f.stat.mtimeMs && (prevRows.has(f.source) || old.chunks === 0)) {
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
    const rec: FileRecord = { sha256: hash, size: f.stat.size, mtimeMs: f.stat.mtimeMs, chunks: 0 };
    if (old && old.sha256 === hash && prevRows.has(f.source)) {
      // touched but not changed: keep the vectors, remember the new mtime
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
    plans.push({ source: f.source, rec, chunks, ...(old && prevRows.has(f.source) ? { old } : {}) });
  }
  if (!plans.length) throw emptyWorkspace(workspace, skipped.length);

  // the same passage in two files (a licence, a copied notice) is indexed once, where it is met first
  const seenText = new Set<string>();
  const norm = (t: string) => t.replace(/\s+/g, " ").trim().toLowerCase();
  const anyNew = plans.some((p) => p.chunks);
  if (anyNew) for (const p of plans) if (p.reuse) for (const row of p.reuse) seenText.add(norm(reuse!.manifest.chunks[row]!.text));
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
  const toEmbed = plans.filter((p) => p.chunks?.length);
  const dedupedAway = plans.filter((p) => p.chunks && !p.chunks.length);
  const total = toEmbed.reduce((n, p) => n + p.chunks!.length, 0);
  const changed = !reuse || total > 0 || dedupedAway.length > 0 || removed.length > 0 || mtimeOnly || JSON.stringify(skipped) !== JSON.stringify(reuse.manifest.skipped);

  // embed in batches, reporting progress between them
  const fresh = new Map<string, Float32Array[]>();
  let done = 0;
  // texts of similar length share a batch, so little of it is padding
  const queue = toEmbed.flatMap((p) => p.chunks!.map((c, k) => ({ p, k, t: embedText(c) })));
  const order = queue.map((_, i) => i).sort((a, b) => queue[a]!.t.length - queue[b]!.t.length || a - b);
  for (const p of toEmbed) fresh.set(p.source, new Array(p.chunks!.length));
  embedder.prepare?.(order.length);
  // Worker threads (256+ texts) leave this thread free: full batches. On this thread a batch
  // blocks it, so batches are sized to take about EMBED_TARGET_MS.
  const pooled = order.length >= 256;
  let size = pooled ? EMBED_BATCH : 2;
  let stopped: IndexOutcome["stopped"];
  for (let i = 0; i < order.length; i += size) {
    // The embedder may resolve on microtasks only: yield a full turn so a Stop (a message from
    // the kernel's control thread), timers and I/O are seen between batches.
    await new Promise<void>((r) => setImmediate(r));
    // Stopped between batches: keep what is done (below) so the next run resumes.
    if (signal?.aborted) {
      stopped = { embeddedChunks: done, totalChunks: total };
      break;
    }
    const batch = order.slice(i, i + size).map((j) => queue[j]!);
    let vecs: Float32Array[];
    try {
      const t0 = performance.now();
      vecs = await untilAborted(embedder.embed(batch.map((b) => b.t), signal), signal);
      if (!pooled) {
        const next = Math.round((batch.length * EMBED_TARGET_MS) / Math.max(1, performance.now() - t0));
        size = Math.max(1, Math.min(EMBED_BATCH, next, size * 2));
        i -= size - batch.length; // the loop adds the new size; advance by what was embedded
      }
    } catch (e) {
      if (!signal?.aborted) throw e;
      stopped = { embeddedChunks: done, totalChunks: total };
      break;
    }
    batch.forEach((b, k) => (fresh.get(b.p.source)![b.k] = vecs[k]!));
    done += batch.length;
    inp.progress({ done, total, file: batch[batch.length - 1]!.p.source, phase: "embed" });
  }

  if (stopped) {
    // A file counts only once all its chunks are embedded; a changed file not reached keeps
    // its previous vectors and record (so it still reads as changed), a new one waits.
    const complete = (source: string, n: number) => {
      const a = fresh.get(source);
      if (!a || a.length !== n) return false;
      for (let k = 0; k < n; k++) if (!a[k]) return false; // holes: every() would skip them
      return true;
    };
    for (let i = plans.length - 1; i >= 0; i--) {
      const p = plans[i]!;
      if (!p.chunks || complete(p.source, p.chunks.length)) continue;
      fresh.delete(p.source);
      if (p.old) plans[i] = { source: p.source, rec: p.old, reuse: prevRows.get(p.source)! };
      else plans.splice(i, 1);
    }
    if (!plans.length || !fresh.size) signal!.throwIfAborted();
  }
  if (!changed && reuse) {
    // nothing new, nothing gone, nothing touched: the stored rows are the index as it stands
    return {
      manifest: reuse.manifest,
      vectors: reuse.vectors,
      changed,
      snapshot: snapshotOf(scan),
      report: { workspace, indexDir: inp.indexDir, embedder: embedder.id, dims: reuse.manifest.dims, files: plans.length, chunks: reuse.manifest.chunks.length, embeddedFiles: [], embeddedChunks: 0, unchangedFiles: plans.length, removedFiles: [], skipped },
    };
  }
  const dims = fresh.size ? fresh.values().next().value![0]!.length : reuse ? reuse.manifest.dims : await embedder.dims();
  const count = plans.reduce((n, p) => n + (p.reuse?.length ?? p.chunks!.length), 0);
  const vectors = new Float32Array(count * dims);
  const chunks: ChunkRecord[] = [];
  const files: Record<string, FileRecord> = {};
  for (const p of plans) {
    files[p.source] = p.rec;
    if (p.reuse) {
      for (const row of p.reuse) {
        vectors.set(reuse!.vectors.subarray(row * dims, (row + 1) * dims), chunks.length * dims);
        chunks.push(reuse!.manifest.chunks[row]!);
      }
    } else {
      const vecs = fresh.get(p.source)!;
      p.chunks!.forEach((c, k) => {
        vectors.set(vecs[k]!, chunks.length * dims);
        chunks.push(c);
      });
    }
  }
  const now = new Date().toISOString();
  const manifest: Manifest = {
    format: 1,
    textVersion: TEXT_VERSION,
    workspace,
    embedder: embedder.id,
    dims,
    chunkChars: inp.chunkChars,
    overlapChars: inp.overlapChars,
    createdAt: reuse?.manifest.createdAt ?? now,
    updatedAt: changed ? now : reuse!.manifest.updatedAt,
    files,
    chunks,
    skipped,
    vectorsSha256: reuse && !changed ? reuse.manifest.vectorsSha256 : "",
  };
  return {
    manifest,
    vectors,
    changed,
    snapshot: snapshotOf(scan),
    ...(stopped ? { stopped } : {}),
    report: {
      workspace,
      indexDir: inp.indexDir,
      embedder: embedder.id,
      dims,
      files: plans.length,
      chunks: chunks.length,
      embeddedFiles: toEmbed.map((p) => p.source),
      embeddedChunks: total,
      unchangedFiles: plans.length - toEmbed.length,
      removedFiles: removed,
      skipped,
    },
  };
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
