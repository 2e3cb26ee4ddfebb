/**
 * RAG benchmark, all in one run on this machine:
 * - indexing chunks/s with the real USE-lite model and peak RSS;
 * - retrieval quality (hit@1, hit@3, MRR@10, nothing-found rates) of lexical, dense and hybrid
 *   on the HELD-OUT questions of bench/data/rag-questions.json (see bench/rag-eval.ts) over the
 *   README files of packages in node_modules (documents this project did not write);
 * - in-kernel and fresh-CLI query p50 on that corpus and on a large one (tens of thousands of
 *   chunks of node_modules markdown and Node's API docs);
 * - query p50 (embed + search) at 1k, 10k and 100k chunks (synthetic clustered 512-d
 *   vectors; the query vectors are real embeddings), beside exact search / brute force;
 * - HNSW recall@5 against exact search at 100k synthetic and on real sentence embeddings;
 * - memory for 100k vectors + graph, beside the raw vector bytes.
 * RAG_BENCH_N overrides the largest scale (default 100000).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../runtime/config/index.js";
import { UseLiteEmbedder } from "../runtime/rag/embedders/index.js";
import { Rag } from "../runtime/rag/index.js";
import { HNSW_PARAMS, HNSW_THRESHOLD, VectorSearch, normalize } from "../runtime/rag/vectors.js";
import { Runtime } from "../runtime/runtime.js";
import { mulberry32 } from "../tests/fixtures/rag/tiny-bert.js";
import type { BenchRow } from "./types.js";
import { qualityRows, QUESTION_SETS, readmeRag, useLite } from "./rag-eval.js";

const NM = join(import.meta.dirname, "..", "node_modules");

/** The seed's README questions: used to tune the seed's RRF, so NOT held out; kept as query texts for the HNSW recall rows. The held-out set is bench/data/rag-questions.json. */
export const QUESTIONS: Array<[string, string]> = [
  ["convert a human readable duration like two days into milliseconds", "ms"],
  ["generate short unique URL-safe identifiers from a secure random source", "nanoid"],
  ["twenty-one characters instead of the thirty-six of a UUID", "nanoid"],
  ["find the full path of an executable on the PATH like the unix command", "which"],
  ["spawning child processes on Windows ignores PATHEXT and shebangs", "cross-spawn"],
  ["queue file opens and retry them after running out of file descriptors", "graceful-fs"],
  ["parse a string such as 1TB into a number of bytes", "bytes"],
  ["show file sizes to people using base-10 kilobytes", "pretty-bytes"],
  ["turn an arbitrary string into a safe file name by replacing reserved characters", "filenamify"],
  ["a faster event emitter that does not throw when an error event has no listener", "eventemitter3"],
  ["remove terminal colour escape codes from text", "strip-ansi"],
  ["glob expressions converted into regular expressions and the danger of untrusted patterns", "minimatch"],
  ["read and write YAML documents while keeping comments and blank lines", "yaml"],
  ["measure latency and throughput of functions with percentiles and margin of error", "tinybench"],
  ["a small local JSON file database updated with plain array methods", "lowdb"],
  ["retry a failing operation with exponential backoff", "retry"],
  ["with the default settings how long until the last attempt is made", "retry"],
  ["lock a file across processes with mkdir so it works on network file systems", "proper-lockfile"],
  ["make a predictable pseudorandom number generator from a seed", "seedrandom"],
  ["a JSON superset for config files written by hand with comments and trailing commas", "json5"],
  ["show an animated spinner in the terminal while something loads", "ora"],
  ["check whether a version number satisfies a range such as 1.x or >=2.5.0", "semver"],
  ["WebSocket server and client for Node.js with per-message compression", "ws"],
  ["turn on diagnostic logging for chosen namespaces through an environment variable", "debug"],
  ["filter file names according to the rules of a .gitignore file", "ignore"],
  ["style terminal strings with colours like red and bold", "chalk"],
];

function readme(pkg: string): string | undefined {
  for (const n of ["README.md", "readme.md", "Readme.md"]) if (existsSync(join(NM, pkg, n))) return join(NM, pkg, n);
  return undefined;
}

/** Unit vectors around 2000 topic centroids: closer to real embeddings than uniform noise (the hardest case for HNSW). */
function clustered(n: number, d: number, seed = 1) {
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const cent = Array.from({ length: 2000 }, () => normalize(Float32Array.from({ length: d }, gauss)));
  const v = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = cent[Math.floor(r() * cent.length)]!;
    const x = v.subarray(i * d, (i + 1) * d);
    for (let j = 0; j < d; j++) x[j] = c[j]! + gauss() * 0.06;
    normalize(x);
  }
  const queries = Array.from({ length: 200 }, () => normalize(Float32Array.from(cent[Math.floor(r() * cent.length)]!, (y) => y + gauss() * 0.06)));
  return { v, queries };
}

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Plain JS exact top-k by dot product: the brute-force peer. */
function bruteForce(v: Float32Array, d: number, q: Float32Array, k: number): number[] {
  const n = v.length / d;
  const best: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0, o = i * d; j < d; j++) s += v[o + j]! * q[j]!;
    if (best.length < k || s > best[best.length - 1]![1]) {
      best.push([i, s]);
      best.sort((a, b) => b[1] - a[1]);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b[0]);
}

function recallAt5(s: VectorSearch, queries: Float32Array[]): number {
  let hit = 0;
  for (const q of queries) {
    const truth = new Set(s.search(q, 5, { exact: true }).map((h) => h.row));
    hit += s.search(q, 5).filter((h) => truth.has(h.row)).length;
  }
  return hit / (queries.length * 5);
}

/** A hashed bag of words standing in for a sentence model where only latency at scale is measured (512-d, like USE-lite). */
class StandInEmbedder {
  constructor(readonly id: string) {}
  async dims() {
    return 512;
  }
  async embed(texts: string[]) {
    return texts.map((t) => {
      const v = new Float32Array(512);
      for (const m of t.toLowerCase().matchAll(/[a-z0-9]+/g)) {
        let h = 2166136261;
        for (const c of m[0]) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
        v[(h >>> 0) % 512]! += 1;
      }
      v[0]! += 1e-3;
      return normalize(v);
    });
  }
}

/** node_modules markdown (nested packages too) and Node's API docs: tens of thousands of chunks from this machine. */
function buildLargeCorpus(ws: string): number {
  let n = 0;
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory() && depth < 8) walk(p, depth + 1);
      else if (st.isFile() && name.endsWith(".md") && st.size < 4_000_000) {
        const dest = join(ws, "c", String(n++ % 64), p.replace(/[^\w.-]+/g, "_"));
        mkdirSync(join(dest, ".."), { recursive: true });
        cpSync(p, dest);
      }
    }
  };
  walk(NM, 0);
  walk("/usr/share/doc/nodejs", 0);
  return n;
}

function cliQuery(config: string, q: string, mode: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(import.meta.dirname, "..", "bin", "openclaw-kernel"), "rag", "query", q, "--json", "--mode", mode, "--config", config], { encoding: "utf8", env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root" }, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`rag query failed: ${r.stderr}`);
  return performance.now() - t0;
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const root = mkdtempSync(join(tmpdir(), "openclaw-rag-bench-"));
  try {
    // ---- retrieval quality on the HELD-OUT questions (never used for tuning) ----
    const embedder = (await useLite()) as UseLiteEmbedder;
    await embedder.embed(["warm up the model"]);
    const rss0 = process.resourceUsage().maxRSS;
    const { rag, runtime, report: rep } = await readmeRag(join(root, "readmes"), embedder);
    rows.push({ name: "indexing throughput (USE lite, README corpus)", value: rep.chunksPerSec, unit: "chunks/s", peer: "seed (issue 17)", peerValue: 12, ratio: rep.chunksPerSec / 12, target: ">= 120 chunks/s (10x)", pass: rep.chunksPerSec >= 120, note: `${rep.files} files, ${rep.chunks} chunks, ${(rep.tookMs / 1000).toFixed(1)} s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (before indexing ${(rss0 / 1024).toFixed(0)} MB)` });
    rows.push(...(await qualityRows(rag)));
    // in-kernel and CLI query p50 at this size
    const qs = QUESTION_SETS.heldout.map((q) => q[0]);
    const kernelP50 = async (r: typeof rag, mode: "hybrid" | "lexical") => {
      const xs: number[] = [];
      for (const q of qs) {
        const t = performance.now();
        await r.query(q, { mode });
        xs.push(performance.now() - t);
      }
      return p50(xs);
    };
    const smallCfg = join(root, "readmes", "openclaw.json");
    rows.push({ name: `in-kernel query p50, hybrid, ${rep.chunks} chunks`, value: await kernelP50(rag, "hybrid"), unit: "ms", note: "includes embedding the question with USE lite and the stat-only freshness check" });
    rows.push({ name: `in-kernel query p50, lexical, ${rep.chunks} chunks`, value: await kernelP50(rag, "lexical"), unit: "ms" });
    rows.push({ name: `CLI query p50 (fresh process), lexical, ${rep.chunks} chunks`, value: p50(qs.slice(0, 7).map((q) => cliQuery(smallCfg, q, "lexical"))), unit: "ms", target: "< 300 ms" });
    rows.push({ name: `CLI query p50 (fresh process), hybrid, ${rep.chunks} chunks`, value: p50(qs.slice(0, 5).map((q) => cliQuery(smallCfg, q, "hybrid"))), unit: "ms", note: "includes loading the USE lite model" });
    await rag.close();
    await runtime.close();

    // ---- a large corpus: latency only (stand-in vectors under USE lite's id, so the real CLI opens the index) ----
    const bigRoot = join(root, "big");
    const bigWs = join(bigRoot, "ws");
    const nFiles = buildLargeCorpus(bigWs);
    const bigCfg = join(bigRoot, "openclaw.json");
    writeFileSync(bigCfg, JSON.stringify({ agentDefaults: { workspace: bigWs }, stateDir: join(bigRoot, "state") }));
    const bigRt = new Runtime(loadConfig({ configPath: bigCfg, env: {}, cwd: bigRoot }), { host: "cli", env: {} });
    const bigRag = new Rag({ runtime: bigRt, embedder: new StandInEmbedder(embedder.id) as unknown as UseLiteEmbedder });
    const bigRep = await bigRag.index();
    const kBig = await kernelP50(bigRag, "hybrid");
    const kBigLex = await kernelP50(bigRag, "lexical");
    rows.push({ name: `in-kernel query p50, hybrid, ${bigRep.chunks} chunks`, value: kBig, unit: "ms", target: "< 20 ms + question embedding", note: `${nFiles} files; stand-in query vectors: add the USE lite embedding of one question (see the small corpus)` });
    rows.push({ name: `in-kernel query p50, lexical, ${bigRep.chunks} chunks`, value: kBigLex, unit: "ms", target: "< 20 ms", pass: kBigLex < 20 });
    const cliBig = p50(qs.slice(0, 7).map((q) => cliQuery(bigCfg, q, "lexical")));
    rows.push({ name: `CLI query p50 (fresh process), lexical, ${bigRep.chunks} chunks`, value: cliBig, unit: "ms", target: "< 300 ms", pass: cliBig < 300, note: "reads the saved BM25 index; the seed rebuilt it per process (5.2 s at 27k)" });
    await bigRag.close();
    await bigRt.close();

    let t0 = 0;
    // ---- recall on real embeddings: sentences of many READMEs ----
    const sentences: string[] = [];
    for (const p of ["execa", "ws", "ajv", "openai", "prom-client", "zeromq", "usearch", "commander", "semver", "tar", "glob", "diff", "fast-check", "yargs", "debug", "ignore", "picomatch", "jsonc-parser"]) {
      const f = readme(p);
      if (!f) continue;
      for (const s of readFileSync(f, "utf8").split(/(?<=[.!?])\s+|\n\s*\n/)) {
        const t = s.replace(/\s+/g, " ").trim();
        if (t.length > 30 && t.length < 300 && /[a-z]{3}/.test(t)) sentences.push(t);
      }
    }
    const realN = Math.min(sentences.length, 1000);
    const realVecs = await embedder.embed(sentences.slice(0, realN));
    const realFlat = new Float32Array(realN * 512);
    realVecs.forEach((v, i) => realFlat.set(v, i * 512));
    const realSearch = new VectorSearch(512, realFlat);
    realSearch.buildHnsw();
    const realQueries = await embedder.embed(QUESTIONS.map((q) => q[0]));
    const realRecall = recallAt5(realSearch, realQueries);
    rows.push({ name: `HNSW recall@5, real USE embeddings (${realN} sentences)`, value: realRecall, unit: "fraction", peer: "exact search", peerValue: 1, target: ">= 0.98", pass: realRecall >= 0.98 });

    // ---- scale: query p50 (embed + search) ----
    const qTexts = QUESTIONS.map((q) => q[0]);
    const bigN = Number(process.env.RAG_BENCH_N ?? 100_000);
    const { v: all, queries: synthQ } = clustered(bigN, 512);
    for (const n of [1_000, 10_000, bigN]) {
      const v = all.subarray(0, n * 512);
      const s = new VectorSearch(512, v);
      const hnsw = n > HNSW_THRESHOLD || n === bigN;
      let buildMs = 0;
      const rss0 = process.memoryUsage().rss;
      if (hnsw) {
        t0 = performance.now();
        s.buildHnsw();
        buildMs = performance.now() - t0;
      }
      const ours: number[] = [];
      const peer: number[] = [];
      for (let i = 0; i < 40; i++) {
        const q = qTexts[i % qTexts.length]!;
        let a = performance.now();
        const [qv] = await embedder.embed([q]);
        s.search(qv!, 5);
        ours.push(performance.now() - a);
        a = performance.now();
        const [qv2] = await embedder.embed([q]);
        if (hnsw) s.search(qv2!, 5, { exact: true });
        else bruteForce(v, 512, qv2!, 5);
        peer.push(performance.now() - a);
      }
      const label = hnsw ? "HNSW" : "exact (usearch)";
      rows.push({
        name: `query p50 embed+search, ${n / 1000}k chunks (${label})`,
        value: p50(ours),
        unit: "ms",
        peer: hnsw ? "embed + usearch exact search" : "embed + JS brute force",
        peerValue: p50(peer),
        ratio: p50(peer) / p50(ours),
        target: n === 10_000 ? "< 30 ms" : n >= 100_000 ? "< 30 ms" : undefined,
        pass: n === 10_000 || n >= 100_000 ? p50(ours) < 30 : undefined,
      });
      if (hnsw) {
        const recall = recallAt5(s, synthQ);
        rows.push({ name: `HNSW recall@5, ${n / 1000}k synthetic clustered 512-d`, value: recall, unit: "fraction", peer: "exact search", peerValue: 1, target: ">= 0.98", pass: recall >= 0.98, note: `connectivity ${HNSW_PARAMS.connectivity}, expansion add/search ${HNSW_PARAMS.expansion_add}/${HNSW_PARAMS.expansion_search}; build ${(buildMs / 1000).toFixed(1)} s` });
        const raw = n * 512 * 4;
        const used = process.memoryUsage().rss - rss0 + raw; // vectors were allocated before rss0
        rows.push({ name: `memory, ${n / 1000}k vectors + HNSW graph`, value: used / 1e6, unit: "MB", peer: "raw float32 vectors", peerValue: raw / 1e6, ratio: used / raw, note: `RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB total incl. the USE model` });
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}
