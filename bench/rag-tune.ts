/**
 * Chooses the hybrid fusion weights and the "nothing found" thresholds on the DEV questions
 * only (bench/data/rag-questions.json); the held-out set is never read here.
 *   RAG_EVAL_CACHE=dir node --import tsx bench/rag-tune.ts
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CachedEmbedder, evaluate, QUESTION_SETS, readmeRag, useLite } from "./rag-eval.js";

const cacheDir = process.env.RAG_EVAL_CACHE ?? mkdtempSync(join(tmpdir(), "openclaw-rag-tune-cache-"));
mkdirSync(cacheDir, { recursive: true });
const emb = new CachedEmbedder(await useLite(Number(process.env.RAG_EVAL_THREADS ?? 2)), join(cacheDir, "vectors.json"));
const root = mkdtempSync(join(tmpdir(), "openclaw-rag-tune-"));
try {
  const { rag, runtime } = await readmeRag(root, emb);
  const dev = QUESTION_SETS.dev;
  const base = await evaluate(rag, dev, ["lexical", "dense"]);
  for (const [m, s] of Object.entries(base.scores)) console.log(`${m.padEnd(28)} hit@1 ${s.hit1.toFixed(2)} hit@3 ${s.hit3.toFixed(2)} MRR@10 ${s.mrr10.toFixed(3)}`);
  const rows: Array<[string, number, number, number]> = [];
  for (const file of (process.env.TUNE_FILE ?? "0,0.1").split(",").map(Number)) {
    for (const lexical of (process.env.TUNE_LEX ?? "0.6,0.65,0.7,0.75,0.8,0.85,0.9,0.95").split(",").map(Number)) {
      rag.fusion = { lexical, dense: 1 - lexical, file };
      const s = (await evaluate(rag, dev, ["hybrid"])).scores.hybrid!;
      rows.push([`lex ${lexical} dense ${(1 - lexical).toFixed(2)} file ${file}`, s.hit1, s.hit3, s.mrr10]);
      console.log(`${rows.at(-1)![0].padEnd(28)} hit@1 ${s.hit1.toFixed(2)} hit@3 ${s.hit3.toFixed(2)} MRR@10 ${s.mrr10.toFixed(3)}`);
    }
  }
  emb.save();
  // evidence of answerable vs no-answer questions, for the thresholds
  rag.fusion = (await import("../runtime/rag/fuse.js")).FUSION;
  const { raw } = await evaluate(rag, dev, ["hybrid", "lexical"]);
  for (const m of Object.keys(raw)) {
    console.log(`-- ${m} evidence (lexical share, dense cosine): answerable | no-answer`);
    const fmt = (xs: typeof raw.hybrid) => xs!.map((x) => `${x.r.evidence?.lexical.toFixed(2)}/${x.r.evidence?.dense?.toFixed(2) ?? "-"}`).sort().join(" ");
    console.log("  A:", fmt(raw[m]!.filter((x) => x.answers.length)));
    console.log("  N:", fmt(raw[m]!.filter((x) => !x.answers.length)));
  }
  await rag.close();
  await runtime.close();
} finally {
  rmSync(root, { recursive: true, force: true });
}
