// The real Universal Sentence Encoder lite model, loaded from node_modules (no network).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { check } from "../../runtime/config/schema.js";
import { UseLiteEmbedder } from "../../runtime/rag/embedders/index.js";
import { ROOT } from "../helpers/index.js";
import { makeRag, makeRuntime } from "./helpers.js";

test("USE lite: unit vectors of 512 dims; similar sentences are closer than unrelated ones", async () => {
  const e = new UseLiteEmbedder();
  assert.match(e.id, /^use-lite@\d+\.\d+\.\d+$/);
  const [a, b, c] = await e.embed(["How do I book a meeting room?", "Reserving a conference room", "Salaries are paid monthly"]);
  const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
  assert.equal(a!.length, 512);
  assert.ok(Math.abs(dot(a!, a!) - 1) < 1e-4);
  assert.ok(dot(a!, b!) > dot(a!, c!) + 0.1, `${dot(a!, b!)} vs ${dot(a!, c!)}`);
});

test("USE lite ranks a paraphrased query's target chunk first (dense), and hybrid keeps it on top", async (t) => {
  const { runtime } = makeRuntime(t);
  const rag = makeRag(runtime);
  // paraphrases that share (almost) no words with their target passage
  const cases: Array<[string, string, number]> = [
    ["Where can I leave my bike at the office?", "bikes.md", 1],
    ["On which day of the month do we get paid?", "payroll.md", 1],
    ["how to switch the account my pay goes to", "payroll.md", 8],
    ["I need a shower after riding in", "bikes.md", 3],
    ["How do I reserve a conference room?", "notes/meeting.html", 7],
    ["my computer should be locked when I walk away", "notes/security.txt", 3],
    ["charts of eruptions", "notes/tour.ipynb", 3],
  ];
  for (const [q, source, line] of cases) {
    const dense = await rag.query(q, { mode: "dense", topk: 3 });
    const top = dense.results[0]!;
    assert.equal(top.source, source, `dense top for "${q}": ${dense.results.map((h) => h.source).join(", ")}`);
    assert.ok(top.lines[0] <= line && line <= top.lines[1], `line ${line} in ${top.lines}`);
    const hybrid = await rag.query(q, { topk: 3 });
    assert.equal(hybrid.results[0]!.source, source, `hybrid top for "${q}"`);
  }
});

test("lexical wins exact identifiers", async (t) => {
  const { runtime } = makeRuntime(t);
  const rag = makeRag(runtime);
  for (const id of ["parseBind", "isLoopbackHost", "OPENCLAW_STATE_DIR"]) {
    for (const mode of ["lexical", "hybrid"] as const) {
      const r = await rag.query(id, { mode, topk: 3 });
      assert.ok(r.results[0]!.text.includes(id), `${mode} top for ${id} is ${r.results[0]!.chunkId}`);
    }
  }
});

test("the seed's query over the sample workspace: 30-60-90 plan and recorded demos, in the seed's shape", async (t) => {
  const { runtime, workspace } = makeRuntime(t, { copyCorpus: false });
  cpSync(join(ROOT, "workspace"), workspace, { recursive: true });
  const r = await makeRag(runtime).query("How do we onboard new hires for product training?", { topk: 5 });
  assert.deepEqual(check("rag-result.schema.json", r), []);
  assert.equal(r.results[0]!.source, "onboarding.md");
  assert.match(r.results[0]!.text, /30-60-90 product training plan/);
  assert.ok(r.results.slice(0, 3).some((h) => h.source === "demos/README.md"), r.results.map((h) => h.source).join());
  assert.match(r.summary, /^Top recommendations: .*30-60-90 product training plan.*\(onboarding\.md:\d+-\d+\).*recorded demo sessions.*\(demos\/README\.md:\d+-\d+\)/);
  assert.equal(r.mode, "hybrid");
  assert.ok(r.results.every((h, i) => i === 0 || h.score <= r.results[i - 1]!.score));
});
