/**
 * Incremental indexing: scan the workspace, re-chunk and re-embed only files whose
 * content changed (size+mtime fast path, then sha256), drop deleted files, and write
 * a new manifest + vectors. Unchanged files keep their vectors byte for byte.
 */
import { readFileSync } from "node:fs";
import { chunkText } from "./chunk.js";
import type { Embedder } from "./embedders/index.js";
import { emptyWorkspace } from "./errors.js";
import { loadDocument, scanWorkspace } from "./loaders.js";
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
  /**
   * Set when the signal stopped embedding part way: the outcome holds every file embedded
   * so far (and the previous vectors of changed files not reached), so saving it lets the
   * next run resume instead of starting over.
   */
  stopped?: { embeddedChunks: number; totalChunks: number };
}

function withHeading(c: { heading?: string; text: string }): string {
  return c.heading && !c.text.startsWith("#") ? `${c.heading}\n${c.text}` : c.text;
}

/**
 * What the embedder sees: the heading path for context, and the prose without markup
 * noise. URLs, badge images and HTML tags carry no meaning a sentence encoder can use
 * and crowd out the words that do (a README's first chunk is often mostly badges).
 */
export function embedText(c: { heading?: string; text: string }): string {
  return withHeading(c)
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1") // images -> alt text
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1") // links -> their text
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1") // reference links -> their text
    .replace(/^\s*\[[^\]]+\]:\s*\S+.*$/gm, "") // link definitions
    .replace(/<[^>]{1,400}>/g, " ") // HTML tags
    .replace(/\bhttps?:\/\/\S+/g, " ") // bare URLs
    .replace(/[ \t]+/g, " ")
    .replace(/\n\s*\n+/g, "\n\n")
    .trim() || withHeading(c);
}

/** What BM25 sees: the raw text with the path's words ("demos/README.md" matches "demos"). */
export function lexicalText(c: ChunkRecord): string {
  return `${c.source.replace(/[/.]/g, " ")}\n${withHeading(c)}`;
}

const EMBED_BATCH = 32;
/** How long one embedding call should block, at most about (Stop lands within a second). */
const EMBED_TARGET_MS = 250;
/** Bumped whenever chunking or embedText changes, so old vectors are not mixed with new ones. */
export const TEXT_VERSION = 3;

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
    if (old && old.size === f.stat.size && old.mtimeMs === f.stat.mtimeMs && prevRows.has(f.source)) {
      plans.push({ source: f.source, rec: old, reuse: prevRows.get(f.source)! });
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
    const chunks = chunkText(doc.text, { chunkChars: inp.chunkChars, overlapChars: inp.overlapChars, markdown: doc.kind !== "text" }).map(
      (c, i): ChunkRecord => ({ id: `${f.source}#${i}`, source: f.source, lines: [fileLine(c.lines[0]), fileLine(c.lines[1])], text: c.text, ...(c.heading ? { heading: c.heading } : {}) }),
    );
    if (!chunks.length) {
      skipped.push({ source: f.source, reason: "no text" });
      continue;
    }
    rec.chunks = chunks.length;
    plans.push({ source: f.source, rec, chunks, ...(old && prevRows.has(f.source) ? { old } : {}) });
  }
  if (!plans.length) throw emptyWorkspace(workspace, skipped.length);

  const removed = reuse ? Object.keys(reuse.manifest.files).filter((s) => !plans.some((p) => p.source === s)) : [];
  const toEmbed = plans.filter((p) => p.chunks);
  const total = toEmbed.reduce((n, p) => n + p.chunks!.length, 0);
  const changed = !reuse || total > 0 || removed.length > 0 || mtimeOnly || JSON.stringify(skipped) !== JSON.stringify(reuse.manifest.skipped);

  // embed in batches, reporting progress between them
  const fresh = new Map<string, Float32Array[]>();
  let done = 0;
  const queue = toEmbed.flatMap((p) => p.chunks!.map((c) => ({ p, c })));
  let stopped: IndexOutcome["stopped"];
  // An embedding call blocks this thread (TF.js on the CPU): batches are sized to take about
  // EMBED_TARGET_MS so Stop, progress and the kernel's messages get through between them.
  let size = 2;
  for (let i = 0; i < queue.length; i += size) {
    // The embedder may resolve on microtasks only: yield a full turn so a Stop (a message from
    // the kernel's control thread), timers and I/O are seen between batches.
    await new Promise<void>((r) => setImmediate(r));
    // Stopped between batches: keep what is done (below) so the next run resumes.
    if (signal?.aborted) {
      stopped = { embeddedChunks: done, totalChunks: total };
      break;
    }
    const batch = queue.slice(i, i + size);
    let vecs: Float32Array[];
    try {
      const t0 = performance.now();
      vecs = await embedder.embed(batch.map((b) => embedText(b.c)), signal);
      const next = Math.round((batch.length * EMBED_TARGET_MS) / Math.max(1, performance.now() - t0));
      size = Math.max(1, Math.min(EMBED_BATCH, next, size * 2));
      i -= size - batch.length; // the loop adds the new size; advance by what was embedded
    } catch (e) {
      if (!signal?.aborted) throw e;
      stopped = { embeddedChunks: done, totalChunks: total };
      break;
    }
    batch.forEach((b, k) => {
      let arr = fresh.get(b.p.source);
      if (!arr) fresh.set(b.p.source, (arr = []));
      arr.push(vecs[k]!);
    });
    done += batch.length;
    inp.progress({ done, total, file: batch[batch.length - 1]!.p.source, phase: "embed" });
  }

  if (stopped) {
    // A file counts only once all its chunks are embedded; a changed file not reached keeps
    // its previous vectors and record (so it still reads as changed), a new one waits.
    for (let i = plans.length - 1; i >= 0; i--) {
      const p = plans[i]!;
      if (!p.chunks || fresh.get(p.source)?.length === p.chunks.length) continue;
      if (p.old) plans[i] = { source: p.source, rec: p.old, reuse: prevRows.get(p.source)! };
      else plans.splice(i, 1);
    }
    if (!plans.length || !fresh.size) signal!.throwIfAborted();
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
