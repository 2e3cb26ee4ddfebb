/**
 * Workspace documents -> plain text with the file's line structure preserved, so a
 * chunk's line range points at the same lines in the file a person opens.
 * Markdown and text as they are, HTML with tags blanked out, .ipynb as its markdown
 * and code cells. Everything else is skipped and counted, never guessed at.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, type Stats } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import type { Skipped } from "./types.js";

export const TEXT_EXTS = new Set([".md", ".markdown", ".mdx", ".txt", ".text", ".rst", ".adoc"]);
export const HTML_EXTS = new Set([".html", ".htm"]);
export const NOTEBOOK_EXTS = new Set([".ipynb"]);
/** Folders that hold tooling, not documents. */
const SKIP_DIRS = new Set([".git", ".hg", ".svn", "node_modules", ".ipynb_checkpoints", "__pycache__", ".venv", "venv", ".openclaw"]);
/** Bigger files are almost never prose; embedding them would stall indexing. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export interface WorkspaceFile {
  /** Workspace-relative, "/" separated. */
  source: string;
  path: string;
  stat: Stats;
}

export type DocKind = "markdown" | "text" | "html" | "notebook";

export function kindOf(source: string): DocKind | undefined {
  const ext = extname(source).toLowerCase();
  if (ext === ".md" || ext === ".markdown" || ext === ".mdx") return "markdown";
  if (TEXT_EXTS.has(ext)) return "text";
  if (HTML_EXTS.has(ext)) return "html";
  if (NOTEBOOK_EXTS.has(ext)) return "notebook";
  return undefined;
}

/**
 * Every indexable file under the workspace, sorted by source. Symlinks are skipped
 * (they could point outside the workspace); so are hidden files and `exclude` (the
 * state dir when it lives inside the workspace).
 */
export function scanWorkspace(root: string, exclude: string[] = []): { files: WorkspaceFile[]; skipped: Skipped[]; dirs: DirStamp[] } {
  const files: WorkspaceFile[] = [];
  const skipped: Skipped[] = [];
  // every folder walked, with its mtime and ctime: a file added, removed or renamed in it changes
  // that mtime, and resetting the mtime (touch -r) changes the ctime
  const dirs: DirStamp[] = [];
  const excluded = new Set(exclude.map((p) => safeRealpath(p)));
  const walk = (dir: string) => {
    let names: string[];
    try {
      const ds = lstatSync(dir);
      dirs.push({ path: dir, mtimeMs: ds.mtimeMs, ctimeMs: ds.ctimeMs });
      names = readdirSync(dir).sort();
    } catch (e) {
      skipped.push({ source: rel(root, dir) || ".", reason: `unreadable folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      return;
    }
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const path = join(dir, name);
      const source = rel(root, path);
      let st: Stats;
      try {
        st = lstatSync(path);
      } catch (e) {
        skipped.push({ source, reason: `unreadable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
        continue;
      }
      if (st.isSymbolicLink()) {
        skipped.push({ source, reason: "symlink (not followed)" });
      } else if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name) && !excluded.has(safeRealpath(path))) walk(path);
      } else if (st.isFile()) {
        if (!kindOf(name)) skipped.push({ source, reason: `unsupported type ${extname(name) || "(no extension)"}` });
        else if (st.size > MAX_FILE_BYTES) skipped.push({ source, reason: `too large (${st.size} bytes > ${MAX_FILE_BYTES})` });
        else files.push({ source, path, stat: st });
      }
    }
  };
  walk(root);
  return { files, skipped, dirs };
}

function rel(root: string, p: string): string {
  return relative(root, p).split(sep).join("/");
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** A NUL byte or many invalid UTF-8 sequences in the first 8 KB means a binary file. */
export function looksBinary(buf: Buffer): boolean {
  const head = buf.subarray(0, 8192);
  if (head.includes(0)) return true;
  const text = head.toString("utf8");
  let bad = 0;
  for (const ch of text) if (ch === "\uFFFD") bad++;
  return bad > 8 && bad / Math.max(1, text.length) > 0.02;
}

export interface LoadedDoc {
  kind: DocKind;
  /** Text whose line i is line i of the file, except for notebooks (see lineMap). */
  text: string;
  /** Notebooks: lineMap[i] is the 1-based line of the .ipynb file that holds text line i+1. */
  lineMap?: number[];
}

/** Reads one file; throws an Error whose message is the skip reason. */
export function loadDocument(file: { path: string; source: string }, buf: Buffer = readFileSync(file.path)): LoadedDoc {
  const kind = kindOf(file.source);
  if (!kind) throw new Error("unsupported type");
  if (looksBinary(buf)) throw new Error("binary content");
  const raw = buf.toString("utf8").replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (kind === "html") return { kind, text: htmlToText(raw) };
  if (kind === "notebook") return { kind, ...notebookWithLines(raw) };
  return { kind, text: raw };
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", "#39": "'" };

/**
 * HTML as text with its line numbers kept: script/style bodies and tags are replaced by
 * as many newlines as they spanned; <h1>..<h6> become Markdown headings so the chunker
 * can split along them.
 */
export function htmlToText(html: string): string {
  const keepLines = (s: string) => s.replace(/[^\n]/g, "");
  let t = html.replace(/<!--[\s\S]*?-->/g, keepLines).replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, keepLines);
  t = t.replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi, (m, lvl: string, inner: string) => {
    const text = inner.replace(/<[^>]*>/g, "").replace(/\s+/g, " ").trim();
    return "#".repeat(Number(lvl)) + " " + text + keepLines(m);
  });
  t = t.replace(/<\/?(p|div|br|li|tr|section|article|ul|ol|table|blockquote|pre)\b[^>]*>/gi, (m) => (m.includes("\n") ? keepLines(m) : " "));
  t = t.replace(/<[^>]*>/g, (m) => keepLines(m));
  return t.replace(/&(#?\w+);/g, (m, name: string) => ENTITIES[name.toLowerCase()] ?? (name.startsWith("#") ? String.fromCodePoint(Number(name.slice(1)) || 32) : m));
}

/** A notebook's markdown and code cells, each introduced by a marker line; outputs are not indexed. */
export function notebookToText(json: string): string {
  return notebookWithLines(json).text;
}

/**
 * The notebook's text plus, for every text line, the line of the .ipynb file holding it,
 * so a citation opens the notebook where the cell's source is. nbformat writes each
 * source line as its own JSON string; each is found in order after the previous one.
 */
export function notebookWithLines(json: string): { text: string; lineMap: number[] } {
  const text = notebookCells(json);
  const lineStarts = [0];
  for (let i = 0; i < json.length; i++) if (json.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineAt = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const lineMap: number[] = [];
  let cursor = 0;
  let last = 1;
  for (const line of text.split("\n")) {
    const marker = /^\[cell (\d+): \w+\]$/.exec(line);
    if (marker) {
      // the cell's "source" key that follows the previous match
      const at = json.indexOf('"source"', cursor);
      if (at >= 0) (cursor = at), (last = lineAt(at));
    } else if (line.trim()) {
      const needle = JSON.stringify(line).slice(1, -1);
      const at = json.indexOf(needle, cursor);
      if (at >= 0) (cursor = at + needle.length), (last = lineAt(at));
    }
    lineMap.push(last);
  }
  return { text, lineMap };
}

function notebookCells(json: string): string {
  let nb: { cells?: Array<{ cell_type?: string; source?: string | string[] }> };
  try {
    nb = JSON.parse(json);
  } catch (e) {
    throw new Error(`not a valid notebook (JSON: ${(e as Error).message})`);
  }
  if (!nb || !Array.isArray(nb.cells)) throw new Error("not a valid notebook (no cells)");
  const parts: string[] = [];
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== "markdown" && c.cell_type !== "code") return;
    const src = Array.isArray(c.source) ? c.source.join("") : String(c.source ?? "");
    if (!src.trim()) return;
    parts.push(c.cell_type === "code" ? `[cell ${i + 1}: code]\n${src.trimEnd()}` : `[cell ${i + 1}: markdown]\n${src.trimEnd()}`);
  });
  return parts.join("\n\n");
}

/** A folder as last scanned; ctimeMs is absent in an index written before it was recorded. */
export interface DirStamp {
  path: string;
  mtimeMs: number;
  ctimeMs?: number;
}

/** What a file's stat said when it was indexed; ctimeMs and ino are absent in an index written before they were recorded. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs?: number;
  ino?: number;
}

/**
 * Whether a file's stat still matches what was recorded. Size and mtime alone are not
 * enough: an edit that keeps the size and puts the mtime back (`touch -r`, `cp -p`, `tar`,
 * `rsync -t`) leaves both as they were, but nothing in user space can set the ctime, and a
 * file replaced by rename has another inode. A record without ctime (an older index) never
 * matches, so the caller re-verifies the file by sha256 once and records the ctime.
 */
export function stampMatches(rec: FileStamp, st: Stats): boolean {
  return rec.ctimeMs !== undefined && rec.size === st.size && rec.mtimeMs === st.mtimeMs && rec.ctimeMs === st.ctimeMs && rec.ino === st.ino;
}

/** What a cheap freshness check compares: folder mtimes and ctimes, and file sizes, mtimes, ctimes and inodes, by path. */
export interface ScanSnapshot {
  dirs: DirStamp[];
  files: Array<{ path: string } & FileStamp>;
}

export function snapshotOf(scan: { files: WorkspaceFile[]; dirs: DirStamp[] }): ScanSnapshot {
  return { dirs: scan.dirs, files: scan.files.map((f) => ({ path: f.path, size: f.stat.size, mtimeMs: f.stat.mtimeMs, ctimeMs: f.stat.ctimeMs, ino: f.stat.ino })) };
}

/**
 * True when nothing the last scan saw has changed, checked with stat calls only (no
 * readdir, no reads): an unchanged folder mtime and ctime mean no entry was added, removed
 * or renamed in it, and an unchanged size, mtime, ctime and inode mean a file's content is
 * as it was indexed (see stampMatches). A stamp recorded without ctime is never fresh.
 */
export function snapshotFresh(s: ScanSnapshot): boolean {
  try {
    for (const d of s.dirs) {
      const st = lstatSync(d.path);
      if (d.ctimeMs === undefined || st.mtimeMs !== d.mtimeMs || st.ctimeMs !== d.ctimeMs) return false;
    }
    for (const f of s.files) {
      const st = lstatSync(f.path);
      if (!stampMatches(f, st) || !st.isFile()) return false;
    }
    return true;
  } catch {
    return false;
  }
}
