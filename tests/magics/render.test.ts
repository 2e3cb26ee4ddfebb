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
