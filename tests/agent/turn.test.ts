import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmp } from "../helpers/index.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/models/openai-server.js";
import { makeRuntime } from "../fixtures/runtime.js";
import { writeEchoSkill, writeSkill } from "../fixtures/models/runtime.js";
import type { RuntimeEvent } from "../../runtime/events.js";
import type { Runtime } from "../../runtime/runtime.js";

const KEY = "sk-test-abcdef0123456789";
// Were it run by a shell, it would write `pwned` into the working directory (the workspace): the test checks it did not.
const NASTY = `a b; rm -rf / && $(id) \`uname\` | cat > pwned "q" 'q' *`;

interface Setup {
  srv: FakeOpenAI;
  rt: Runtime;
  dir: string;
  bus: RuntimeEvent[];
}

async function setup(t: any, config: Record<string, any> = {}, skills?: (dir: string) => void): Promise<Setup> {
  const srv = await startFakeOpenAI();
  const dir = tmp(t);
  const skillsDir = join(dir, "skills");
  writeEchoSkill(skillsDir);
  skills?.(skillsDir);
  const rt = makeRuntime(t, { dir, config: { skills: { dirs: [skillsDir], bundled: false }, ...config, models: { providers: { openai: { baseURL: srv.url, maxRetries: 0, timeoutMs: 10_000 } }, ...(config.models ?? {}) } }, env: { OPENAI_API_KEY: KEY } }).rt;
  const bus: RuntimeEvent[] = [];
  rt.on((e) => bus.push(e));
  t.after(async () => {
    await rt.close();
    await srv.close();
  });
  return { srv, rt, dir, bus };
}

const types = (events: RuntimeEvent[]) => events.map((e) => e.type);
const of = (events: RuntimeEvent[], type: string) => events.filter((e) => e.type === type) as any[];

test("a streamed tool call with shell metacharacters arrives as ONE literal argv slot; the result goes back fenced", async (t) => {
  const { srv, rt, bus, dir } = await setup(t);
  srv.replies.push({ content: "echoing", toolCalls: [{ name: "echo", arguments: { text: NASTY } }] }, { content: "All done." });
  const seen: RuntimeEvent[] = [];
  const r = await (await rt.agent()).run({ prompt: "echo something", onEvent: (e) => seen.push(e) });
  assert.equal(r.status, "ok");
  assert.equal(r.final, "All done.");
  assert.equal(r.steps, 2);
  assert.equal(r.scripted, false);
  assert.equal(r.model, "openai/gpt-4o-mini");
  assert.equal(r.modelId, "gpt-4o-mini");
  assert.deepEqual(r.usage, { promptTokens: 22, completionTokens: 14 });
  const res = of(r.events, "tool.result")[0];
  assert.equal(res.status, "ok");
  assert.deepEqual(res.argv, ["/bin/echo", NASTY]);
  assert.equal(res.stdout, `${NASTY}\n`);
  assert.equal(res.exitCode, 0);
  assert.deepEqual(of(r.events, "tool.call")[0].arguments, { text: NASTY });
  assert.ok(!existsSync(join(dir, "workspace", "pwned")), "nothing was redirected into the workspace");
  // One stream, in order: start, request, deltas, call, result, request, end.
  const ty = types(r.events).filter((x) => x !== "model.delta");
  assert.deepEqual(ty, ["turn.start", "model.request", "model.response", "tool.call", "tool.result", "model.request", "model.response", "turn.end"]);
  assert.ok(types(r.events).includes("model.delta"));
  assert.deepEqual(seen, r.events, "onEvent saw every event");
  assert.ok(of(bus, "turn.end").length === 1, "the runtime bus got the turn too");
  const end = of(r.events, "turn.end")[0];
  assert.deepEqual(end.usage, { promptTokens: 22, completionTokens: 14 });
  assert.ok(end.overheadMs >= 0 && end.modelMs > 0);
  // What went back to the model: the tool message, output fenced as untrusted data.
  const second = srv.requests[1]!.body;
  const toolMsg = second.messages.find((m: any) => m.role === "tool");
  assert.equal(toolMsg.tool_call_id, srv.requests.length && second.messages.find((m: any) => m.role === "assistant").tool_calls[0].id);
  assert.match(toolMsg.content, /<untrusted-data id="[0-9a-f]+"/);
  assert.ok(toolMsg.content.includes(NASTY));
  assert.equal(srv.requests[0]!.body.tools.map((x: any) => x.function.name).join(","), "echo");
});

test("audit records carry the model ref and the reported model id; a different id is a warning", async (t) => {
  const { srv, rt, dir } = await setup(t);
  srv.replies.push({ toolCalls: [{ name: "echo", arguments: { text: "hi" } }], model: "gpt-4o-mini-2024-07-18" }, { content: "ok", model: "gpt-4o-mini-2024-07-18" });
  const r = await (await rt.agent()).run({ prompt: "x", stream: false });
  assert.equal(r.status, "ok");
  assert.equal(r.modelId, "gpt-4o-mini-2024-07-18");
  const w = of(r.events, "model.warning");
  assert.equal(w.length, 1);
  assert.match(w[0].fix, /openai\/gpt-4o-mini-2024-07-18/);
  const audit = join(dir, "state", "audit.jsonl");
  assert.ok(existsSync(audit));
  const recs = readFileSync(audit, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const inv = recs.find((x) => x.skill === "echo");
  assert.ok(inv, "an audit record for the invocation");
  assert.equal(inv.actor.modelRef, "openai/gpt-4o-mini");
  assert.equal(inv.actor.modelId, "gpt-4o-mini-2024-07-18");
  assert.ok(!readFileSync(audit, "utf8").includes(KEY), "the key is never logged");
});

test("apply_patch is offered only to an allowed ref; a call from another ref is denied and audited", async (t) => {
  const { srv, rt, dir } = await setup(t, { tools: { exec: { applyPatch: { enabled: true, allowedModels: ["openai/gpt-4o-mini"] } } } });
  const agent = await rt.agent();
  srv.replies.push({ content: "nothing to do" });
  await agent.run({ prompt: "x", model: "openai/gpt-4o-mini" });
  assert.ok(srv.requests[0]!.body.tools.some((x: any) => x.function.name === "apply_patch"), "offered to the allowed ref");
  const patch = "--- a/notes.txt\n+++ b/notes.txt\n@@ -0,0 +1 @@\n+hello\n";
  srv.replies.push({ toolCalls: [{ name: "apply_patch", arguments: { patch } }] }, { content: "could not" });
  const r = await agent.run({ prompt: "x", model: "openai/gpt-test" });
  assert.ok(!srv.requests[1]!.body.tools.some((x: any) => x.function.name === "apply_patch"), "not offered to another ref");
  const d = of(r.events, "policy.denied");
  assert.equal(d.length, 1);
  assert.equal(d[0].rule, "applyPatch.model");
  assert.equal(of(r.events, "tool.result")[0].status, "denied");
  assert.ok(!existsSync(join(dir, "workspace", "notes.txt")));
  const recs = readFileSync(join(dir, "state", "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(recs.some((x) => x.skill === "apply_patch" && x.decision === "deny" && x.actor.modelRef === "openai/gpt-test"));
  const back = srv.requests[2]!.body.messages.find((m: any) => m.role === "tool").content;
  assert.match(back, /denied by policy \(applyPatch\.model\)/);
  // The allowed ref, with a person approving: the patch is applied inside the workspace.
  const create = "--- /dev/null\n+++ b/notes.txt\n@@ -0,0 +1 @@\n+hello\n";
  srv.replies.push({ toolCalls: [{ name: "apply_patch", arguments: { patch: create } }] }, { content: "patched" });
  const ok = await agent.run({ prompt: "x", model: "openai/gpt-4o-mini", approver: async (req) => req.kind === "apply_patch" });
  const res = of(ok.events, "tool.result")[0];
  assert.equal(res.status, "ok", JSON.stringify(res));
  assert.deepEqual(res.files, ["notes.txt"]);
  assert.equal(readFileSync(join(dir, "workspace", "notes.txt"), "utf8"), "hello\n");
});

test("a risk: high skill asks the approver: granted runs, denied and no approver are refused", async (t) => {
  const { srv, rt } = await setup(t, {}, (d) => writeEchoSkill(d, { name: "risky", risk: "high" }));
  const agent = await rt.agent();
  const asked: any[] = [];
  for (const answer of [true, false]) {
    srv.replies.push({ toolCalls: [{ name: "risky", arguments: { text: "go" } }] }, { content: "fin" });
    const r = await agent.run({ prompt: "x", approver: async (req) => (asked.push(req), answer) });
    assert.equal(of(r.events, "approval.requested").length, 1);
    assert.equal(of(r.events, "approval.resolved")[0].granted, answer);
    const res = of(r.events, "tool.result")[0];
    if (answer) {
      assert.equal(res.status, "ok");
      assert.equal(res.stdout, "go\n");
    } else {
      assert.equal(res.status, "denied");
      assert.equal(of(r.events, "policy.denied")[0].rule, "approval.denied");
    }
  }
  assert.equal(asked.length, 2);
  assert.equal(asked[0].kind, "skill");
  assert.equal(asked[0].modelRef, "openai/gpt-4o-mini");
  srv.replies.push({ toolCalls: [{ name: "risky", arguments: { text: "go" } }] }, { content: "fin" });
  const r = await agent.run({ prompt: "x" });
  assert.equal(of(r.events, "policy.denied")[0].rule, "approval.none");
  assert.equal(of(r.events, "approval.requested").length, 0);
});

test("a background run's exit notice arrives at the next step, exactly once", async (t) => {
  // sleep prints nothing: an empty success notifies only with notifyOnExitEmptySuccess.
  const { srv, rt, bus } = await setup(t, { tools: { exec: { notifyOnExitEmptySuccess: true } } }, (d) => writeSkill(d, "nap", "/bin/sleep {{secs}}", { secs: { type: "string", enum: ["0.4"] } }, { backgroundMs: 50 }));
  const agent = await rt.agent();
  srv.replies.push({ toolCalls: [{ name: "nap", arguments: { secs: "0.4" } }] }, { content: "started" });
  const r1 = await agent.run({ prompt: "start a nap" });
  const res = of(r1.events, "tool.result")[0];
  assert.equal(res.status, "running");
  assert.equal(of(r1.events, "exec.background").length, 1);
  // Wait for exec to announce the exit on the runtime bus (not a fixed sleep: the machine may be busy).
  const deadline = Date.now() + 15_000;
  while (!bus.some((e) => e.type === "exec.exit" && e.id === res.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  srv.replies.push({ content: "noted" });
  const r2 = await agent.run({ prompt: "anything new?" });
  const exits = of(r2.events, "exec.exit");
  assert.equal(exits.length, 1);
  assert.equal(exits[0].id, res.id);
  assert.equal(exits[0].exitCode, 0);
  const sent = srv.requests.at(-1)!.body.messages.map((m: any) => m.content).join("\n");
  assert.match(sent, new RegExp(`Background session ${res.id} exited with code 0`));
  srv.replies.push({ content: "noted" });
  const r3 = await agent.run({ prompt: "and now?" });
  assert.equal(of(r3.events, "exec.exit").length, 0, "delivered once");
});

test("maxSteps bounds the turn; unknown tools and bad arguments go back to the model", async (t) => {
  const { srv, rt } = await setup(t);
  srv.fallback = { toolCalls: [{ name: "shell", arguments: { cmd: "id" } }] };
  srv.replies.push({ toolCalls: [{ name: "echo", arguments: "{not json" }] });
  const r = await (await rt.agent()).run({ prompt: "x", maxSteps: 3 });
  assert.equal(r.status, "max_steps");
  assert.equal(r.steps, 3);
  assert.equal(srv.requests.length, 3);
  const results = of(r.events, "tool.result");
  assert.equal(results[0].status, "failed");
  assert.match(results[0].reason, /not a JSON object/);
  assert.equal(results[1].status, "denied");
  assert.equal(results[1].rule, "skill.unknown");
});

test("Stop (AbortSignal) ends the turn as aborted; the turn timeout as timeout", async (t) => {
  const { srv, rt } = await setup(t, { agentDefaults: { turnTimeoutSec: 1 } });
  srv.slowMs = 5000;
  const agent = await rt.agent();
  const ac = new AbortController();
  const t0 = Date.now();
  // Stop while the model is answering: on the request event, not after a guessed delay.
  const r = await agent.run({ prompt: "x", model: "openai/slow", signal: ac.signal, onEvent: (e) => e.type === "model.request" && ac.abort() });
  assert.equal(r.status, "aborted");
  assert.ok(Date.now() - t0 < 4000, "stopped long before the 5 s reply");
  assert.equal(of(r.events, "turn.end")[0].status, "aborted");
  const r2 = await agent.run({ prompt: "x", model: "openai/slow" });
  assert.equal(r2.status, "timeout");
  assert.match(r2.error ?? "", /turnTimeoutSec/);
});

test("provider errors end the turn with status error and the fix; floating refs never start", async (t) => {
  const { rt } = await setup(t);
  const agent = await rt.agent();
  const r = await agent.run({ prompt: "x", model: "openai/err-401" });
  assert.equal(r.status, "error");
  assert.match(r.error ?? "", /refused the key[\s\S]*fix: check \$OPENAI_API_KEY/);
  assert.ok(!(r.error ?? "").includes(KEY));
  await assert.rejects(agent.run({ prompt: "x", model: "openai/gpt-4o-latest" }), (e: any) => e.exitCode === 78);
});
