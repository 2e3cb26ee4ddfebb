import { test } from "node:test";
import assert from "node:assert/strict";
import { dispatch } from "../../magics/dispatch.js";
import { kernelSetup } from "./setup.js";

const offered = (body: any) => (body.tools ?? []).map((t: any) => t.function.name).sort();

test("--skills limits the tools sent, and a call to another skill is refused; --no-tools sends none", async (t) => {
  const { srv, ctx } = await kernelSetup(t);
  srv.replies.push({ content: "", toolCalls: [{ name: "echo", arguments: { text: "not offered" } }] }, { content: "done" });
  const a = await dispatch("agent --skills shout", ctx, { body: "use shout" });
  assert.deepEqual(offered(srv.requests[0]!.body), ["shout"]);
  const res = (a.result.data as any).events.find((e: any) => e.type === "tool.result");
  assert.equal(res.status, "denied");
  assert.equal(res.rule, "agent.turnTools");
  assert.equal(res.stdout, "", "the refused skill did not run");

  // Without --skills both skills are offered (the baseline the limit is measured against).
  srv.replies.push({ content: "hi" });
  await dispatch("agent --new", ctx, { body: "anything" });
  assert.deepEqual(offered(srv.requests[2]!.body), ["echo", "shout"]);

  srv.replies.push({ content: "", toolCalls: [{ name: "echo", arguments: { text: "x" } }] }, { content: "ok" });
  const n = await dispatch("agent --no-tools", ctx, { body: "just answer" });
  assert.equal(srv.requests[3]!.body.tools, undefined, "no tools field at all");
  assert.equal((n.result.data as any).events.find((e: any) => e.type === "tool.result").status, "denied");

  srv.replies.push({ content: "ok" });
  const u = await dispatch("agent --skills shout,nosuch", ctx, { body: "x" });
  assert.match((u.result.data as any).events.find((e: any) => e.type === "turn.note").message, /not offered: nosuch/);
  await assert.rejects(dispatch("agent --skills a --no-tools", ctx, { body: "x" }), /contradict/);
});
