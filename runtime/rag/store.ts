/**
 * The index on disk: <stateDir>/rag/<sha256(workspace) prefix>/ holding manifest.json
 * (embedder id, dims, per-file sha256 and stat, the folders' mtimes, counts and checksums;
 * small, so a fresh process reads it quickly), chunks.jsonl (one chunk record a line, read
 * as bytes and parsed per row on demand), lexical.json/.u32 and files.json/.u32 (BM25 in flat
 * arrays), vectors.f32 (row-major float32, row i = chunk i; a zero row has no vector yet)
 * and, above the HNSW threshold, hnsw.usearch. Files are written to a temp name and
 * renamed, manifest last, so a crash never leaves half an index; anything that does not
 * add up is reported as corrupt, never trusted.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Bm25Parts } from "./lexical.js";
import type { ChunkRecord, Manifest } from "./types.js";

export const MANIFEST = "manifest.json";
export const CHUNKS = "chunks.jsonl";
export const VECTORS = "vectors.f32";
export const HNSW_FILE = "hnsw.usearch";

export class CorruptIndexError extends Error {}

export function indexDirFor(stateDir: string, workspace: string): string {
  return join(stateDir, "rag", createHash("sha256").update(workspace).digest("hex").slice(0, 16));
}

export function sha256(buf: Uint8Array | string): string {
  return createHash("sha256").update(buf).digest("hex");
}

/**
 * The chunk table: an array in the process that built it, or chunks.jsonl (one JSON record
 * a line) read as bytes and parsed row by row on demand, so a query that cites five passages
 * parses five records, not 27k.
 */
export class ChunkTable {
  private constructor(
    private readonly arr: Array<ChunkRecord | undefined>,
    private readonly buf?: Buffer,
    private readonly offs?: Uint32Array,
    private readonly where = "",
  ) {}

  static of(chunks: ChunkRecord[]): ChunkTable {
    return new ChunkTable(chunks);
  }

  /** Splits chunks.jsonl at its newlines (JSON strings escape theirs); throws CorruptIndexError when the count is off. */
  static parse(buf: Buffer, count: number, where: string): ChunkTable {
    const offs = new Uint32Array(count + 1);
    let at = 0;
    let n = 0;
    while (at < buf.length) {
      const nl = buf.indexOf(10, at);
      const end = nl < 0 ? buf.length : nl;
      if (n >= count) throw new CorruptIndexError(`${where} has more than the ${count} chunks the manifest lists`);
      offs[n++] = at;
      at = end + 1;
    }
    if (n !== count) throw new CorruptIndexError(`${where} has ${n} chunks, the manifest lists ${count}`);
    offs[count] = buf.length + 1;
    return new ChunkTable(new Array(count), buf, offs, where);
  }

  get length(): number {
    return this.arr.length;
  }

  get(row: number): ChunkRecord {
    let c = this.arr[row];
    if (c) return c;
    if (!this.buf || !this.offs || row < 0 || row >= this.arr.length) throw new RangeError(`no chunk ${row}`);
    try {
      c = JSON.parse(this.buf.toString("utf8", this.offs[row]!, this.offs[row + 1]! - 1)) as ChunkRecord;
    } catch (e) {
      throw new CorruptIndexError(`${this.where}: chunk ${row} is not valid JSON (${(e as Error).message})`);
    }
    if (!c || typeof c.text !== "string" || typeof c.source !== "string" || !Array.isArray(c.lines) || c.lines.length !== 2) throw new CorruptIndexError(`${this.where}: chunk ${row} is malformed`);
    return (this.arr[row] = c);
  }

  /** Every record (parses the rest). */
  all(): ChunkRecord[] {
    for (let i = 0; i < this.arr.length; i++) this.get(i);
    return this.arr as ChunkRecord[];
  }

  /** The JSONL bytes to save. */
  toBytes(): Buffer {
    if (this.buf) return this.buf; // records are never changed in place: the bytes as read
    return Buffer.from(this.all().map((c) => JSON.stringify(c)).join("\n"), "utf8");
  }
}

export interface Stored {
  manifest: Manifest;
  chunks: ChunkTable;
  /** Row-major, row i = chunk i; a row of zeros has no vector yet (the dense fill has not reached it). */
  vectors: Float32Array;
}

/** The manifest alone (no chunk texts, no vectors): undefined when there is none, CorruptIndexError when it is broken. */
export function readManifest(dir: string): Manifest | undefined {
  const mpath = join(dir, MANIFEST);
  let text: string;
  try {
    text = readFileSync(mpath, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CorruptIndexError(`${mpath} is unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let manifest: Manifest & { chunks?: ChunkRecord[] };
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    throw new CorruptIndexError(`${mpath} is not valid JSON (${(e as Error).message})`);
  }
  const bad = (why: string) => new CorruptIndexError(`${mpath}: ${why}`);
  if (!manifest || typeof manifest !== "object" || (manifest.format !== 1 && manifest.format !== 2)) throw bad("unknown format");
  if (typeof manifest.embedder !== "string" || !Number.isInteger(manifest.dims) || manifest.dims <= 0) throw bad("no embedder or dims");
  if (!manifest.files || typeof manifest.files !== "object") throw bad("no file table");
  if (manifest.format === 1) {
    // the previous layout kept the chunk table inside the manifest, every vector present
    if (!Array.isArray(manifest.chunks)) throw bad("no chunk table");
    manifest.chunkCount = manifest.chunks.length;
    manifest.dense = { ready: manifest.chunks.length };
  } else if (!Number.isInteger(manifest.chunkCount) || manifest.chunkCount < 0 || !manifest.dense || !Number.isInteger(manifest.dense.ready)) throw bad("no chunk count");
  return manifest;
}

/** The chunk table of a format-2 index (chunks.jsonl), checked against the manifest's byte length and count. */
export function readChunks(dir: string, manifest: Manifest & { chunks?: ChunkRecord[] }): ChunkTable {
  if (manifest.format === 1) {
    const chunks = manifest.chunks!;
    for (const [i, c] of chunks.entries()) {
      if (!c || typeof c.text !== "string" || typeof c.source !== "string" || !Array.isArray(c.lines) || c.lines.length !== 2) throw new CorruptIndexError(`${join(dir, MANIFEST)}: chunk ${i} is malformed`);
    }
    return ChunkTable.of(chunks);
  }
  const cpath = join(dir, CHUNKS);
  let buf: Buffer;
  try {
    buf = readFileSync(cpath);
  } catch (e) {
    throw new CorruptIndexError(`${cpath} is missing or unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (buf.length !== manifest.chunksBytes) throw new CorruptIndexError(`${cpath} has ${buf.length} bytes, the manifest expects ${manifest.chunksBytes}`);
  return ChunkTable.parse(buf, manifest.chunkCount, cpath);
}

/** Whether vectors.f32 has the size the manifest expects (a stat: the cheap check a lexical query makes). */
export function vectorsLookWhole(dir: string, manifest: Manifest): boolean {
  try {
    return statSync(join(dir, VECTORS)).size === manifest.chunkCount * manifest.dims * 4;
  } catch {
    return false;
  }
}

/** vectors.f32, checked against the manifest's size and checksum. */
export function readVectors(dir: string, manifest: Manifest): Float32Array {
  const vpath = join(dir, VECTORS);
  let raw: Buffer;
  try {
    raw = readFileSync(vpath);
  } catch (e) {
    throw new CorruptIndexError(`${vpath} is missing or unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const want = manifest.chunkCount * manifest.dims * 4;
  if (raw.length !== want) throw new CorruptIndexError(`${vpath} has ${raw.length} bytes, the manifest expects ${want}`);
  if (sha256(raw) !== manifest.vectorsSha256) throw new CorruptIndexError(`${vpath} does not match the manifest's checksum`);
  // copy into an aligned buffer: a Buffer from the pool may not start on a 4-byte boundary
  const vectors = new Float32Array(manifest.chunkCount * manifest.dims);
  new Uint8Array(vectors.buffer).set(raw);
  return vectors;
}

/** undefined when there is no index; throws CorruptIndexError when there is a broken one. */
export function readIndex(dir: string): Stored | undefined {
  const manifest = readManifest(dir);
  if (!manifest) return undefined;
  const chunks = readChunks(dir, manifest);
  const vectors = readVectors(dir, manifest);
  delete (manifest as { chunks?: unknown }).chunks;
  return { manifest, chunks, vectors };
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}

/**
 * Chunks and vectors first, manifest last: a manifest on disk always describes complete
 * files. `chunks` is omitted when only vectors changed (a dense-fill checkpoint).
 */
export function writeIndex(dir: string, manifest: Manifest, vectors: Float32Array, opts: { chunks?: ChunkTable; hnsw?: (tmpPath: string) => void; lexical?: () => void } = {}): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  manifest.vectorsSha256 = sha256(bytes);
  writeAtomic(join(dir, VECTORS), bytes);
  if (opts.chunks) {
    const cb = opts.chunks.toBytes();
    manifest.chunksBytes = cb.length;
    manifest.chunksSha256 = sha256(cb);
    writeAtomic(join(dir, CHUNKS), cb);
  }
  if (opts.hnsw) writeHnsw(dir, opts.hnsw);
  else rmSync(join(dir, HNSW_FILE), { force: true });
  opts.lexical?.();
  writeAtomic(join(dir, MANIFEST), JSON.stringify(manifest));
}

/** The HNSW graph file, via a temp name; `save` writes the graph to the path it is given. */
export function writeHnsw(dir: string, save: (tmpPath: string) => void): void {
  const hpath = join(dir, HNSW_FILE);
  const tmp = `${hpath}.${process.pid}.tmp`;
  save(tmp);
  renameSync(tmp, hpath);
}

export function removeIndex(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const LEXICAL_META = "lexical.json";
export const LEXICAL_BIN = "lexical.u32";

/**
 * A BM25 index beside the vectors, so a fresh process (the CLI, the skill) does not
 * re-tokenize every chunk per query. `key` ties it to one chunk table (its checksum, the
 * text and tokenizer versions); a mismatched or broken file reads as absent. `name` picks
 * the pair of files ("lexical" for passages, "files" for the file-level signal); `extra`
 * arrays ride along (the file-level index's row -> file map).
 */
export function writeLexical(dir: string, key: string, parts: Bm25Parts, name = "lexical", extra: Uint32Array[] = []): void {
  const arrs = [parts.offsets, parts.rows, parts.tfs, parts.lengths, ...extra];
  const bin = new Uint32Array(arrs.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrs) bin.set(a, o), (o += a.length);
  const bytes = new Uint8Array(bin.buffer);
  writeAtomic(join(dir, `${name}.u32`), bytes);
  writeAtomic(join(dir, `${name}.json`), JSON.stringify({ key, sha256: sha256(bytes), sizes: arrs.map((a) => a.length), terms: parts.terms }));
}

export function readLexical(dir: string, key: string, name = "lexical"): (Bm25Parts & { extra: Uint32Array[] }) | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as { key: string; sha256: string; sizes: number[]; terms: string[] };
    if (meta.key !== key || !Array.isArray(meta.terms) || !Array.isArray(meta.sizes) || meta.sizes.length < 4) return undefined;
    const raw = readFileSync(join(dir, `${name}.u32`));
    if (raw.length !== meta.sizes.reduce((n, x) => n + x, 0) * 4 || sha256(raw) !== meta.sha256) return undefined;
    const all = new Uint32Array(raw.length / 4);
    new Uint8Array(all.buffer).set(raw);
    const views: Uint32Array[] = [];
    let o = 0;
    for (const n of meta.sizes) views.push(all.subarray(o, (o += n)));
    const [offsets, rows, tfs, lengths, ...extra] = views as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, ...Uint32Array[]];
    if (offsets.length !== meta.terms.length + 1) return undefined;
    return { terms: meta.terms, offsets, rows, tfs, lengths, extra };
  } catch {
    return undefined;
  }
}
