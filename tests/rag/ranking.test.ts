import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diversify, FUSION, fuseScores } from "../../runtime/rag/fuse.js";
import { isFound } from "../../runtime/rag/summary.js";
import { readChunks } from "../../runtime/rag/store.js";
import { CountingEmbedder, makeRag, makeRuntime } from "./helpers.js";

test("fusion: a dense-only #1 and a lexical-only #1 do not tie; lexical evidence wins, never row order", () => {
  // row 0 is first by cosine only, row 9 first by BM25 only (RRF scored both exactly 0.5)
  const cands = [
    { row: 0, bm25: 0, cosine: 0.62 },
    { row: 9, bm25: 7.5, cosine: 0.41 },
    { row: 4, bm25: 3, cosine: 0.5 },
    { row: 5, bm25: 1, cosine: 0.2 },
  ];
  const fused = fuseScores(cands, { lexical: 0.5, dense: 0.5, file: 0 });
  assert.notEqual(fused[0]!.score, fused[1]!.score, "scores, not ranks: no structural tie");
  assert.equal(fused[0]!.row, 9);
  // the order does not depend on the order rows come in
  assert.deepEqual(fuseScores([...cands].reverse(), { lexical: 0.5, dense: 0.5, file: 0 }).map((f) => f.row), fused.map((f) => f.row));
  // with only the two, min-max scaling makes them equal: raw BM25 (lexical evidence) decides
  const two = fuseScores(cands.slice(0, 2).reverse(), { lexical: 0.5, dense: 0.5, file: 0 });
  assert.equal(two[0]!.score, two[1]!.score);
  assert.equal(two[0]!.row, 9);
  // equal fused scores break on raw BM25, then cosine, and only then on row
  const tie = fuseScores(
    [
      { row: 1, bm25: 2, cosine: 0.3 },
      { row: 2, bm25: 4, cosine: 0.3 },
    ],
    { lexical: 0, dense: 1, file: 0 },
  );
  assert.deepEqual(tie.map((t) => t.row), [2, 1]);
});

test("fusion (default weights): dense breaks lexical near-ties but never overturns a clear lexical lead", () => {
  // row 3 has a clear lexical lead (BM25 10 against 7: 30% of the best apart); row 8 is the
  // dense favourite. The earlier 0.6/0.4 weights let USE-lite put row 8 first.
  const clear = [
    { row: 3, bm25: 10, cosine: 0.3 },
    { row: 8, bm25: 7, cosine: 0.8 },
    { row: 5, bm25: 1, cosine: 0.35 },
  ];
  assert.equal(fuseScores(clear, { lexical: 0.6, dense: 0.4, file: 0 })[0]!.row, 8, "the old weights let dense overturn it");
  assert.equal(fuseScores(clear)[0]!.row, 3);
  // a near-tie (BM25 10 against 9): the dense side decides
  const near = [
    { row: 3, bm25: 10, cosine: 0.3 },
    { row: 8, bm25: 9, cosine: 0.8 },
    { row: 5, bm25: 1, cosine: 0.35 },
  ];
  assert.equal(fuseScores(near)[0]!.row, 8);
  assert.ok(FUSION.dense / FUSION.lexical <= 0.25 && FUSION.dense > 0);
});

test("fusion: the file-level signal lifts the passage whose file is about the question", () => {
  const c = [
    { row: 1, bm25: 5, cosine: 0.5, fileBm25: 0 },
    { row: 2, bm25: 4.8, cosine: 0.5, fileBm25: 6 },
  ];
  assert.equal(fuseScores(c, { lexical: 0.6, dense: 0.4, file: 0 })[0]!.row, 1);
  assert.equal(fuseScores(c, { lexical: 0.6, dense: 0.4, file: 0.25 })[0]!.row, 2);
});

test("diversity: at most two passages per file, identical texts once, the rest only to fill", () => {
  const info = (row: number) => ({ source: row < 5 ? "a.md" : "b.md", text: row === 6 ? "same text" : row === 7 ? "same  TEXT" : `text ${row}` });
  const ranked = [0, 1, 2, 6, 7, 3, 8].map((row) => ({ row }));
  assert.deepEqual(diversify(ranked, 4, info).map((r) => r.row), [0, 1, 6, 8]);
  // too few other files: the third a.md passage fills in after the others
  assert.deepEqual(diversify(ranked, 6, info).map((r) => r.row), [0, 1, 6, 8, 2, 3]);
});

test("'nothing found' thresholds: lexical evidence or a close dense match", () => {
  assert.equal(isFound(0.9, 0.1), true);
  assert.equal(isFound(0.05, 0.9), true);
  assert.equal(isFound(0.05, 0.1), false);
  assert.equal(isFound(0.05, undefined), false);
});

test("a question the workspace does not answer: found is false, the summary says so, passages still listed", async (t) => {
  const { runtime } = makeRuntime(t);
  const rag = makeRag(runtime, new CountingEmbedder());
  const no = await rag.query("zeppelin mooring procedure for hydrogen airships", { mode: "lexical" });
  assert.equal(no.found, false);
  assert.match(no.summary, /^Nothing relevant found/);
  assert.doesNotMatch(no.summary, /Top recommendations/);
  const yes = await rag.query("espresso machine descaled", { mode: "lexical" });
  assert.equal(yes.found, true);
  assert.match(yes.summary, /^Top recommendations: .*kitchen\.md/);
  assert.ok(yes.evidence!.lexical > no.evidence!.lexical);
});

test("identical passages in two files are indexed once", async (t) => {
  const { runtime, workspace } = makeRuntime(t);
  const notice = "This document is licensed under the Example Licence. Copies must keep this notice and the list of conditions.";
  writeFileSync(join(workspace, "a-copy.md"), `# A\n\n${notice}\n`);
  writeFileSync(join(workspace, "b-copy.md"), `# A\n\n${notice}\n`);
  const rag = makeRag(runtime, new CountingEmbedder());
  const r = await rag.index();
  const m = JSON.parse(readFileSync(join(r.indexDir, "manifest.json"), "utf8"));
  assert.equal(m.files["b-copy.md"].chunks, 0, "on record, with no passages of its own");
  assert.equal(readChunks(r.indexDir, m).all().filter((c: { text: string }) => c.text.includes("Example Licence")).length, 1);
  const q = await rag.query("Example Licence conditions notice", { mode: "lexical", topk: 10 });
  assert.equal(q.results.filter((h) => h.text.includes("Example Licence")).length, 1);
  // and it is not read again while unchanged
  const again = await makeRag(runtime, new CountingEmbedder()).index();
  assert.deepEqual(again.embeddedFiles, []);
  assert.equal(again.unchangedFiles, again.files);
});

test("freshness: a query on an unchanged workspace rescans nothing (stat only); a change is still seen", async (t) => {
  const { runtime, workspace } = makeRuntime(t);
  const emb = new CountingEmbedder();
  const rag = makeRag(runtime, emb);
  await rag.query("espresso", { mode: "lexical" });
  const scans = rag.scans;
  for (let i = 0; i < 3; i++) await rag.query("fridge rules", { mode: "lexical" });
  assert.equal(rag.scans, scans, "no rescan while nothing changed");
  // an edited file, a new file in a subfolder and a removed file are each noticed
  writeFileSync(join(workspace, "kitchen.md"), "# Kitchen\n\nThe toaster lives beside the sink and is cleaned on Mondays by whoever used it last.\n");
  const edited = await rag.query("toaster cleaned Mondays", { mode: "lexical" });
  assert.equal(rag.scans, scans + 1);
  assert.equal(edited.results[0]!.source, "kitchen.md");
  mkdirSync(join(workspace, "deep", "er"), { recursive: true });
  writeFileSync(join(workspace, "deep", "er", "new.md"), "# New\n\nQuokkas are photographed on Rottnest Island every summer by visiting tourists.\n");
  const added = await rag.query("quokkas Rottnest", { mode: "lexical" });
  assert.equal(added.results[0]!.source, "deep/er/new.md");
  rmSync(join(workspace, "deep", "er", "new.md"));
  const removed = await rag.query("quokkas Rottnest", { mode: "lexical" });
  assert.ok(!removed.results.some((h) => h.source === "deep/er/new.md"));
});

test("the BM25 index is saved beside the vectors and read back by a new process; a broken copy is rebuilt", async (t) => {
  const { existsSync, writeFileSync: write, readFileSync } = await import("node:fs");
  const { LEXICAL_BIN, LEXICAL_META, LEXICAL_TERMS } = await import("../../runtime/rag/store.js");
  const { runtime } = makeRuntime(t);
  const r = await makeRag(runtime, new CountingEmbedder()).index();
  assert.ok(existsSync(join(r.indexDir, LEXICAL_META)) && existsSync(join(r.indexDir, LEXICAL_BIN)));
  assert.ok(readFileSync(join(r.indexDir, LEXICAL_TERMS), "utf8").split("\n").includes("espresso"));
  const a = await makeRag(runtime, new CountingEmbedder()).query("espresso machine descaled", { mode: "lexical" });
  write(join(r.indexDir, LEXICAL_BIN), "garbage");
  const b = await makeRag(runtime, new CountingEmbedder()).query("espresso machine descaled", { mode: "lexical" });
  assert.deepEqual(b.results.map((h) => [h.source, h.score]), a.results.map((h) => [h.source, h.score]));
  assert.equal(a.results[0]!.source, "kitchen.md");
  // and the rebuilt copy was saved again
  assert.notEqual(readFileSync(join(r.indexDir, LEXICAL_BIN)).toString(), "garbage");
});
