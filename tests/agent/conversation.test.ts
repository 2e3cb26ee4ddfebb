import { test } from "node:test";
import assert from "node:assert/strict";
import { dispatch } from "../../magics/dispatch.js";
import { kernelSetup } from "./setup.js";

const texts = (body: any) => body.messages.map((m: any) => `${m.role}:${m.content ?? ""}`);

test("two agent cells in one session: the second request carries the first exchange; --new starts clean; threads and history list them", async (t) => {
  const { srv, ctx } = await kernelSetup(t);
  srv.replies.push({ content: "Hello Ada." }, { content: "Your name is Ada." }, { content: "Who?" });
  const a = await dispatch("agent", ctx, { body: "My name is Ada." });
  assert.equal(a.result.exitCode, 0);
  assert.equal((a.result.data as any).thread, "main");
  const b = await dispatch("agent", ctx, { body: "What is my name?" });
  assert.equal((b.result.data as any).final, "Your name is Ada.");
  assert.equal(srv.requests.length, 2);
  assert.deepEqual(texts(srv.requests[1]!.body).slice(1), ["user:My name is Ada.", "assistant:Hello Ada.", "user:What is my name?"]);
  assert.deepEqual(texts(srv.requests[0]!.body).slice(1), ["user:My name is Ada."], "the first turn of a session has no history");

  const c = await dispatch("agent --new", ctx, { body: "What is my name?" });
  assert.equal((c.result.data as any).thread, "t2");
  assert.deepEqual(texts(srv.requests[2]!.body).slice(1), ["user:What is my name?"], "--new sends no earlier exchange");

  const th = await dispatch("agent threads --json", ctx);
  const data = th.result.data as any;
  assert.equal(data.current, "t2");
  assert.deepEqual(data.threads.map((x: any) => [x.name, x.turns, x.current]), [["main", 2, false], ["t2", 1, true]]);
  const h = await dispatch("agent history main", ctx);
  assert.deepEqual((h.result.data as any).exchanges.map((e: any) => [e.prompt, e.answer]), [["My name is Ada.", "Hello Ada."], ["What is my name?", "Your name is Ada."]]);
  await assert.rejects(dispatch("agent history nope", ctx), /no thread named "nope"/);

  // Back to main by name: its history is sent again.
  srv.replies.push({ content: "Still Ada." });
  await dispatch("agent --thread main", ctx, { body: "And now?" });
  assert.equal(texts(srv.requests[3]!.body).length, 1 + 5);
});

test("history beyond agentDefaults.historyTokens is trimmed oldest-first, with a visible note", async (t) => {
  // 100 tokens is about 400 characters: each exchange below is about 60 tokens, so only the newest fits.
  const { srv, ctx } = await kernelSetup(t, { agentDefaults: { historyTokens: 100 } });
  const long = (c: string) => c.repeat(200);
  srv.replies.push({ content: long("a") }, { content: long("b") }, { content: "ok" });
  await dispatch("agent", ctx, { body: "first" });
  await dispatch("agent", ctx, { body: "second" });
  const r = await dispatch("agent", ctx, { body: "third" });
  const sent = texts(srv.requests[2]!.body).slice(1);
  assert.deepEqual(sent, ["user:second", `assistant:${long("b")}`, "user:third"], "the oldest exchange is dropped, the newest kept");
  const note = (r.result.data as any).events.find((e: any) => e.type === "turn.note");
  assert.match(note.message, /1 older exchange\(s\) left out to fit agentDefaults.historyTokens \(100\)/);
  assert.match(r.result.text!, /note: thread main: 1 older exchange/);
  assert.match(r.result.html!, /oc-note/);
});

test("a gateway client's turns have their own threads: they neither see nor continue the session's conversation", async (t) => {
  const { srv, ctx } = await kernelSetup(t);
  srv.replies.push({ content: "Secret plan noted." }, { content: "I know nothing." });
  await dispatch("agent", ctx, { body: "The secret plan is X." });
  const agent = await (await ctx.runtime()).agent();
  const r = await agent.run({ prompt: "What is the secret plan?", party: "client:abc" });
  assert.equal(r.thread, "main");
  assert.deepEqual(texts(srv.requests[1]!.body).slice(1), ["user:What is the secret plan?"], "no exchange of the session's person was sent");
  assert.deepEqual(agent.history("main", "client:abc").exchanges.map((e) => e.prompt), ["What is the secret plan?"]);
  assert.deepEqual(agent.history("main").exchanges.map((e) => e.prompt), ["The secret plan is X."]);
});
