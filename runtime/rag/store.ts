/**
 * The index on disk: <stateDir>/rag/<sha256(workspace) prefix>/ holding manifest.json
 * (embedder id, dims, per-file sha256 and stat, the folders' mtimes, counts and checksums;
 * small, so a fresh process reads it quickly), chunks.jsonl (one chunk record a line, read
 * as bytes and parsed per row on demand), lexical.json/.u32 and files.json/.u32 (BM25 in flat
 * arrays), vectors.f32 (row-major float32, row i = chunk i; a zero row has no vector yet),
 * vectors.i8 (an int8 copy of complete vectors for a one-query process's scan: DiskVectors)
 * and, above the HNSW threshold, hnsw.usearch. Files are written to a temp name and
 * renamed, manifest last, so a crash never leaves half an index; anything that does not
 * add up is reported as corrupt, never trusted.
 */
import { createHash } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Bm25Parts } from "./lexical.js";
import type { ChunkRecord, Manifest } from "./types.js";
import { type DenseHit, dot, Q8_MIN, quantize, searchQ8 } from "./vectors.js";

export const MANIFEST = "manifest.json";
export const CHUNKS = "chunks.jsonl";
export const CHUNKS_INDEX = "chunks.idx";
export const VECTORS = "vectors.f32";
export const VECTORS_Q8 = "vectors.i8";
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
 * a line) with chunks.idx (the byte offset of every line, Uint32) read record by record on
 * demand, so a query that cites five passages reads and parses a handful of records, not 27k.
 */
export class ChunkTable {
  private constructor(
    private readonly arr: Array<ChunkRecord | undefined>,
    private readonly file?: { path: string; offs: Uint32Array; buf?: Buffer },
  ) {}

  static of(chunks: ChunkRecord[]): ChunkTable {
    return new ChunkTable(chunks);
  }

  /**
   * chunks.jsonl + chunks.idx; throws CorruptIndexError when they do not agree with each other or the manifest.
   * With `sha` (the manifest's chunksSha256) the whole file is read once and checked, and records are then
   * parsed from that verified copy (a later change on disk is not read); without it records are read lazily.
   */
  static open(dir: string, count: number, bytes: number | undefined, sha?: string): ChunkTable {
    const path = join(dir, CHUNKS);
    const ipath = join(dir, CHUNKS_INDEX);
    let size: number;
    let raw: Buffer;
    try {
      size = statSync(path).size;
      raw = readFileSync(ipath);
    } catch (e) {
      throw new CorruptIndexError(`${(e as NodeJS.ErrnoException).path ?? path} is missing or unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (size !== bytes) throw new CorruptIndexError(`${path} has ${size} bytes, the manifest expects ${bytes}`);
    if (raw.length !== (count + 1) * 4) throw new CorruptIndexError(`${ipath} has ${raw.length} bytes, ${count} chunks need ${(count + 1) * 4}`);
    const offs = new Uint32Array(count + 1);
    new Uint8Array(offs.buffer).set(raw);
    for (let i = 0; i < count; i++) if (offs[i + 1]! <= offs[i]!) throw new CorruptIndexError(`${ipath}: offsets out of order at chunk ${i}`);
    if (offs[0] !== 0 || offs[count] !== size + 1) throw new CorruptIndexError(`${ipath} does not span ${path}`);
    let buf: Buffer | undefined;
    if (sha !== undefined) {
      try {
        buf = readFileSync(path);
      } catch (e) {
        throw new CorruptIndexError(`${path} is unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      if (buf.length !== size) throw new CorruptIndexError(`${path} changed size while being read`);
      if (sha256(buf) !== sha) throw new CorruptIndexError(`${path} does not match the manifest's checksum`);
    }
    return new ChunkTable(new Array(count), { path, offs, buf });
  }

  get length(): number {
    return this.arr.length;
  }

  get(row: number): ChunkRecord {
    const c = this.arr[row];
    if (c) return c;
    if (!this.file || row < 0 || row >= this.arr.length) throw new RangeError(`no chunk ${row}`);
    const { path, offs } = this.file;
    if (this.file.buf) return (this.arr[row] = parseChunk(this.file.buf.subarray(offs[row]!, offs[row + 1]! - 1), path, row));
    const buf = Buffer.allocUnsafe(offs[row + 1]! - 1 - offs[row]!);
    const fd = openSync(path, "r");
    try {
      if (readSync(fd, buf, 0, buf.length, offs[row]!) !== buf.length) throw new CorruptIndexError(`${path} ends inside chunk ${row}`);
    } finally {
      closeSync(fd);
    }
    return (this.arr[row] = parseChunk(buf, path, row));
  }

  /** Every record (reads the file once). */
  all(): ChunkRecord[] {
    let missing = false;
    for (let i = 0; i < this.arr.length && !missing; i++) missing = !this.arr[i]; // (some() would skip the holes)
    if (this.file && missing) {
      const { path, offs } = this.file;
      const buf = this.file.buf ?? readFileSync(path);
      if (buf.length + 1 !== offs[this.arr.length]) throw new CorruptIndexError(`${path} changed size while being read`);
      for (let i = 0; i < this.arr.length; i++) this.arr[i] ??= parseChunk(buf.subarray(offs[i]!, offs[i + 1]! - 1), path, i);
    }
    return this.arr as ChunkRecord[];
  }

  /** chunks.jsonl's bytes and chunks.idx's offsets. */
  toFiles(): { jsonl: Buffer; idx: Uint32Array } {
    const parts = this.all().map((c) => Buffer.from(JSON.stringify(c), "utf8"));
    const idx = new Uint32Array(parts.length + 1);
    let o = 0;
    parts.forEach((p, i) => ((idx[i] = o), (o += p.length + 1)));
    idx[parts.length] = o;
    const jsonl = Buffer.allocUnsafe(Math.max(0, o - 1));
    parts.forEach((p, i) => {
      p.copy(jsonl, idx[i]!);
      if (i < parts.length - 1) jsonl[idx[i + 1]! - 1] = 10;
    });
    return { jsonl, idx };
  }
}

function parseChunk(buf: Buffer, path: string, row: number): ChunkRecord {
  let c: ChunkRecord;
  try {
    c = JSON.parse(buf.toString("utf8")) as ChunkRecord;
  } catch (e) {
    throw new CorruptIndexError(`${path}: chunk ${row} is not valid JSON (${(e as Error).message})`);
  }
  if (!c || typeof c.text !== "string" || typeof c.source !== "string" || !linesOk(c.lines)) throw new CorruptIndexError(`${path}: chunk ${row} is malformed`);
  return c;
}

/** A citation's line range: two integers, 1 <= start <= end. */
function linesOk(l: unknown): boolean {
  return Array.isArray(l) && l.length === 2 && Number.isSafeInteger(l[0]) && Number.isSafeInteger(l[1]) && l[0] >= 1 && l[0] <= l[1];
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

/**
 * The chunk table of an index: format 2 opens chunks.jsonl/.idx (checked against the manifest; with
 * `verify`, against its chunksSha256 too), format 1 had it inline.
 */
export function readChunks(dir: string, manifest: Manifest & { chunks?: ChunkRecord[] }, verify = false): ChunkTable {
  if (manifest.format === 1) {
    const chunks = manifest.chunks!;
    for (const [i, c] of chunks.entries()) {
      if (!c || typeof c.text !== "string" || typeof c.source !== "string" || !linesOk(c.lines)) throw new CorruptIndexError(`${join(dir, MANIFEST)}: chunk ${i} is malformed`);
    }
    return ChunkTable.of(chunks);
  }
  if (verify && manifest.chunksSha256 === undefined) throw new CorruptIndexError(`${join(dir, MANIFEST)} has no checksum for ${CHUNKS}`);
  return ChunkTable.open(dir, manifest.chunkCount, manifest.chunksBytes, verify ? manifest.chunksSha256 : undefined);
}

/** Whether vectors.f32 has the size the manifest expects (a stat: the cheap check a lexical query makes). */
export function vectorsLookWhole(dir: string, manifest: Manifest): boolean {
  try {
    return statSync(join(dir, VECTORS)).size === manifest.chunkCount * manifest.dims * 4;
  } catch {
    return false;
  }
}

/**
 * vectors.f32, checked against the manifest's size and (with `verify`) its checksum. A fresh
 * process answering one query skips the hash (~35 ms at 27k x 512): vectors only order passages,
 * the cited text comes from chunks.jsonl, and the kernel and gateway verify when they open it.
 */
export function readVectors(dir: string, manifest: Manifest, verify = true): Float32Array {
  const vpath = join(dir, VECTORS);
  let raw: Buffer;
  try {
    raw = readFileSync(vpath);
  } catch (e) {
    throw new CorruptIndexError(`${vpath} is missing or unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const want = manifest.chunkCount * manifest.dims * 4;
  if (raw.length !== want) throw new CorruptIndexError(`${vpath} has ${raw.length} bytes, the manifest expects ${want}`);
  if (verify && sha256(raw) !== manifest.vectorsSha256) throw new CorruptIndexError(`${vpath} does not match the manifest's checksum`);
  // a view when the bytes start their own buffer on a 4-byte boundary (a big file does), else a copy
  if (raw.byteOffset === 0 && raw.buffer.byteLength === raw.length) return new Float32Array(raw.buffer, 0, raw.length / 4);
  const vectors = new Float32Array(manifest.chunkCount * manifest.dims);
  new Uint8Array(vectors.buffer).set(raw);
  return vectors;
}

/** undefined when there is no index; throws CorruptIndexError when there is a broken one. */
export function readIndex(dir: string): Stored | undefined {
  const manifest = readManifest(dir);
  if (!manifest) return undefined;
  // every record is read by the scan that follows anyway: the checksum costs one hash of the file
  const chunks = readChunks(dir, manifest, true);
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
  if (wantsQ8(manifest)) writeQ8(dir, manifest, vectors);
  else rmSync(join(dir, VECTORS_Q8), { force: true });
  if (opts.chunks) {
    const { jsonl, idx } = opts.chunks.toFiles();
    manifest.chunksBytes = jsonl.length;
    manifest.chunksSha256 = sha256(jsonl);
    writeAtomic(join(dir, CHUNKS), jsonl);
    writeAtomic(join(dir, CHUNKS_INDEX), new Uint8Array(idx.buffer));
  }
  if (opts.hnsw) writeHnsw(dir, opts.hnsw);
  else rmSync(join(dir, HNSW_FILE), { force: true });
  opts.lexical?.();
  writeAtomic(join(dir, MANIFEST), JSON.stringify(manifest));
}

/** Whether the index keeps an int8 copy: every row has its vector, and there are enough rows for the scan to pay. */
export function wantsQ8(manifest: Manifest): boolean {
  return manifest.chunkCount >= Q8_MIN && manifest.dense?.ready === manifest.chunkCount;
}

/**
 * vectors.i8: 32 bytes of the sha256 of the vectors.f32 it was made from (the manifest's
 * vectorsSha256: a copy left from other vectors does not match and is not used), then the rows
 * quantized as VectorSearch's in-memory copy is. `vectors` must be the checked contents of
 * vectors.f32 (written or verified by this process).
 */
export function writeQ8(dir: string, manifest: Manifest, vectors: Float32Array): void {
  const q = quantize(vectors.subarray(0, manifest.chunkCount * manifest.dims));
  const out = new Uint8Array(32 + q.length);
  out.set(Buffer.from(manifest.vectorsSha256!, "hex"));
  out.set(new Uint8Array(q.buffer, q.byteOffset, q.byteLength), 32);
  writeAtomic(join(dir, VECTORS_Q8), out);
}

/** Whether vectors.i8 is there and made from the manifest's vectors (its stamp and size; the rows are not read). */
export function q8Current(dir: string, manifest: Manifest): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(join(dir, VECTORS_Q8), "r");
    const head = Buffer.alloc(32);
    return fstatSync(fd).size === 32 + manifest.chunkCount * manifest.dims && readSync(fd, head, 0, 32, 0) === 32 && head.toString("hex") === manifest.vectorsSha256;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A one-query process's dense search without reading vectors.f32 whole (55 MB at 27k x 512):
 * the int8 scan over vectors.i8 (a quarter of the bytes), then the rows it keeps, and any other
 * row asked for, read from vectors.f32 by position, so the cosines are exact and the ranking is
 * VectorSearch's. Like readVectors(…, false) it trusts the files' sizes and the stamp, not a
 * hash: vectors only order passages; cited text comes from chunks.jsonl.
 */
export class DiskVectors {
  private readonly rows = new Map<number, Float32Array>();

  private constructor(
    private fd: number | undefined,
    private readonly path: string,
    readonly dims: number,
    readonly count: number,
    private readonly q8: Int8Array,
  ) {}

  /** The copy when it is current for `manifest` (q8Current) and vectors.f32 has its size; else undefined. */
  static open(dir: string, manifest: Manifest): DiskVectors | undefined {
    const { chunkCount: count, dims } = manifest;
    const fds: number[] = [];
    try {
      const q = openSync(join(dir, VECTORS_Q8), "r");
      fds.push(q);
      const f = openSync(join(dir, VECTORS), "r");
      fds.push(f);
      const head = Buffer.alloc(32);
      if (fstatSync(q).size !== 32 + count * dims || fstatSync(f).size !== count * dims * 4 || readSync(q, head, 0, 32, 0) !== 32 || head.toString("hex") !== manifest.vectorsSha256) return undefined;
      // (a buffer of its own: usearch reads from the start of the buffer)
      const q8 = new Int8Array(count * dims);
      for (let at = 0; at < q8.length; ) {
        const n = readSync(q, q8, at, q8.length - at, 32 + at);
        if (n <= 0) return undefined;
        at += n;
      }
      fds.pop();
      return new DiskVectors(f, join(dir, VECTORS), dims, count, q8);
    } catch {
      return undefined;
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  }

  /** Row `row` of vectors.f32 (read once). */
  row(row: number): Float32Array {
    let v = this.rows.get(row);
    if (v) return v;
    if (this.fd === undefined) throw new Error("DiskVectors used after close()");
    v = new Float32Array(this.dims);
    const bytes = this.dims * 4;
    if (readSync(this.fd, v, 0, bytes, row * bytes) !== bytes) throw new CorruptIndexError(`${this.path} is shorter than the manifest says (row ${row})`);
    this.rows.set(row, v);
    return v;
  }

  cosine(row: number, query: Float32Array): number {
    return dot(this.row(row), 0, query);
  }

  search(query: Float32Array, k: number): DenseHit[] {
    return searchQ8(this.q8, this.dims, this.count, query, Math.min(k, this.count), (r) => this.cosine(r, query));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
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
export const LEXICAL_TERMS = "lexical.terms";

/**
 * A BM25 index beside the vectors, so a fresh process (the CLI, the skill) does not
 * re-tokenize every chunk per query: <name>.u32 holds the flat arrays (postings in term
 * order, lengths, `extra`, then the byte offset of every term in <name>.terms), <name>.terms
 * the terms sorted and joined by newlines, <name>.json the key and sizes. Reading it builds
 * no Map of 150k terms: a query's few terms are found by binary search in the bytes. `key`
 * ties it to one chunk table; a mismatched or inconsistent file reads as absent. `name` picks
 * the set ("lexical" for passages, "files" for the file-level signal).
 */
/** The bytes as Uint32s: a view when they start their own buffer (a big file's do), else an aligned copy. */
function u32View(raw: Buffer): Uint32Array {
  if (raw.byteOffset === 0 && raw.buffer.byteLength === raw.length) return new Uint32Array(raw.buffer, 0, raw.length / 4);
  const all = new Uint32Array(raw.length / 4);
  new Uint8Array(all.buffer).set(raw);
  return all;
}

export function writeLexical(dir: string, key: string, parts: Bm25Parts, name = "lexical", extra: Uint32Array[] = []): void {
  const order = parts.terms.map((_, i) => i).sort((a, b) => (parts.terms[a]! < parts.terms[b]! ? -1 : parts.terms[a]! > parts.terms[b]! ? 1 : 0));
  const offsets = new Uint32Array(order.length + 1);
  const rows = new Uint32Array(parts.rows.length);
  const tfs = new Uint32Array(parts.tfs.length);
  let o = 0;
  order.forEach((t, i) => {
    offsets[i] = o;
    const a = parts.offsets[t]!;
    const b = parts.offsets[t + 1]!;
    rows.set(parts.rows.subarray(a, b), o);
    tfs.set(parts.tfs.subarray(a, b), o);
    o += b - a;
  });
  offsets[order.length] = o;
  const termBufs = order.map((t) => Buffer.from(parts.terms[t]!, "utf8"));
  const termOffs = new Uint32Array(order.length + 1);
  let to = 0;
  termBufs.forEach((b, i) => ((termOffs[i] = to), (to += b.length + 1)));
  termOffs[order.length] = to;
  const arrs = [offsets, rows, tfs, parts.lengths, ...extra, termOffs];
  const bin = new Uint32Array(arrs.reduce((n, a) => n + a.length, 0));
  let bo = 0;
  for (const a of arrs) bin.set(a, bo), (bo += a.length);
  writeAtomic(join(dir, `${name}.u32`), new Uint8Array(bin.buffer));
  writeAtomic(join(dir, `${name}.terms`), Buffer.from(order.map((t) => parts.terms[t]!).join("\n"), "utf8"));
  writeAtomic(join(dir, `${name}.json`), JSON.stringify({ key, format: 2, sizes: arrs.map((a) => a.length), termsBytes: Math.max(0, to - 1) }));
}

export function readLexical(dir: string, key: string, name = "lexical", opts: { lazy?: boolean } = {}): (Bm25Parts & { extra: Uint32Array[] }) | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as { key: string; format: number; sizes: number[]; termsBytes: number };
    if (meta.key !== key || meta.format !== 2 || !Array.isArray(meta.sizes) || meta.sizes.length < 5 || !meta.sizes.every((n) => Number.isInteger(n) && n >= 0)) return undefined;
    const path = join(dir, `${name}.u32`);
    const sizes = meta.sizes;
    const starts: number[] = [];
    let total = 0;
    for (const n of sizes) starts.push(total), (total += n);
    const blob = readFileSync(join(dir, `${name}.terms`));
    if (blob.length !== meta.termsBytes) return undefined;
    // sections in Uint32s: offsets, rows, tfs, lengths, ...extra, term offsets
    let section: (i: number) => Uint32Array;
    let close = () => {};
    // a term's rows and tfs: views of the file read whole, or (lazy: a one-query process) read by
    // position when a query reaches the term, from the same file (its inode, size and mtime)
    let range: (at: number, len: number) => Uint32Array;
    if (!opts.lazy) {
      const raw = readFileSync(path);
      if (raw.length !== total * 4) return undefined;
      const all = u32View(raw);
      range = (at, len) => all.subarray(at, at + len);
      section = (i) => range(starts[i]!, sizes[i]!);
    } else {
      // the file stays open while the index is held (Bm25Parts.close): a query reads its terms' rows
      // from the file this process opened, whatever is renamed over the path meanwhile
      const fd = openSync(path, "r");
      try {
        if (fstatSync(fd).size !== total * 4) throw new CorruptIndexError(`${path} has another size than ${name}.json says`);
        const kept = new Map<number, Uint32Array>();
        for (let i = 0; i < sizes.length; i++) if (i !== 1 && i !== 2) kept.set(i, readU32(fd, path, starts[i]!, sizes[i]!));
        section = (i) => kept.get(i)!;
      } catch (e) {
        closeSync(fd);
        throw e;
      }
      let open = true;
      range = (at, len) => {
        if (!open) throw new Error(`${path}: read after the index was released`);
        return readU32(fd, path, at, len);
      };
      close = () => {
        if (open) closeSync(fd);
        open = false;
      };
    }
    const offsets = section(0);
    const lengths = section(3);
    const extra = sizes.slice(4, -1).map((_, k) => section(4 + k));
    const termOffs = section(sizes.length - 1);
    const nTerms = offsets.length - 1;
    const nPost = sizes[1]!;
    // everything a query indexes with must be in range: a damaged file reads as absent, never as wrong rows
    if (termOffs.length !== nTerms + 1 || sizes[2] !== nPost || offsets[0] !== 0 || offsets[nTerms] !== nPost || termOffs[0] !== 0 || termOffs[nTerms] !== blob.length + 1) return undefined;
    for (let i = 0; i < nTerms; i++) if (offsets[i + 1]! < offsets[i]! || termOffs[i + 1]! <= termOffs[i]!) return undefined;
    const n = lengths.length;
    const term = (i: number) => blob.toString("utf8", termOffs[i]!, termOffs[i + 1]! - 1);
    // a term's postings are checked when a query first reaches them (not all 4M at open)
    const checked = new Uint8Array(nTerms);
    const postings = (ti: number) => {
      const at = offsets[ti]!;
      const len = offsets[ti + 1]! - at;
      const p = { rows: range(starts[1]! + at, len), tfs: range(starts[2]! + at, len) };
      if (!checked[ti]) {
        for (let k = 0; k < len; k++) if (p.rows[k]! >= n) throw new CorruptIndexError(`${path}: a posting of "${term(ti)}" points past the last chunk; run \`rag index --full\``);
        checked[ti] = 1;
      }
      return p;
    };
    const lookup = (t: string): number | undefined => {
      let lo = 0;
      let hi = nTerms - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const m = term(mid);
        if (m === t) return mid;
        if (m < t) lo = mid + 1;
        else hi = mid - 1;
      }
      return undefined;
    };
    let terms: string[] | undefined;
    const parts = { offsets, lengths, extra, lookup, postings, close } as unknown as Bm25Parts & { extra: Uint32Array[] };
    // the full term list and postings only if someone asks (saving them again)
    Object.defineProperty(parts, "terms", { enumerable: true, get: () => (terms ??= Array.from({ length: nTerms }, (_, i) => term(i))) });
    Object.defineProperty(parts, "rows", { enumerable: true, get: () => range(starts[1]!, nPost) });
    Object.defineProperty(parts, "tfs", { enumerable: true, get: () => range(starts[2]!, nPost) });
    return parts;
  } catch {
    return undefined;
  }
}

/** `len` Uint32s at Uint32 position `at` of the open file. */
function readU32(fd: number, path: string, at: number, len: number): Uint32Array {
  const out = new Uint32Array(len);
  for (let got = 0; got < len * 4; ) {
    const n = readSync(fd, out, got, len * 4 - got, at * 4 + got);
    if (n <= 0) throw new CorruptIndexError(`${path} is shorter than its sizes say`);
    got += n;
  }
  return out;
}
