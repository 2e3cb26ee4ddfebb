import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/index.js";
import { allText, cell, executeNotebook, mimeTypes, type Cell } from "./execute.js";

// One state dir for the lessons, like a user working through them in order.
const state = mkdtempSync(join(tmpdir(), "openclaw-lessons-"));
after(() => rmSync(state, { recursive: true, force: true }));
const env = { OPENCLAW_STATE_DIR: state, OPENAI_API_KEY: "", OPENCLAW_GGUF: "" };
const jsonOf = (c: Cell) => c.outputs.find((o) => o.data?.["application/json"])!.data!["application/json"] as Record<string, any>;
const RICH = ["application/json", "text/html", "text/markdown", "text/plain"];

test("02 skills and exec governance: literal arguments, refusals, timeout, background notice, audit", (t) => {
  const { cells } = executeNotebook(t, "02-skills-and-exec", env);
  assert.deepEqual(mimeTypes(cell(cells, "%openclaw skills list")), RICH);
  assert.match(allText(cell(cells, "%%openclaw skill")), /word-count/);
  assert.match(allText(cell(cells, "%openclaw skills run word-count")), /\d+ onboarding\.md/);
  assert.match(allText(cell(cells, `%openclaw skills run greet name='"; rm -rf ~ #'`)), /Hello "; rm -rf ~ #/);
  assert.match(allText(cell(cells, "%openclaw skills run greet name='$(touch pwned)")), /Hello \$\(touch pwned\) `touch pwned2`/);
  assert.match(allText(cell(cells, 'import { existsSync } from "node:fs";')), /pwned: false,\s*pwned2: false/);
  assert.ok(!existsSync(join(ROOT, "workspace", "pwned")));
  assert.match(allText(cell(cells, "%openclaw skills run greet name=--version")), /option_injection/);
  assert.match(allText(cell(cells, "%openclaw skills run hang")), /timeout/);
  assert.match(allText(cell(cells, 'import { readdirSync, readFileSync } from "node:fs";')), /nothing survived the timeout/);
  assert.match(allText(cell(cells, "%openclaw skills run sleepy seconds=4")), /running/);
  // The exit notice arrives exactly once, in whichever cell runs when the session ends.
  const id = /"id":\s*"([a-z0-9]+)"/.exec(allText(cell(cells, "%openclaw skills run sleepy seconds=4")))![1]!;
  // ... as a notice display of its own (not a red stderr line).
  const notices = cells.flatMap((c) => c.outputs.filter((o) => o.output_type === "display_data" && ([] as string[]).concat((o.data?.["text/plain"] as string | string[] | undefined) ?? []).join("").includes(`[exec ${id}] exited with code 0`)));
  assert.ok(!cells.some((c) => c.outputs.some((o) => o.output_type === "stream" && String(o.text).includes(`[exec ${id}] exited`))), "no stderr notice");
  assert.equal(notices.length, 1, "exactly one exit notice");
  const tail = allText(cell(cells, "%openclaw audit tail -n 6"));
  assert.match(tail, /deny|denied/);
  assert.deepEqual(jsonOf(cell(cells, "%openclaw audit verify")).ok, true);
});

test("03 local RAG: index, cited answers from the seed's documents, the bundled skill, incremental re-index", (t) => {
  const { cells } = executeNotebook(t, "03-local-rag", env);
  const q = cell(cells, '%openclaw rag query "How do we onboard new hires for product training?"');
  // A paraphrase: lexical finds nothing, dense finds the expense-claims section.
  assert.match(allText(cell(cells, '%openclaw rag query "Who reimburses the money I spent on a business journey?" --mode lexical')), /0 passages|No passages/);
  assert.match(allText(cell(cells, '%openclaw rag query "Who reimburses the money I spent on a business journey?" --mode dense')), /travel-and-expenses\.md/);
  assert.deepEqual(mimeTypes(q), RICH);
  const json = q.outputs.find((o) => o.data?.["application/json"])!.data!["application/json"] as { results: Array<{ source: string; lines: number[] }>; summary: string };
  assert.equal(json.results[0]!.source, "onboarding.md");
  assert.ok(json.results.some((r) => r.source === "demos/README.md"), "the recorded demos are cited");
  assert.match(json.summary, /30-60-90/);
  assert.match(String(q.outputs.find((o) => o.data?.["text/html"])!.data!["text/html"]), /onboarding\.md/);
  const skill = allText(cell(cells, "%openclaw skills run local-rag"));
  assert.match(skill, /"source": "onboarding.md"/);
  assert.match(allText(cell(cells, "const r = await openclaw.rag.query")), /onboarding\.md:\d+-\d+/);
  const reindex = cells.filter((c) => c.source.startsWith("%openclaw rag index"));
  assert.equal(reindex.length, 2);
  assert.ok((jsonOf(reindex[0]!).embeddedChunks as number) > 0);
  assert.equal(jsonOf(reindex[1]!).embeddedChunks, 0, "unchanged files are not embedded again");
});

test("04 agent turns: a scripted, labelled turn that calls local-rag through the choke point", (t) => {
  const { cells } = executeNotebook(t, "04-agent-turns", env);
  assert.match(allText(cell(cells, "%openclaw models list")), /openai\/gpt-4o-mini/);
  const turn = cell(cells, "%%openclaw agent --model scripted/onboarding.json");
  const text = allText(turn);
  assert.match(text, /SCRIPTED/i);
  assert.match(text, /local-rag/);
  assert.match(text, /30-60-90/);
  assert.ok(mimeTypes(turn).includes("text/html"));
  // The key check asks the runtime's secrets (what `%openclaw secret` fills), not process.env.
  assert.match(allText(cell(cells, 'const { secrets } = (await openclaw.magic("secret list --json"))')), /not set \(neither in the environment nor entered here\): skipped/);
  const alias = cell(cells, '%openclaw agent "How do we onboard new hires?" --model openai/gpt-4o-latest');
  assert.ok(alias.outputs.some((o) => o.output_type === "error" && o.ename === "SafetyError"), "the floating alias is refused");
  // Conversation: the follow-up continued the thread; history shows both exchanges.
  const history = jsonOf(cell(cells, "%openclaw agent history"));
  assert.equal(history.thread, "main");
  assert.deepEqual(history.exchanges.map((e: any) => e.prompt), ["How do we onboard new hires for product training?", "Which part of that plan should a new hire start with?"]);
  assert.equal(jsonOf(cell(cells, "%openclaw agent threads")).current, "main");
  // Record and replay: the exported file replays the same answer; a changed prompt reports the divergence.
  assert.match(allText(cell(cells, "const live = ")), /scripted\/recorded-onboarding\.json/);
  const replay = jsonOf(cell(cells, "%%openclaw agent --new --model scripted/recorded-onboarding.json\nWhich part of the plan should a new hire start with?"));
  assert.equal(replay.status, "ok", replay.error);
  assert.match(replay.final, /30-60-90/);
  const diverged = allText(cell(cells, "%%openclaw agent --new --model scripted/recorded-onboarding.json\nWhich part of the plan can a new hire skip?"));
  assert.match(diverged, /diverged from the recording at step 1: message 2 \(the user's prompt\) differs/);
  assert.ok(!existsSync(join(ROOT, "notebooks", "scripts", "recorded-onboarding.json")), "the lesson removed its exported file");
  assert.match(allText(cell(cells, "%openclaw audit tail -n 2")), /scripted\/onboarding\.json/);
});

test("05 safety lab: injection, unauthorised patch, literal argument, approval: each stopped and audited", (t) => {
  const { cells } = executeNotebook(t, "05-safety-lab", env);
  const turn = allText(cell(cells, "%%openclaw agent --model scripted/injected.json"));
  assert.match(turn, /apply_patch/);
  assert.match(turn, /denied/);
  assert.match(allText(cell(cells, "%openclaw audit tail -n 4")), /apply_patch[\s\S]*deny/);
  assert.match(allText(cell(cells, "%openclaw skills run greet name='$(touch pwned)")), /Hello \$\(touch pwned\); rm -rf ~ #/);
  assert.match(allText(cell(cells, 'import { existsSync } from "node:fs";')), /false/);
  assert.match(allText(cell(cells, "%openclaw skills run greet name=--help")), /option_injection/);
  assert.match(allText(cell(cells, "%openclaw skills run clean-build")), /approval\.none/, "headless: nobody could answer, not a person's no");
  const verify = jsonOf(cell(cells, "%openclaw audit verify"));
  assert.equal(verify.ok, true);
  assert.equal(verify.firstBadSeq, null);
  assert.ok(!existsSync(join(ROOT, "workspace", "pwned")));
});
