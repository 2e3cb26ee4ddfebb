/**
 * The index on disk: <stateDir>/rag/<sha256(workspace) prefix>/ holding manifest.json
 * (embedder id, dims, per-file sha256, chunk table), vectors.f32 (row-major float32,
 * row i = chunk i) and, above the HNSW threshold, hnsw.usearch. Files are written
 * to a temp name and renamed, so a crash never leaves half an index; anything that
 * does not add up is reported as corrupt, never trusted.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Bm25Parts } from "./lexical.js";
import type { Manifest } from "./types.js";

export const MANIFEST = "manifest.json";
export const VECTORS = "vectors.f32";
export const HNSW_FILE = "hnsw.usearch";

export class CorruptIndexError extends Error {}

export function indexDirFor(stateDir: string, workspace: string): string {
  return join(stateDir, "rag", createHash("sha256").update(workspace).digest("hex").slice(0, 16));
}

export function sha256(buf: Uint8Array | string): string {
  return createHash("sha256").update(buf).digest("hex");
}

export interface Stored {
  manifest: Manifest;
  vectors: Float32Array;
}

/** undefined when there is no index; throws CorruptIndexError when there is a broken one. */
export function readIndex(dir: string): Stored | undefined {
  const mpath = join(dir, MANIFEST);
  if (!existsSync(mpath)) return undefined;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(mpath, "utf8")) as Manifest;
  } catch (e) {
    throw new CorruptIndexError(`${mpath} is not valid JSON (${(e as Error).message})`);
  }
  const bad = (why: string) => new CorruptIndexError(`${mpath}: ${why}`);
  if (!manifest || typeof manifest !== "object" || manifest.format !== 1) throw bad("unknown format");
  if (typeof manifest.embedder !== "string" || !Number.isInteger(manifest.dims) || manifest.dims <= 0) throw bad("no embedder or dims");
  if (!Array.isArray(manifest.chunks) || !manifest.files || typeof manifest.files !== "object") throw bad("no chunk table");
  for (const [i, c] of manifest.chunks.entries()) {
    if (!c || typeof c.text !== "string" || typeof c.source !== "string" || !Array.isArray(c.lines) || c.lines.length !== 2) throw bad(`chunk ${i} is malformed`);
  }
  const vpath = join(dir, VECTORS);
  let raw: Buffer;
  try {
    raw = readFileSync(vpath);
  } catch (e) {
    throw new CorruptIndexError(`${vpath} is missing or unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const want = manifest.chunks.length * manifest.dims * 4;
  if (raw.length !== want) throw new CorruptIndexError(`${vpath} has ${raw.length} bytes, the manifest expects ${want}`);
  if (sha256(raw) !== manifest.vectorsSha256) throw new CorruptIndexError(`${vpath} does not match the manifest's checksum`);
  // copy into an aligned buffer: a Buffer from the pool may not start on a 4-byte boundary
  const vectors = new Float32Array(manifest.chunks.length * manifest.dims);
  new Uint8Array(vectors.buffer).set(raw);
  return { manifest, vectors };
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Vectors first, manifest last: a manifest on disk always describes complete vectors. */
export function writeIndex(dir: string, manifest: Manifest, vectors: Float32Array, hnsw?: (tmpPath: string) => void): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  manifest.vectorsSha256 = sha256(bytes);
  writeAtomic(join(dir, VECTORS), bytes);
  if (hnsw) writeHnsw(dir, hnsw);
  else rmSync(join(dir, HNSW_FILE), { force: true });
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
 * The BM25 index beside the vectors, so a fresh process (the CLI, the skill) does not
 * re-tokenize every chunk per query. `key` ties it to one manifest (vectors checksum,
 * chunk count, text and tokenizer versions); a mismatched or broken file reads as absent.
 */
export function writeLexical(dir: string, key: string, parts: Bm25Parts): void {
  const arrs = [parts.offsets, parts.rows, parts.tfs, parts.lengths];
  const bin = new Uint32Array(arrs.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrs) bin.set(a, o), (o += a.length);
  const bytes = new Uint8Array(bin.buffer);
  writeAtomic(join(dir, LEXICAL_BIN), bytes);
  writeAtomic(join(dir, LEXICAL_META), JSON.stringify({ key, sha256: sha256(bytes), sizes: arrs.map((a) => a.length), terms: parts.terms }));
}

export function readLexical(dir: string, key: string): Bm25Parts | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, LEXICAL_META), "utf8")) as { key: string; sha256: string; sizes: number[]; terms: string[] };
    if (meta.key !== key || !Array.isArray(meta.terms) || meta.sizes?.length !== 4) return undefined;
    const raw = readFileSync(join(dir, LEXICAL_BIN));
    if (sha256(raw) !== meta.sha256 || raw.length !== meta.sizes.reduce((n, x) => n + x, 0) * 4) return undefined;
    const all = new Uint32Array(raw.length / 4);
    new Uint8Array(all.buffer).set(raw);
    const [a, b, c, d] = meta.sizes as [number, number, number, number];
    if (a !== meta.terms.length + 1) return undefined;
    return { terms: meta.terms, offsets: all.subarray(0, a), rows: all.subarray(a, a + b), tfs: all.subarray(a + b, a + b + c), lengths: all.subarray(a + b + c, a + b + c + d) };
  } catch {
    return undefined;
  }
}
