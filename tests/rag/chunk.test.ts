import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chunkText } from "../../runtime/rag/chunk.js";
import { htmlToText, loadDocument, looksBinary, notebookToText, scanWorkspace } from "../../runtime/rag/loaders.js";
import { CORPUS } from "./helpers.js";

/** Every chunk's text must be found in the file at the lines it cites. */
function assertCitable(text: string, chunks: ReturnType<typeof chunkText>) {
  const lines = text.split("\n");
  for (const c of chunks) {
    const span = lines.slice(c.lines[0] - 1, c.lines[1]).join("\n");
    for (const para of c.text.split("\n\n")) {
      for (const piece of para.split("\n")) assert.ok(span.includes(piece.trim()), `chunk line "${piece}" not in lines ${c.lines}`);
    }
    assert.ok(c.lines[0] >= 1 && c.lines[1] >= c.lines[0] && c.lines[1] <= lines.length);
  }
}

test("markdown splits along headings, keeps the heading path and exact line ranges", () => {
  const md = readFileSync(join(CORPUS, "kitchen.md"), "utf8");
  const chunks = chunkText(md, { chunkChars: 1200, overlapChars: 200, markdown: true });
  assert.deepEqual(
    chunks.map((c) => [c.heading, c.lines]),
    // the bare title and both short sections make one chunk, under the path they share
    [["Office kitchen", [1, 12]]],
  );
  assert.match(chunks[0]!.text, /^# Office kitchen\n\n## Coffee machine\n\nThe espresso machine/);
  assertCitable(md, chunks);
});

test("long sections become several chunks under the limit, consecutive ones overlapping", () => {
  const paras = Array.from({ length: 12 }, (_, i) => `Paragraph ${i} ` + "word ".repeat(30).trim() + ".");
  const text = "# Long\n\n" + paras.join("\n\n") + "\n";
  const chunks = chunkText(text, { chunkChars: 400, overlapChars: 180, markdown: true });
  assert.ok(chunks.length >= 4, `got ${chunks.length}`);
  for (const c of chunks) assert.ok(c.text.length <= 400, `chunk of ${c.text.length} chars`);
  // overlap: each chunk after the first starts with the previous chunk's last paragraph
  for (let i = 1; i < chunks.length; i++) {
    const lastOfPrev = chunks[i - 1]!.text.split("\n\n").at(-1)!;
    assert.ok(chunks[i]!.text.startsWith(lastOfPrev), `chunk ${i} does not overlap`);
  }
  // and together they cover every paragraph
  for (const p of paras) assert.ok(chunks.some((c) => c.text.includes(p)));
  assertCitable(text, chunks);
});

test("a single huge line is cut by characters but keeps its line number", () => {
  const text = "intro\n\n" + Array.from({ length: 2500 }, (_, i) => String.fromCharCode(97 + (i % 26))).join("") + "\n";
  const chunks = chunkText(text, { chunkChars: 1000, overlapChars: 0, markdown: false });
  assert.deepEqual(
    chunks.map((c) => c.lines),
    [[1, 1], [3, 3], [3, 3], [3, 3]].slice(0, chunks.length),
  );
  assert.equal(chunks.slice(1).reduce((n, c) => n + c.text.length, 0), 2500);
});

test("fenced code is not split on '#' comment lines", () => {
  const md = "# Title\n\n```sh\n# not a heading\necho hi\n```\n";
  const chunks = chunkText(md, { chunkChars: 1000, overlapChars: 0, markdown: true });
  assert.equal(chunks.length, 1);
  assert.match(chunks[0]!.text, /# not a heading/);
});

test("HTML keeps line numbers, drops script/style, turns <h2> into a heading", () => {
  const html = readFileSync(join(CORPUS, "notes", "meeting.html"), "utf8");
  const text = htmlToText(html);
  assert.equal(text.split("\n").length, html.split("\n").length);
  assert.doesNotMatch(text, /alert|color: red/);
  const chunks = chunkText(text, { chunkChars: 1200, overlapChars: 0, markdown: true });
  assert.equal(text.split("\n")[9], "## Cancelling", "<h2> becomes a heading on its own line");
  // the short section is merged with the one before it, under the document's title
  const cancel = chunks.find((c) => c.text.includes("Release a room"))!;
  assert.equal(cancel.heading, "Meeting rooms");
  assert.match(html.split("\n").slice(cancel.lines[0] - 1, cancel.lines[1]).join("\n"), /Cancelling[\s\S]*Release a room/);
});

test("notebooks index markdown and code cells, not outputs", () => {
  const text = notebookToText(readFileSync(join(CORPUS, "notes", "tour.ipynb"), "utf8"));
  assert.match(text, /volcano eruption statistics/);
  assert.match(text, /volcano_stats\.plot_monthly\(\)/);
  assert.doesNotMatch(text, /SECRET OUTPUT/);
  assert.throws(() => notebookToText("{not json"), /not a valid notebook/);
});

test("binary content is detected; unsupported types and symlinks are skipped and counted", () => {
  assert.equal(looksBinary(Buffer.from("plain text\nwith lines")), false);
  assert.equal(looksBinary(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1])), true);
  assert.throws(() => loadDocument({ path: join(CORPUS, "notes", "logo.png.txt"), source: "notes/logo.png.txt" }), /binary/);
  const { files, skipped } = scanWorkspace(CORPUS);
  assert.deepEqual(
    files.map((f) => f.source),
    ["bikes.md", "kitchen.md", "notes/config.md", "notes/logo.png.txt", "notes/meeting.html", "notes/security.txt", "notes/tour.ipynb", "payroll.md"],
  );
  assert.deepEqual(skipped, [{ source: "image.png", reason: "unsupported type .png" }]);
});

test("notebook citations point at the lines of the .ipynb file that hold the cell source", async () => {
  const { notebookWithLines } = await import("../../runtime/rag/loaders.js");
  const raw = readFileSync(join(CORPUS, "notes", "tour.ipynb"), "utf8");
  const { text, lineMap } = notebookWithLines(raw);
  const fileLines = raw.split("\n");
  text.split("\n").forEach((line, i) => {
    if (!line.trim() || /^\[cell/.test(line)) return;
    assert.ok(fileLines[lineMap[i]! - 1]!.includes(JSON.stringify(line).slice(1, -1)), `text line "${line}" -> file line ${lineMap[i]}`);
  });
  // the code cell (with its source) is line 4 of the file
  assert.equal(lineMap[text.split("\n").indexOf("volcano_stats.plot_monthly()")], 4);
});
