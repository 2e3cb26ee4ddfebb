import { test } from "node:test";
import assert from "node:assert/strict";
import { dispatch } from "../../magics/dispatch.js";
import { kernelSetup } from "./setup.js";

test("tokens per step and per turn, and a cost estimate from the config's price table, in the transcript and the JSON", async (t) => {
  // 2.5 per million prompt tokens, 10 per million completion tokens.
  const { srv, ctx } = await kernelSetup(t, { models: { prices: { "openai/gpt-4o-mini": { input: 2.5, output: 10, currency: "EUR" } } } });
  srv.replies.push({ content: "", toolCalls: [{ name: "echo", arguments: { text: "hi" } }], usage: { prompt_tokens: 1000, completion_tokens: 100 } }, { content: "done", usage: { prompt_tokens: 2000, completion_tokens: 50 } });
  const { result } = await dispatch("agent", ctx, { body: "say hi" });
  const d = result.data as any;
  const steps = d.events.filter((e: any) => e.type === "model.response");
  assert.deepEqual(steps.map((e: any) => e.usage), [{ promptTokens: 1000, completionTokens: 100 }, { promptTokens: 2000, completionTokens: 50 }]);
  // 1000*2.5e-6 + 100*10e-6 = 0.0035; 2000*2.5e-6 + 50*10e-6 = 0.0055
  assert.deepEqual(steps.map((e: any) => e.cost), [{ amount: 0.0035, currency: "EUR" }, { amount: 0.0055, currency: "EUR" }]);
  assert.deepEqual(d.usage, { promptTokens: 3000, completionTokens: 150 });
  assert.deepEqual(d.cost, { amount: 0.009, currency: "EUR" });
  assert.deepEqual(d.events.at(-1).cost, { amount: 0.009, currency: "EUR" });
  assert.match(result.text!, /step 1: model .*1000\+100 tokens ≈ 0\.00350 EUR/);
  assert.match(result.text!, /tokens 3000 in \/ 150 out, cost ≈ 0\.00900 EUR/);
  assert.match(result.html!, /cost ≈ 0\.00900 EUR/);

  // A ref without a price has no estimate, never a guess.
  srv.replies.push({ content: "ok" });
  const other = await dispatch("agent --model openai/gpt-test", ctx, { body: "x" });
  assert.equal((other.result.data as any).cost, null);
  assert.doesNotMatch(other.result.text!, /cost/);
});
