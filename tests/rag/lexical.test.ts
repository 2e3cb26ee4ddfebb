import { test } from "node:test";
import assert from "node:assert/strict";
import { rrf } from "../../runtime/rag/fuse.js";
import { Bm25, stem, tokenize } from "../../runtime/rag/lexical.js";
import { summarize, bestSentence } from "../../runtime/rag/summary.js";

test("tokens keep identifiers whole and add their parts; plurals fold", () => {
  assert.deepEqual(tokenize("OPENCLAW_STATE_DIR"), ["openclaw_state_dir", "openclaw", "state", "dir"]);
  assert.deepEqual(tokenize("parseBind()"), ["parsebind", stem("parse"), "bind"]);
  assert.deepEqual(tokenize("How do we onboard new hires?"), ["onboard", "new", "hire"]);
  assert.equal(stem("policies"), stem("policy"));
  assert.equal(stem("demos"), "demo");
  assert.equal(stem("process"), "process");
});

test("stemmer: inflections and derived forms meet on one term; identifiers, short words and versions stay as written", () => {
  // the plural-only folding kept every pair below apart
  for (const [a, b] of [
    ["compressed", "compression"],
    ["running", "runs"],
    ["retrying", "retries"],
    ["parsing", "parses"],
    ["gzipped", "gzip"],
    ["directories", "directory"],
  ]) assert.equal(stem(a!), stem(b!), `${a} / ${b}`);
  assert.equal(stem("ids"), "ids", "three letters or fewer: as written");
  assert.equal(stem("utf8"), "utf8", "words with digits: as written");
  // a whole identifier is kept unstemmed beside its stemmed parts
  assert.deepEqual(tokenize("retryingFetches"), ["retryingfetches", stem("retrying"), stem("fetches")]);
  // and so a query in other inflections finds the passage
  const bm = new Bm25(["Archives are compressed with gzip before upload.", "Uploads run in parallel."]);
  assert.equal(bm.search("compression of an archive", 1)[0]?.row, 0);
});

test("BM25 ranks the document holding an exact identifier first and scores within [0,1]", () => {
  const docs = [
    "The state of the runtime lives in a directory chosen by the user.",
    "Set OPENCLAW_STATE_DIR to move the state directory.",
    "Bind addresses are parsed by parseBind into host and port.",
  ];
  const bm = new Bm25(docs);
  const [top] = bm.search("OPENCLAW_STATE_DIR", 3);
  assert.equal(top!.row, 1);
  assert.equal(bm.search("parseBind", 1)[0]!.row, 2);
  for (const h of bm.search("state directory bind", 3)) assert.ok(h.score > 0 && h.score <= 1);
  assert.deepEqual(bm.search("zebra", 3), []);
});

test("RRF favours items ranked well by both lists; ties break deterministically", () => {
  const fused = rrf([[1, 2, 3], [3, 1, 4]], 4);
  assert.equal(fused[0]!.row, 1); // ranks 1 and 2
  assert.equal(fused[1]!.row, 3); // ranks 3 and 1
  assert.ok(fused[0]!.score <= 1 && fused[0]!.score > fused[1]!.score);
  assert.deepEqual(fused[0]!.ranks, [1, 2]);
  assert.equal(rrf([[7], [7]], 1)[0]!.score, 1);
  assert.deepEqual(rrf([[5, 6], []], 2).map((f) => f.row), [5, 6]);
});

test("the summary is extractive, cites sources, one point per source, and is deterministic", () => {
  const hits = [
    { text: "# Plan\n\nFollow the 30-60-90 product training plan. Managers review it.", score: 0.9, source: "onboarding.md", lines: [3, 9] as [number, number] },
    { text: "More about the plan for new hires.", score: 0.8, source: "onboarding.md", lines: [10, 12] as [number, number] },
    { text: "Use recorded demo sessions for self-study. They are short.", score: 0.7, source: "demos/README.md", lines: [1, 4] as [number, number] },
  ];
  const q = "product training for new hires with demo sessions";
  const s = summarize(q, hits);
  assert.equal(s, summarize(q, hits));
  assert.equal(s, "Top recommendations: Follow the 30-60-90 product training plan (onboarding.md:3-9); Use recorded demo sessions for self-study (demos/README.md:1-4).");
  assert.match(summarize("x", []), /No passages/);
  assert.equal(bestSentence("Alpha beta. Gamma product training delta.", "product training"), "Gamma product training delta.");
});
