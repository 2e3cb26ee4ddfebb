import { test } from "node:test";
import { writeFileSync } from "node:fs";
import assert from "node:assert/strict";
import { tmp } from "../helpers/index.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/models/openai-server.js";
import { makeRuntime } from "../fixtures/runtime.js";
import { ModelError } from "../../runtime/models/index.js";
import { SafetyError } from "../../runtime/errors.js";

const KEY = "sk-test-0123456789abcdefSECRET";

async function setup(t: any, providers: object = {}) {
  const srv: FakeOpenAI = await startFakeOpenAI();
  const dir = tmp(t);
  const rt = makeRuntime(t, { dir, config: { models: { providers: { openai: { baseURL: srv.url, maxRetries: 0, timeoutMs: 5000, ...providers } } } }, env: { OPENAI_API_KEY: KEY } }).rt;
  t.after(async () => {
    await rt.close();
    await srv.close();
  });
  return { srv, rt, reg: await rt.models() };
}

const TOOL = { name: "echo", description: "echo", parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } };
const msgs = [{ role: "user" as const, content: "hi" }];

test("plain (non-streamed) tool call through the official SDK", async (t) => {
  const { srv, reg } = await setup(t);
  srv.replies.push({ toolCalls: [{ name: "echo", arguments: { text: "a; rm -rf / $(id)" } }], model: "gpt-4o-mini-2024-07-18" });
  const m = await reg.chatModel("openai/gpt-4o-mini");
  const r = await m.chat({ messages: msgs, tools: [TOOL], stream: false });
  assert.equal(r.toolCalls.length, 1);
  assert.equal(r.toolCalls[0]!.name, "echo");
  assert.deepEqual(JSON.parse(r.toolCalls[0]!.arguments), { text: "a; rm -rf / $(id)" });
  assert.equal(r.modelId, "gpt-4o-mini-2024-07-18");
  assert.deepEqual(r.usage, { promptTokens: 11, completionTokens: 7 });
  assert.equal(srv.requests[0]!.auth, `Bearer ${KEY}`);
  assert.equal(srv.requests[0]!.body.tools[0].function.name, "echo");
  assert.equal(srv.requests[0]!.body.stream, false);
});

test("streamed tool call: fragments reassembled, deltas delivered, usage read", async (t) => {
  const { srv, reg } = await setup(t);
  srv.replies.push({ content: "let me echo", toolCalls: [{ name: "echo", arguments: { text: "x".repeat(23) + "|&;`" } }, { name: "echo", arguments: { text: "second" } }] });
  const deltas: string[] = [];
  const r = await (await reg.chatModel("openai/gpt-4o-mini")).chat({ messages: msgs, tools: [TOOL], stream: true, onDelta: (d) => deltas.push(d) });
  assert.equal(deltas.join(""), "let me echo");
  assert.equal(r.content, "let me echo");
  assert.equal(r.toolCalls.length, 2);
  assert.deepEqual(JSON.parse(r.toolCalls[0]!.arguments), { text: "x".repeat(23) + "|&;`" });
  assert.deepEqual(JSON.parse(r.toolCalls[1]!.arguments), { text: "second" });
  assert.equal(r.finishReason, "tool_calls");
  assert.deepEqual(r.usage, { promptTokens: 11, completionTokens: 7 });
  assert.equal(srv.requests[0]!.body.stream, true);
});

test("401 becomes model_auth with a fix and without the key", async (t) => {
  const { reg } = await setup(t);
  const m = await reg.chatModel("openai/err-401");
  await assert.rejects(m.chat({ messages: msgs, tools: [] }), (e: unknown) => {
    assert.ok(e instanceof ModelError);
    assert.equal(e.code, "model_auth");
    assert.match(e.fix ?? "", /OPENAI_API_KEY/);
    assert.ok(!JSON.stringify({ m: e.message, d: e.details, f: e.fix }).includes("SECRET"));
    return true;
  });
});

test("429 is retried maxRetries times, then model_rate_limited", async (t) => {
  const { srv, reg } = await setup(t, { maxRetries: 2 });
  await assert.rejects((await reg.chatModel("openai/err-429")).chat({ messages: msgs, tools: [] }), (e: any) => e instanceof ModelError && e.code === "model_rate_limited" && e.status === 429);
  assert.equal(srv.hits["err-429"], 3);
});

test("500 becomes model_server_error; 404 model_not_found", async (t) => {
  const { srv, reg } = await setup(t, { maxRetries: 1 });
  await assert.rejects((await reg.chatModel("openai/err-500")).chat({ messages: msgs, tools: [] }), (e: any) => e.code === "model_server_error");
  assert.equal(srv.hits["err-500"], 2);
  await assert.rejects((await reg.chatModel("openai/err-404")).chat({ messages: msgs, tools: [] }), (e: any) => e.code === "model_not_found" && /models list --remote/.test(e.fix));
});

test("a slow server hits the per-request timeout", async (t) => {
  const { reg } = await setup(t, { timeoutMs: 200 });
  const t0 = Date.now();
  await assert.rejects((await reg.chatModel("openai/slow")).chat({ messages: msgs, tools: [] }), (e: any) => e.code === "model_timeout");
  assert.ok(Date.now() - t0 < 2500, "timed out promptly");
});

test("an unreachable endpoint becomes model_network", async (t) => {
  const dir = tmp(t);
  const rt = makeRuntime(t, { dir, config: { models: { providers: { openai: { baseURL: "http://127.0.0.1:9/v1", maxRetries: 0 } } } }, env: { OPENAI_API_KEY: KEY } }).rt;
  t.after(() => rt.close());
  await assert.rejects((await (await rt.models()).chatModel("openai/gpt-4o-mini")).chat({ messages: msgs, tools: [] }), (e: any) => e.code === "model_network");
});

test("no key for a remote endpoint: a clear error naming the env var; the key is read at run time (secret)", async (t) => {
  const dir = tmp(t);
  const rt = makeRuntime(t, { dir, config: { models: { providers: { openai: { baseURL: "https://api.example.invalid/v1", apiKeyEnv: "MY_KEY" } } } } }).rt;
  t.after(() => rt.close());
  await assert.rejects((await (await rt.models()).chatModel("openai/gpt-4o-mini")).chat({ messages: msgs, tools: [] }), (e: any) => e.code === "model_key_missing" && /MY_KEY/.test(e.message));
});

test("floating refs are refused; unknown providers are usage errors", async (t) => {
  const { reg } = await setup(t);
  for (const ref of ["openai/latest", "openai/auto", "openai/gpt-4o-latest"]) await assert.rejects(reg.chatModel(ref), (e: unknown) => e instanceof SafetyError && e.exitCode === 78);
  await assert.rejects(reg.chatModel("anthropic/claude"), (e: any) => e.code === "usage");
});

test("models list: configured refs, scripts, availability without network; --remote asks the catalog", async (t) => {
  const { srv, reg } = await setup(t);
  const l = await reg.list();
  assert.equal(l.count, l.models.length);
  const def = l.models.find((m) => m.ref === "openai/gpt-4o-mini")!;
  assert.deepEqual({ ...def, note: undefined }, { ref: "openai/gpt-4o-mini", provider: "openai", pinned: true, available: true, local: true, source: "agentDefaults.model", note: undefined });
  const s = l.models.find((m) => m.ref === "scripted/escape-attempt.json")!;
  assert.equal(s.provider, "scripted");
  assert.equal(s.source, "scriptsDir");
  assert.equal(srv.requests.length, 0, "no network call without --remote");
  const r = await reg.list({ remote: true });
  assert.ok(r.models.some((m) => m.ref === "openai/gpt-test" && m.source === "remote"));
});

test("models list marks a missing key and a missing model file unavailable", async (t) => {
  const dir = tmp(t);
  const rt = makeRuntime(t, { dir, config: { models: { refs: ["openai/gpt-4.1-nano", "llamacpp/missing.gguf"] } } }).rt;
  t.after(() => rt.close());
  const l = await (await rt.models()).list();
  const oa = l.models.find((m) => m.ref === "openai/gpt-4.1-nano")!;
  assert.equal(oa.available, false);
  assert.match(oa.note ?? "", /OPENAI_API_KEY/);
  const ll = l.models.find((m) => m.ref === "llamacpp/missing.gguf")!;
  assert.equal(ll.available, false);
  assert.equal(ll.local, true);
});

test("scripted and llamacpp refs cannot escape their folders", async (t) => {
  const { reg } = await setup(t);
  await assert.rejects(reg.chatModel("scripted/../../../etc/passwd"), (e: any) => e.code === "model_path_escape");
  await assert.rejects(reg.chatModel("llamacpp/../../x.gguf"), (e: any) => e.code === "model_path_escape");
  await assert.rejects(reg.chatModel("llamacpp/nope.gguf"), (e: any) => e.code === "not_found");
});

test("scripted replay accepts OpenAI-shaped turns and rejects malformed scripts with a fix", async (t) => {
  const d = tmp(t);
  const { ScriptedChatModel } = await import("../../runtime/models/scripted.js");
  writeFileSync(`${d}/oa.json`, JSON.stringify([{ role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "echo", arguments: '{"text":"x"}' } }] }]));
  const m = new ScriptedChatModel("scripted/oa.json", `${d}/oa.json`, "oa.json");
  const r = await m.chat({ messages: [], tools: [] });
  assert.deepEqual(r.toolCalls, [{ id: "c1", name: "echo", arguments: '{"text":"x"}' }]);
  assert.equal((await m.chat({ messages: [], tools: [] })).finishReason, "script_end");
  writeFileSync(`${d}/bad.json`, JSON.stringify({ turns: [{ toolCalls: [{ arguments: {} }] }] }));
  assert.throws(() => new ScriptedChatModel("scripted/bad.json", `${d}/bad.json`, "bad.json"), (e: any) => e.code === "script_invalid" && !!e.fix);
});
