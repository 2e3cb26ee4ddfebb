import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { chunkText, isNoise } from "../../runtime/rag/chunk.js";

const opts = { chunkChars: 400, overlapChars: 0, markdown: true };
const words = (n: number, w = "word") => Array.from({ length: n }, (_, i) => `${w}${i}`).join(" ");

/** Every line of a chunk's text is found in the file within the lines it cites. */
function assertCitable(text: string, chunks: ReturnType<typeof chunkText>) {
  const lines = text.split("\n");
  for (const c of chunks) {
    assert.ok(c.lines[0] >= 1 && c.lines[1] >= c.lines[0] && c.lines[1] <= lines.length, `range ${c.lines}`);
    const span = lines.slice(c.lines[0] - 1, c.lines[1]).join("\n");
    for (const piece of c.text.split("\n")) assert.ok(span.includes(piece.trim()), `"${piece}" not in lines ${c.lines}`);
  }
}

test("setext headings (=== and ---) start sections like # headings", () => {
  const md = `Tool\n====\n\n${words(40, "intro")}\n\nInstall\n-------\n\n${words(40, "inst")}\n`;
  const chunks = chunkText(md, opts);
  assert.deepEqual(chunks.map((c) => c.heading), ["Tool", "Tool > Install"]);
  assert.deepEqual(chunks[1]!.lines, [6, 9]);
  assertCitable(md, chunks);
});

test("a --- after a blank line is a thematic break, not a heading", () => {
  const md = `# T\n\n${words(40, "a")}\n\n---\n\n${words(40, "b")}\n`;
  assert.ok(chunkText(md, opts).every((c) => c.heading === "T"));
});

test("the document title heads every chunk: front matter, else first # heading, else the file's name", () => {
  const fm = `---\ntitle: "npm-install"\nsection: 1\n---\n\n## Synopsis\n\n${words(60, "s")}\n\n## Description\n\n${words(60, "d")}\n`;
  const a = chunkText(fm, { ...opts, title: "commands/npm-install" });
  assert.deepEqual([...new Set(a.map((c) => c.heading))], ["npm-install > Synopsis", "npm-install > Description"]);
  assert.ok(a.every((c) => !c.text.includes("section: 1")), "front matter is not a passage");
  const h1 = `# Widget\n\n${words(60)}\n\n## Usage\n\n${words(60, "u")}\n`;
  assert.deepEqual([...new Set(chunkText(h1, { ...opts, title: "widget/README" }).map((c) => c.heading))], ["Widget", "Widget > Usage"]);
  const none = `## Usage\n\n${words(60, "u")}\n`;
  assert.deepEqual(chunkText(none, { ...opts, title: "widget/README" }).map((c) => c.heading), ["widget/README > Usage"]);
});

test("small sections are merged, under the heading path they share", () => {
  const md = `# Doc\n\n## A\n\nshort a.\n\n## B\n\nshort b.\n\n## C\n\n${words(50, "c")}\n`;
  const chunks = chunkText(md, opts);
  assert.equal(chunks.length, 1);
  assert.equal(chunks[0]!.heading, "Doc");
  assert.deepEqual(chunks[0]!.lines, [1, 13]);
});

test("a long table is split between rows, later slices carry the header row as context", () => {
  const rows = Array.from({ length: 40 }, (_, i) => `| opt${i} | does thing number ${i} |`);
  const md = `# Options\n\n| name | meaning |\n| --- | --- |\n${rows.join("\n")}\n`;
  const chunks = chunkText(md, { ...opts, chunkChars: 300 });
  assert.ok(chunks.length > 2);
  for (const c of chunks) {
    for (const l of c.text.split("\n").filter((x) => x.startsWith("|"))) assert.match(l, /\|$/, "no row is cut");
    assert.ok(c.text.includes("| name | meaning |\n| --- | --- |") || c.context === "| name | meaning |\n| --- | --- |", `slice at ${c.lines} has its header`);
  }
  assertCitable(md, chunks);
});

test("a fenced code block that fits is never cut", () => {
  const code = ["```js", ...Array.from({ length: 12 }, (_, i) => `const v${i} = compute(${i});`), "```"].join("\n");
  const md = `# Code\n\n${words(50, "p")}\n\n${code}\n\n${words(50, "q")}\n`;
  const chunks = chunkText(md, opts);
  const holders = chunks.filter((c) => c.text.includes("const v0") || c.text.includes("const v11"));
  assert.equal(holders.length, 1, "the block sits in one chunk");
  assert.ok(holders[0]!.text.includes(code));
});

test("badge- and link-only blocks are dropped; prose with links stays", () => {
  const badges = "[![npm](https://img.shields.io/npm/v/x.svg)](https://npmjs.com/x) [![ci](https://ci/x.svg)](https://ci/x)";
  const toc = "- [Install](#install)\n- [Usage](#usage)\n- [API](#api)";
  assert.ok(isNoise(badges));
  assert.ok(isNoise(toc));
  assert.ok(!isNoise("See [the guide](https://example.com/guide) for how to configure retries and timeouts."));
  const md = `# X\n\n${badges}\n\n${toc}\n\n${words(60, "real")}\n`;
  const chunks = chunkText(md, opts);
  assert.ok(chunks.every((c) => !c.text.includes("shields.io") && !c.text.includes("](#usage)")));
  assert.ok(chunks.some((c) => c.text.includes("real0")));
});

test("the same passage twice in one document is kept once", () => {
  const para = words(40, "dup");
  const md = `# A\n\n${para}\n\n## B\n\n${words(60, "other")}\n\n## C\n\n${para}\n`;
  const chunks = chunkText(md, opts);
  assert.equal(chunks.filter((c) => c.text.includes("dup0")).length, 1);
});

test("property: every chunk's text lies inside the lines it cites, for any markdown", () => {
  const line = fc.oneof(
    fc.constantFrom("", "", "# Head", "## Sub head", "Title", "=====", "-----", "---", "```", "~~~", "| a | b |", "| --- | --- |", "- item", "> quote", "[![b](u)](l)", "[link](http://x)"),
    fc.stringMatching(/^[a-z ]{0,120}$/),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 120 }), fc.integer({ min: 60, max: 600 }), fc.integer({ min: 0, max: 200 }), fc.boolean(), (ls, chunkChars, overlapChars, markdown) => {
      const text = ls.join("\n");
      assertCitable(text, chunkText(text, { chunkChars, overlapChars, markdown, title: "t" }));
    }),
    { numRuns: 300 },
  );
});

test("the summary quotes prose, never code fences, HTML or badges", async () => {
  const { summarize } = await import("../../runtime/rag/summary.js");
  const text = [
    "[![build](https://ci.example/badge.svg)](https://ci.example)",
    "<!-- retry timeout comment -->",
    "```js",
    "retry(timeout, { retries: 5 }) // retry timeout code",
    "```",
    "<p align=\"center\"><img src=\"logo.png\"></p>",
    "",
    "Retries wait longer after each timeout, doubling the delay every time.",
  ].join("\n");
  const s = summarize("retry timeout", [{ text, score: 1, source: "r.md", lines: [1, 8] }]);
  assert.equal(s, "Top recommendations: Retries wait longer after each timeout, doubling the delay every time (r.md:1-8).");
});

test("a passage that starts inside a long code block: the code before its closing fence is not quoted", async () => {
  const { proseOf } = await import("../../runtime/rag/summary.js");
  const cut = "const { stdout } = await run();\n// stdout is also printed\nconsole.log(stdout);\n```\n\nThe promise resolves with the output of the child.";
  assert.equal(proseOf(cut).trim(), "The promise resolves with the output of the child.");
  const open = "Run it like this:\n\n```js\nrun();\nmore();";
  assert.equal(proseOf(open).trim(), "Run it like this:");
});
