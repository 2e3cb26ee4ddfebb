/**
 * Benchmark corpora built only from files on this machine (nothing downloaded), cached
 * under <tmpdir>/openclaw-rag-bench-cache/<key>/ so repeated runs are cheap:
 * - small: every top-level package README in node_modules (the rag-eval corpus, ~4k chunks);
 * - large: the small one plus every other Markdown file in node_modules, Node's API docs
 *   (/usr/share/doc/nodejs/api), Debian READMEs from /usr/share/doc and section 1/5/8 man
 *   pages rendered to text with groff: tens of thousands of chunks.
 * The key hashes the list of source files (path, size, mtime) and this builder's version, so
 * a changed machine builds a new corpus. OPENCLAW_RAG_BENCH_CACHE moves the cache.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { buildReadmeCorpus } from "./rag-eval.js";

const NM = join(import.meta.dirname, "..", "node_modules");
const BUILDER_VERSION = 1;
/** Man pages rendered into the large corpus (groff takes ~45 ms a page; done once per cache). */
const MAN_PAGES = Number(process.env.RAG_BENCH_MAN_PAGES ?? 3600);

export function cacheRoot(): string {
  return process.env.OPENCLAW_RAG_BENCH_CACHE ?? join(tmpdir(), "openclaw-rag-bench-cache");
}

function walk(dir: string, pick: (name: string) => boolean, depth = 0, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory() && depth < 10) walk(p, pick, depth + 1, out);
    else if (st.isFile() && pick(name) && st.size > 200 && st.size < 4_000_000) out.push(p);
  }
  return out;
}

interface Sources {
  markdown: string[];
  docs: string[];
  man: string[];
}

function sources(): Sources {
  const markdown = [...walk(NM, (n) => n.toLowerCase().endsWith(".md")), ...walk("/usr/share/doc/nodejs/api", (n) => n.endsWith(".md"))];
  const docs = walk("/usr/share/doc", (n) => /^README(\.Debian)?(\.gz|\.md|\.txt)?$/i.test(n)).filter((p) => !p.startsWith("/usr/share/doc/nodejs/"));
  const man = ["man1", "man5", "man8"].flatMap((s) => walk(join("/usr/share/man", s), (n) => n.endsWith(".gz"))).slice(0, MAN_PAGES);
  return { markdown, docs, man };
}

function keyOf(s: Sources): string {
  const h = createHash("sha256").update(`v${BUILDER_VERSION}\n`);
  for (const p of [...s.markdown, ...s.docs, ...s.man]) {
    const st = lstatSync(p);
    h.update(`${p}\t${st.size}\t${st.mtimeMs}\n`);
  }
  return h.digest("hex").slice(0, 16);
}

/** groff's text rendering of a man page, without overstrike (bold/underline) sequences. */
function renderMan(path: string): string | undefined {
  const r = spawnSync("groff", ["-man", "-Tutf8", "-P-c", "-P-b", "-P-u"], { input: gunzipSync(readFileSync(path)), encoding: "utf8", timeout: 20_000, maxBuffer: 16 << 20 });
  return r.status === 0 && r.stdout.trim() ? r.stdout : undefined;
}

export interface Corpora {
  small: string;
  large: string;
  key: string;
  /** True when this call built them (false: taken from the cache). */
  built: boolean;
}

/** The two workspaces, built on first use and reused while the machine's files stay the same. */
export function corpora(log: (s: string) => void = () => {}): Corpora {
  const src = sources();
  const key = keyOf(src);
  const dir = join(cacheRoot(), key);
  const small = join(dir, "small");
  const large = join(dir, "large");
  if (existsSync(join(dir, "done"))) return { small, large, key, built: false };
  log(`building the RAG bench corpora in ${dir} (once)`);
  rmSync(dir, { recursive: true, force: true });
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  buildReadmeCorpus(join(tmp, "small"));
  const lg = join(tmp, "large");
  cpSync(join(tmp, "small"), join(lg, "readmes"), { recursive: true });
  const flat = (p: string) => p.replace(/^\/+/, "").replace(/[^\w.-]+/g, "_");
  src.markdown.forEach((p, i) => {
    const d = join(lg, "md", String(i % 64));
    mkdirSync(d, { recursive: true });
    cpSync(p, join(d, flat(p)));
  });
  src.docs.forEach((p, i) => {
    const d = join(lg, "doc", String(i % 16));
    mkdirSync(d, { recursive: true });
    const text = p.endsWith(".gz") ? gunzipSync(readFileSync(p)).toString("utf8") : readFileSync(p, "utf8");
    writeFileSync(join(d, flat(p).replace(/\.gz$/, "") + (/\.(md|txt)$/i.test(p) ? "" : ".txt")), text);
  });
  let pages = 0;
  src.man.forEach((p, i) => {
    const text = renderMan(p);
    if (!text) return;
    const d = join(lg, "man", String(i % 64));
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, flat(p).replace(/\.gz$/, "") + ".txt"), text);
    pages++;
    if (pages % 250 === 0) log(`  rendered ${pages} man pages`);
  });
  writeFileSync(join(tmp, "done"), JSON.stringify({ markdown: src.markdown.length, docs: src.docs.length, man: pages }));
  mkdirSync(cacheRoot(), { recursive: true });
  renameSync(tmp, dir);
  return { small, large, key, built: true };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = performance.now();
  const c = corpora((s) => console.log(s));
  console.log(JSON.stringify({ ...c, ms: Math.round(performance.now() - t0) }));
}
