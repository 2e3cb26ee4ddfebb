import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { tmp } from "../helpers/index.js";
import { writeGguf, buildGguf } from "../fixtures/models/make-gguf.js";
import { makeRuntime } from "../fixtures/runtime.js";
import { defaultThreads } from "../../runtime/models/index.js";
import { envelopeSchema, toGbnfSchema } from "../../runtime/models/grammar-schema.js";

const TOOL = { name: "echo", description: "Echo the text back.", parameters: { type: "object", properties: { text: { type: "string", maxLength: 16 }, loud: { type: "boolean" } }, required: ["text", "loud"], additionalProperties: false } };

test("the GGUF fixture is a few hundred KB of GGUF v3", () => {
  const b = buildGguf();
  assert.equal(b.subarray(0, 4).toString("ascii"), "GGUF");
  assert.equal(b.readUInt32LE(4), 3);
  assert.ok(b.length > 100_000 && b.length < 1_000_000, `size ${b.length}`);
  assert.deepEqual(buildGguf(), b, "deterministic");
});

test("llama.cpp runs the fixture in a child process and a grammar-constrained call is schema-valid", async (t) => {
  const dir = tmp(t);
  writeGguf(join(dir, "models", "tiny.gguf"));
  const rt = makeRuntime(t, { dir }).rt;
  t.after(() => rt.close());
  const m = await (await rt.models()).chatModel("llamacpp/tiny.gguf");
  const deltas: string[] = [];
  const r = await m.chat({ messages: [{ role: "system", content: "test" }, { role: "user", content: "echo hello" }], tools: [TOOL], toolChoice: "required", onDelta: (d) => deltas.push(d) });
  assert.equal(r.toolCalls.length, 1);
  assert.equal(r.toolCalls[0]!.name, "echo");
  const args = JSON.parse(r.toolCalls[0]!.arguments);
  assert.deepEqual(Object.keys(args).sort(), ["loud", "text"]);
  assert.equal(typeof args.text, "string");
  assert.equal(typeof args.loud, "boolean");
  assert.equal(r.modelId, "openclaw-tiny-random");
  assert.ok(r.usage && r.usage.completionTokens > 0 && r.usage.promptTokens > 0);
  assert.ok(deltas.join("").length > 0, "text streamed as it was generated");
  // The same process answers the next call (no reload) with "none": a final answer.
  const f = await m.chat({ messages: [{ role: "user", content: "done?" }], tools: [TOOL], toolChoice: "none" });
  assert.equal(f.toolCalls.length, 0);
  assert.equal(typeof f.content, "string");
});

test("a malformed model file kills only the child: the caller gets a clear error", async (t) => {
  const dir = tmp(t);
  mkdirSync(join(dir, "models"));
  const good = buildGguf();
  // Valid header and metadata, truncated tensor data.
  writeFileSync(join(dir, "models", "broken.gguf"), good.subarray(0, Math.floor(good.length / 2)));
  writeFileSync(join(dir, "models", "garbage.gguf"), Buffer.concat([Buffer.from("GGUF"), Buffer.alloc(64, 0xff)]));
  const rt = makeRuntime(t, { dir }).rt;
  t.after(() => rt.close());
  const reg = await rt.models();
  for (const f of ["broken.gguf", "garbage.gguf"]) {
    const m = await reg.chatModel(`llamacpp/${f}`);
    await assert.rejects(m.chat({ messages: [{ role: "user", content: "hi" }], tools: [] }), (e: any) => /^model_(load_failed|process_died)$/.test(e.code) && /GGUF/.test(e.fix));
  }
  assert.ok(process.pid > 0, "still alive");
});

test("a sha256 pin is checked before loading", async (t) => {
  const dir = tmp(t);
  writeGguf(join(dir, "models", "tiny.gguf"));
  const rt = makeRuntime(t, { dir, config: { models: { providers: { llamacpp: { modelsDir: "./models", threads: 1, sha256: { "tiny.gguf": "0".repeat(64) } } } } } }).rt;
  t.after(() => rt.close());
  const m = await (await rt.models()).chatModel("llamacpp/tiny.gguf");
  await assert.rejects(m.chat({ messages: [{ role: "user", content: "hi" }], tools: [] }), (e: any) => e.code === "model_sha256_mismatch");
});

test("threads default to the cores present less one for the kernel, and never exceed the cores", () => {
  assert.equal(defaultThreads(undefined, 2), 1);
  assert.equal(defaultThreads(undefined, 8), 7);
  assert.equal(defaultThreads(undefined, 1), 1);
  assert.equal(defaultThreads(2, 2), 2);
  assert.equal(defaultThreads(10_000, 4), 4);
  assert.ok(defaultThreads() >= 1);
});

test("tool schemas become a bounded grammar envelope", () => {
  const g = toGbnfSchema({ type: "object", properties: { q: { type: "string", pattern: "x" }, n: { type: ["integer", "null"] }, tags: { type: "array", items: { enum: ["a", "b"] } } }, required: ["q"] });
  assert.deepEqual(g, { type: "object", properties: { q: { type: "string", maxLength: 512 }, n: { type: "integer" }, tags: { type: "array", items: { enum: ["a", "b"] }, maxItems: 8 } }, required: ["q"], additionalProperties: false });
  assert.equal((envelopeSchema([TOOL], "required") as any).properties.name.const, "echo");
  assert.equal((envelopeSchema([TOOL], "auto") as any).oneOf.length, 2);
  assert.deepEqual(Object.keys((envelopeSchema([TOOL], "none") as any).properties), ["final"]);
});
