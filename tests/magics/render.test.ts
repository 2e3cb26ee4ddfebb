import { test } from "node:test";
import assert from "node:assert/strict";
import { esc, table } from "../../magics/render/html.js";
import { padTable, progressBar } from "../../magics/render/text.js";
import { errorBundle, toMimeBundle } from "../../magics/render/mime.js";
import { ConfigError } from "../../runtime/errors.js";

test("terminal progress bar", () => {
  assert.equal(progressBar(0, 4, 8), "[--------] 0/4");
  assert.equal(progressBar(2, 4, 8), "[####----] 2/4");
  assert.equal(progressBar(9, 4, 8), "[########] 9/4");
  assert.equal(progressBar(0, 0, 4), "[----] 0/0");
});

test("HTML helpers escape every value; tables left-align for nbconvert's CSS", () => {
  assert.equal(esc(`<img src=x onerror="a('b')">&`), "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;");
  const html = table(["a"], [[esc("<b>")]]);
  assert.match(html, /&lt;b&gt;/);
  assert.match(html, /<td style="text-align:left/);
  assert.equal(padTable([["ab", "c"], ["a", "cd"]]), "ab  c\na   cd");
});

test("every result becomes a four-part MIME bundle; errors show message, details and fix without a stack", () => {
  const b = toMimeBundle({ command: "x", exitCode: 0, data: { k: 1 }, text: "t" });
  assert.deepEqual(Object.keys(b).sort(), ["application/json", "text/html", "text/markdown", "text/plain"]);
  const e = errorBundle(new ConfigError("invalid config f.json: 1 error", { details: ["f.json:2 /a: unknown key"], fix: "edit it" }));
  assert.match(String(e["text/plain"]), /ConfigError: invalid config[\s\S]*f\.json:2 \/a: unknown key[\s\S]*fix: edit it/);
  assert.doesNotMatch(String(e["text/plain"]), /at .*\.ts:\d+/);
});

test("outputs follow the front end's theme: no fixed colour outside a var()/color-mix fallback; tables wrap (issue 13)", async () => {
  const { COLORS, badge, box, code, pre } = await import("../../magics/render/html.js");
  const { citationsHtml } = await import("../../magics/render/citations.js");
  const { renderTranscript } = await import("../../magics/render/transcript.js");
  const hit = { source: "onboarding.md", lines: [7, 22] as [number, number], text: "New hires onboard with recorded demo sessions.", score: 0.8, chunkId: "c" };
  const rag = { query: "onboard hires", mode: "hybrid", embedder: "use-lite", tookMs: 3, summary: "s", results: [hit] } as never;
  const html = [
    box("x", "t", table(["a", "b"], [[code("--a-very-long-argv-value-".repeat(20)), badge("ok") + badge("fail") + badge("warn")]]) + pre("p")),
    citationsHtml(rag),
    renderTranscript([{ type: "turn.start", model: "scripted/x.json", scripted: true, prompt: "p" } as never]),
    String(errorBundle(new ConfigError("bad"))["text/html"]),
  ].join("");
  // strip the sanctioned forms, then no hex or named light colour may remain in a style
  const styles = [...html.matchAll(/style="([^"]*)"/g)].map((m) => m[1]!);
  assert.ok(styles.length > 20);
  for (const st of styles) {
    const bare = st.replace(/color-mix\([^()]*(\([^()]*\))?[^()]*\)/g, "MIX").replace(/var\(--jp-[\w-]+,[^;]*\)/g, "VAR");
    assert.doesNotMatch(bare, /#[0-9a-f]{3,8}\b|:\s*(white|black)\b/i, st);
  }
  // each colour is the theme's (--jp-* with a mid-tone fallback), a tint of the text colour, or the text colour itself
  for (const v of Object.values(COLORS)) assert.match(v, /^(var\(--jp-[\w-]+,#[0-9a-f]{6}\)|color-mix\(in srgb,(currentColor \d+%,transparent|#[0-9a-f]{6} \d+%,transparent)\)|inherit;opacity:[\d.]+)$/, v);
  const t = table(["h"], [["c"]]);
  assert.match(t, /table-layout:auto/);
  assert.match(t, /<td style="[^"]*overflow-wrap:anywhere/);
  assert.match(t, /<tr style="background:transparent">/, "classic Notebook stripes odd rows light grey");
  assert.match(t, /<td style="[^"]*color:inherit/, "classic Notebook's .rendered_html table sets color:black");
});
