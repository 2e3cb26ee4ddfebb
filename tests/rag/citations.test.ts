import { test } from "node:test";
import assert from "node:assert/strict";
import { citationsHtml, citationsMarkdown, citationsText, markTerms, snippet } from "../../magics/render/citations.js";
import type { RagResult } from "../../runtime/rag/types.js";
import { COLORS } from "../../magics/render/html.js";

const result: RagResult = {
  query: "How do we onboard new hires?",
  results: [
    { text: "## Onboarding\n\nWe onboard new hires with a 30-60-90 plan. <script>alert(1)</script>", score: 0.92, source: "onboarding.md", lines: [3, 7], denseScore: 0.61, lexicalScore: 0.4 },
    { text: "Demo sessions live in /demos.", score: 0.5, source: "demos/README.md", lines: [1, 2] },
  ],
  summary: "Top recommendations: We onboard new hires with a 30-60-90 plan (onboarding.md:3-7).",
  mode: "hybrid",
  embedder: "use-lite@0.2.0",
  tookMs: 12.3,
};

test("citation cards: source and line range, score bar, marked terms, everything escaped, no scripts", () => {
  const html = citationsHtml(result);
  assert.equal((html.match(/class="oc-citation"/g) ?? []).length, 2);
  assert.match(html, /<code class="oc-source"[^>]*>onboarding\.md<\/code>.*lines 3–7/);
  assert.match(html, /class="oc-score-bar" style="[^"]*width:92%/);
  assert.match(html, /<mark[^>]*>onboard<\/mark>/);
  assert.match(html, /<mark[^>]*>hires<\/mark>/);
  assert.doesNotMatch(html, /<script/i);
  assert.match(html, /&lt;script&gt;/);
  assert.doesNotMatch(html, /(src|href)=["']https?:/);
});

test("markTerms escapes around marks and snippet picks the densest window", () => {
  const m = (w: string) => `<mark style="background:${COLORS.mark};color:inherit;padding:0 1px">${w}</mark>`;
  assert.equal(markTerms("a <b> hires & onboard", "onboard hires"), `a &lt;b&gt; ${m("hires")} &amp; ${m("onboard")}`);
  const long = "filler ".repeat(100) + "the espresso machine is descaled on Friday. " + "filler ".repeat(100);
  const s = snippet(long, "espresso descaled", 120);
  assert.match(s, /espresso machine is descaled/);
  assert.ok(s.length <= 130);
});

test("markdown and text fallbacks carry the same citations", () => {
  const md = citationsMarkdown(result);
  assert.match(md, /1\. `onboarding\.md` lines 3–7 · score 0\.92/);
  assert.match(md, /&lt;|\\<script\\>/);
  const text = citationsText(result);
  assert.match(text, /\[1\] onboarding\.md:3-7 {2}\[#########\.\] 0\.92/);
  assert.match(text, /\[2\] demos\/README\.md:1-2/);
  assert.match(text, /^summary: Top recommendations/m);
});
