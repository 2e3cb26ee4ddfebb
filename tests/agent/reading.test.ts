/**
 * Issue 13, items 8 and 9: the agent's answer reads as Markdown (safely) with its
 * citations linked to the cited file at those lines; tool results in the RAG shape show as
 * citation cards, other JSON pretty and folded, long output trimmed with its size.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { makeContext } from "../../magics/commands/context.js";
import { dispatch } from "../../magics/dispatch.js";
import { findCitations, renderMarkdown, workspaceLinker } from "../../magics/render/markdown.js";
import { outputHtml, renderTranscript } from "../../magics/render/transcript.js";
import type { RuntimeEvent } from "../../runtime/events.js";
import { tmp, writeFile } from "../helpers/index.js";
import { writeSkill } from "../fixtures/models/runtime.js";

const ragJson = (n: number) =>
  JSON.stringify({
    query: "How do we onboard new hires?",
    mode: "hybrid",
    embedder: "use-lite@0.2.0",
    tookMs: 4,
    summary: "Onboarding follows a 30-60-90 plan.",
    results: Array.from({ length: n }, (_, i) => ({ source: "onboarding.md", lines: [7 + i, 22 + i], score: 0.9 - i / 10, text: `New hires onboard with the 30-60-90 product training plan, passage ${i}. `.repeat(8) })),
  });

test("the answer renders as Markdown with raw HTML off, only http(s) links, and citations linked to the file at its lines", () => {
  const link = (s: string, a: number) => (s === "onboarding.md" ? `../workspace/onboarding.md#line=${a}` : undefined);
  const html = renderMarkdown(
    "**Plan**: follow the 30-60-90 plan (onboarding.md:7-22) and `onboarding.md:30-31`; not nope.md:1-2.\n\n<img src=x onerror=alert(1)><script>alert(2)</script> [a](javascript:alert(3)) [b](data:text/html,x) [c](../../etc/passwd) [d](https://example.org/x)",
    link,
  );
  assert.match(html, /<strong>Plan<\/strong>/);
  assert.match(html, /<a href="\.\.\/workspace\/onboarding\.md#line=7" title="onboarding\.md lines 7–22" class="oc-cite"[^>]*>onboarding\.md:7-22<\/a>/);
  assert.match(html, /<a href="\.\.\/workspace\/onboarding\.md#line=30"[^>]*><code[^>]*>onboarding\.md:30-31<\/code><\/a>/);
  assert.doesNotMatch(html, /href="[^"]*nope/, "a citation the resolver refuses stays text");
  assert.doesNotMatch(html, /<img|<script|href="javascript|href="data|href="\.\.\/\.\.\/etc/i);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(html, /<a href="https:\/\/example\.org\/x"/);
  assert.deepEqual(findCitations("see a/b.md:3-4 and c.txt:9"), [{ source: "a/b.md", from: 3, to: 4 }, { source: "c.txt", from: 9, to: 9 }]);
});

test("citation links stay inside the workspace and point at existing files, relative to the notebook's folder", () => {
  const exists = (p: string) => p === "/nb/workspace/onboarding.md" || p === "/nb/workspace/my docs/a b.md" || p === "/etc/passwd";
  const link = workspaceLinker("/nb/workspace", "/nb/notebooks", exists);
  assert.equal(link("onboarding.md", 7, 22), "../workspace/onboarding.md#line=7");
  assert.equal(link("my docs/a b.md", 1, 2), "../workspace/my%20docs/a%20b.md#line=1");
  assert.equal(link("../../etc/passwd", 1, 1), undefined);
  assert.equal(link("missing.md", 1, 1), undefined);
});

test("tool results: RAG JSON as citation cards, other JSON folded and pretty, long text trimmed with its size", () => {
  const rag = outputHtml(ragJson(5), "stdout");
  assert.match(rag, /oc-tool-rag/);
  assert.equal((rag.match(/class="oc-citation"/g) ?? []).length, 5);
  assert.match(rag, /5 cited passages \(\d+\.\d KB\)/);
  const json = outputHtml(JSON.stringify({ ok: true, items: [1, 2, 3] }), "stdout");
  assert.match(json, /<details[^>]*><summary[^>]*>stdout: JSON object: ok, items \(\d+ B\)<\/summary><pre[^>]*>\{\n {2}&quot;ok&quot;: true/);
  const long = outputHtml(Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n"), "stdout");
  assert.match(long, /stdout: 40 lines, \d+ B; the first 12 shown/);
  assert.match(long, /<details[^>]*><summary[^>]*>all 40 lines<\/summary>/);
  const tail = outputHtml(`…${"x".repeat(2000)}`, "stdout");
  assert.match(tail, /output trimmed, the last 2\.0 KB shown/);
  assert.doesNotMatch(tail, /oc-tool-json|oc-tool-rag/);
  // an output that only looks like RAG (a passage without lines) is not drawn as cards
  assert.doesNotMatch(outputHtml(JSON.stringify({ query: "q", results: [{ source: "a", text: "t", score: 1 }] }), "stdout"), /oc-citation/);
});

test("an agent turn in a notebook: the RAG tool's output as cards, the final answer as Markdown with citation links (scripted model, real skill)", async (t) => {
  const dir = tmp(t);
  writeFile(join(dir, "skills", "rag-shape", "out.json"), ragJson(5));
  writeSkill(join(dir, "skills"), "rag-shape", "node print.mjs {{query}}", { query: { type: "string" } });
  writeFile(join(dir, "skills", "rag-shape", "print.mjs"), `import { readFileSync } from "node:fs";\nprocess.stdout.write(readFileSync(new URL("./out.json", import.meta.url), "utf8"));\n`);
  writeFile(join(dir, "workspace", "onboarding.md"), "# Onboarding\n".repeat(40));
  writeFile(
    join(dir, "scripts", "answer.json"),
    JSON.stringify({
      turns: [
        { content: "Searching.", toolCalls: [{ name: "rag-shape", arguments: { query: "onboard" } }] },
        { content: "**Answer**: follow the *30-60-90* plan (onboarding.md:7-22).\n\n<img src=x onerror=alert(1)>" },
      ],
    }),
  );
  const cfg = writeFile(join(dir, "openclaw.json"), {
    agentDefaults: { workspace: "./workspace" },
    models: { providers: { scripted: { scriptsDir: "./scripts" } } },
    skills: { dirs: ["./skills"], bundled: false },
    tools: { exec: { sandbox: "off" } },
    stateDir: "./state",
  });
  const nb = join(dir, "notebooks");
  writeFile(join(nb, ".keep"), "");
  const ctx = makeContext({ host: "kernel", cwd: nb, env: { PATH: process.env.PATH }, configPath: cfg });
  t.after(() => ctx.closeAll());
  const { result } = await dispatch("agent --model scripted/answer.json", ctx, { body: "How do we onboard?" });
  const html = result.html!;
  const ev = (result.data as { events: RuntimeEvent[] }).events.find((e) => e.type === "tool.result") as { stdout: string } | undefined;
  assert.ok(ev && ev.stdout.length > 2000 && !ev.stdout.startsWith("…"), "the event keeps a JSON output whole");
  assert.equal((html.match(/class="oc-citation"/g) ?? []).length, 5, "the tool's RAG output shows as five cards");
  assert.match(html, /<strong>Answer<\/strong>: follow the <em>30-60-90<\/em> plan/);
  assert.match(html, /<a href="\.\.\/workspace\/onboarding\.md#line=7"[^>]*>onboarding\.md:7-22<\/a>/);
  assert.doesNotMatch(html, /<img/);
  // the same events without a resolver (the live view) render the answer without links
  assert.doesNotMatch(renderTranscript((result.data as { events: RuntimeEvent[] }).events), /class="oc-cite"/);
});
