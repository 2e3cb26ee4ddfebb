/**
 * Retrieval quality on questions we wrote ourselves (bench/data/rag-questions.json) over the
 * README.md of every package in node_modules. `dev` is for choosing settings, `heldout` is
 * what gets reported. Run directly to print both:
 *   node --import tsx bench/rag-eval.ts [dev|heldout] [RAG_EVAL_CACHE=dir keeps vectors between runs]
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../runtime/config/index.js";
import { UseLiteEmbedder, type Embedder } from "../runtime/rag/embedders/index.js";
import { Rag } from "../runtime/rag/index.js";
import type { RagMode, RagResult } from "../runtime/rag/types.js";
import { Runtime } from "../runtime/runtime.js";
import type { BenchRow } from "./types.js";

const NM = join(import.meta.dirname, "..", "node_modules");
export type Question = [q: string, answers: string[]];
export const QUESTION_SETS = JSON.parse(readFileSync(join(import.meta.dirname, "data", "rag-questions.json"), "utf8")) as { dev: Question[]; heldout: Question[] };

/** Every top-level package's README (scoped ones too), as <package>/README.md. Returns the package names. */
export function buildReadmeCorpus(ws: string): string[] {
  const pkgs: string[] = [];
  const names = readdirSync(NM).flatMap((n) => (n.startsWith("@") ? readdirSync(join(NM, n)).map((m) => `${n}/${m}`) : n.startsWith(".") ? [] : [n]));
  for (const p of names.sort()) {
    const f = ["README.md", "readme.md", "Readme.md"].map((n) => join(NM, p, n)).find((x) => existsSync(x));
    if (!f) continue;
    mkdirSync(join(ws, p), { recursive: true });
    cpSync(f, join(ws, p, "README.md"));
    pkgs.push(p);
  }
  return pkgs;
}

/**
 * USE-lite from the compiled package (dist/), whose worker threads exist; run from sources
 * (tsx) the embedder has no compiled worker to start and stays on one thread.
 */
export async function useLite(threads?: number): Promise<Embedder> {
  const dist = process.env.RAG_EVAL_USELITE ?? join(import.meta.dirname, "..", "dist", "runtime", "rag", "embedders", "use-lite.js");
  if (existsSync(dist)) {
    const m = (await import(dist)) as { UseLiteEmbedder: new (o: { threads?: number }) => Embedder };
    return new m.UseLiteEmbedder({ threads });
  }
  return new UseLiteEmbedder({ threads });
}

/** An embedder that remembers vectors by text in a file, so re-running the eval does not re-embed. */
export class CachedEmbedder implements Embedder {
  readonly id: string;
  private cache = new Map<string, Float32Array>();
  misses = 0;
  constructor(private readonly inner: Embedder, private readonly file?: string) {
    this.id = inner.id;
    if (file && existsSync(file)) {
      const j = JSON.parse(readFileSync(file, "utf8")) as Record<string, number[]>;
      for (const [k, v] of Object.entries(j)) this.cache.set(k, Float32Array.from(v));
    }
  }
  dims() {
    return this.inner.dims();
  }
  prepare(total: number) {
    this.inner.prepare?.(total);
  }
  idle() {
    return this.inner.idle?.() ?? Promise.resolve();
  }
  close() {
    return this.inner.close?.() ?? Promise.resolve();
  }
  async embed(texts: string[], signal?: AbortSignal) {
    const key = (t: string) => createHash("sha1").update(t).digest("hex");
    const miss = [...new Set(texts.filter((t) => !this.cache.has(key(t))))];
    if (miss.length) {
      this.misses += miss.length;
      const v = await this.inner.embed(miss, signal);
      miss.forEach((t, i) => this.cache.set(key(t), v[i]!));
    }
    return texts.map((t) => this.cache.get(key(t))!);
  }
  save() {
    if (!this.file) return;
    const o: Record<string, number[]> = {};
    for (const [k, v] of this.cache) o[k] = Array.from(v, (x) => Math.round(x * 1e6) / 1e6);
    writeFileSync(this.file, JSON.stringify(o));
  }
}

export interface ModeScores {
  hit1: number;
  hit3: number;
  mrr10: number;
  /** Answerable questions judged "nothing found" (lost). */
  lost: number;
  /** No-answer questions judged "nothing found" (right). */
  refused: number;
  answerable: number;
  noAnswer: number;
}

export function score(results: Array<{ answers: string[]; r: RagResult }>): ModeScores {
  const s: ModeScores = { hit1: 0, hit3: 0, mrr10: 0, lost: 0, refused: 0, answerable: 0, noAnswer: 0 };
  for (const { answers, r } of results) {
    const found = (r as RagResult & { found?: boolean }).found !== false;
    if (!answers.length) {
      s.noAnswer++;
      if (!found) s.refused++;
      continue;
    }
    s.answerable++;
    if (!found) s.lost++;
    const rank = r.results.findIndex((h) => answers.includes(h.source.replace(/\/README\.md$/, "")));
    if (rank === 0) s.hit1++;
    if (rank >= 0 && rank < 3) s.hit3++;
    if (rank >= 0 && rank < 10) s.mrr10 += 1 / (rank + 1);
  }
  const n = s.answerable || 1;
  return { ...s, hit1: s.hit1 / n, hit3: s.hit3 / n, mrr10: s.mrr10 / n };
}

export async function evaluate(rag: Rag, qs: Question[], modes: RagMode[] = ["lexical", "dense", "hybrid"]) {
  const out: Record<string, ModeScores> = {};
  const raw: Record<string, Array<{ q: string; answers: string[]; r: RagResult }>> = {};
  for (const mode of modes) {
    const rs = [];
    for (const [q, answers] of qs) rs.push({ q, answers, r: await rag.query(q, { mode, topk: 10 }) });
    raw[mode] = rs;
    out[mode] = score(rs);
  }
  return { scores: out, raw };
}

/**
 * The RAG quality rows of `npm run bench`: hit@1, hit@3 and MRR@10 of every mode beside
 * lexical, first on the held-out questions (never used to choose a setting), then on the dev
 * questions the settings were chosen on, each labelled as such; and the "nothing found" rates.
 */
export async function qualityRows(rag: Rag): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [set, label] of [
    ["heldout", "held-out (not tuned on)"],
    ["dev", "dev (tuned on)"],
  ] as const) {
    const { scores } = await evaluate(rag, QUESTION_SETS[set]);
    const lex = scores.lexical!;
    for (const mode of ["lexical", "dense", "hybrid"]) {
      const s = scores[mode]!;
      const gate = mode === "hybrid" && set === "heldout";
      const metric = (name: string, v: number, peer: number, note?: string): BenchRow => ({
        name: `${label} ${name}, ${mode}`,
        value: Math.round(v * 1000) / 1000,
        unit: "fraction",
        peer: "lexical",
        peerValue: Math.round(peer * 1000) / 1000,
        ...(gate ? { target: ">= lexical", pass: v >= peer } : {}),
        ...(note ? { note } : {}),
      });
      rows.push(metric("hit@1", s.hit1, lex.hit1, `${s.answerable} answerable + ${s.noAnswer} no-answer ${set === "heldout" ? "held-out" : "dev"} questions; nothing found on ${s.refused}/${s.noAnswer} no-answer, ${s.lost}/${s.answerable} answerable lost`));
      rows.push(metric("hit@3", s.hit3, lex.hit3));
      rows.push(metric("MRR@10", s.mrr10, lex.mrr10));
    }
  }
  return rows;
}

/** A Rag over a fresh copy of the README corpus, in `root`. */
export async function readmeRag(root: string, embedder: Embedder) {
  const ws = join(root, "ws");
  const pkgs = buildReadmeCorpus(ws);
  const cfg = join(root, "openclaw.json");
  writeFileSync(cfg, JSON.stringify({ agentDefaults: { workspace: ws }, stateDir: join(root, "state") }));
  const runtime = new Runtime(loadConfig({ configPath: cfg, env: {}, cwd: root }), { host: "cli", env: {} });
  const rag = new Rag({ runtime, embedder });
  const report = await rag.index();
  return { rag, runtime, report, pkgs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const which = (process.argv[2] ?? "dev") as "dev" | "heldout";
  const cacheDir = process.env.RAG_EVAL_CACHE;
  if (cacheDir) mkdirSync(cacheDir, { recursive: true });
  const emb = new CachedEmbedder(await useLite(Number(process.env.RAG_EVAL_THREADS ?? 2)), cacheDir ? join(cacheDir, "vectors.json") : undefined);
  const root = mkdtempSync(join(tmpdir(), "openclaw-rag-eval-"));
  try {
    const { rag, runtime, report } = await readmeRag(root, emb);
    emb.save();
    console.log(`${report.files} files, ${report.chunks} chunks, embedded ${emb.misses} new texts`);
    const { scores, raw } = await evaluate(rag, QUESTION_SETS[which]);
    const label = which === "heldout" ? "held-out (not tuned on)" : "dev (tuned on)";
    for (const [m, s] of Object.entries(scores)) console.log(`${label} ${m.padEnd(8)} hit@1 ${s.hit1.toFixed(2)} hit@3 ${s.hit3.toFixed(2)} MRR@10 ${s.mrr10.toFixed(2)}  nothing-found: no-answer ${s.refused}/${s.noAnswer}, answerable lost ${s.lost}/${s.answerable}`);
    if (process.env.RAG_EVAL_VERBOSE) {
      for (const m of Object.keys(raw)) for (const x of raw[m]!) console.log(m, JSON.stringify(x.q), x.answers.join(","), "->", x.r.results.slice(0, 3).map((h) => `${h.source}(${h.score}|d${h.denseScore ?? "-"}|l${h.lexicalScore ?? "-"})`).join(" "), (x.r as { found?: boolean }).found === false ? "NOTFOUND" : "");
    }
    if (process.env.RAG_EVAL_DUMP) writeFileSync(process.env.RAG_EVAL_DUMP, JSON.stringify(raw));
    await rag.close();
    await runtime.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
