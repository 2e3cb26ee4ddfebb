import { test } from "node:test";
import assert from "node:assert/strict";
import { dispatch } from "../../magics/dispatch.js";
import { startFakeOpenAI } from "../fixtures/models/openai-server.js";
import { kernelSetup } from "./setup.js";

test("two named OpenAI-compatible providers answer side by side in one session; models list shows each; pinning applies to them too", async (t) => {
  const ollama = await startFakeOpenAI();
  const lab = await startFakeOpenAI();
  t.after(async () => {
    await ollama.close();
    await lab.close();
  });
  const { srv, ctx } = await kernelSetup(t, {
    models: {
      refs: ["ollama/llama3.2:3b", "lab/qwen2.5-7b-instruct"],
      providers: { ollama: { type: "openai", baseURL: ollama.url, maxRetries: 0 }, lab: { type: "openai", baseURL: lab.url, apiKeyEnv: "LAB_TOKEN", maxRetries: 0 }, spare: { type: "openai", baseURL: "https://api.example.com/v1" } },
    },
  });
  ollama.replies.push({ content: "from ollama" });
  lab.replies.push({ content: "from lab" });
  const a = await dispatch("agent --model ollama/llama3.2:3b", ctx, { body: "hi" });
  const b = await dispatch("agent --model lab/qwen2.5-7b-instruct", ctx, { body: "hi" });
  assert.equal((a.result.data as any).final, "from ollama");
  assert.equal((b.result.data as any).final, "from lab");
  assert.equal(ollama.requests[0]!.body.model, "llama3.2:3b", "the model id after the provider name is sent as is");
  assert.equal(lab.requests[0]!.body.model, "qwen2.5-7b-instruct");
  assert.equal(srv.requests.length, 0, "the default openai endpoint was not asked");
  // The second turn continued the thread across providers.
  assert.deepEqual(lab.requests[0]!.body.messages.slice(1).map((m: any) => m.content), ["hi", "from ollama", "hi"]);

  const list = (await dispatch("models list --json", ctx)).result.data as any;
  const row = (ref: string) => list.models.find((m: any) => m.ref === ref);
  assert.equal(row("ollama/llama3.2:3b").provider, "ollama");
  assert.equal(row("ollama/llama3.2:3b").available, true, "loopback: no key needed");
  assert.equal(row("lab/qwen2.5-7b-instruct").provider, "lab");
  assert.equal(row("spare/").available, false);
  assert.match(row("spare/").note, /no model of spare configured/);

  await assert.rejects(dispatch("agent --model ollama/llama3.2:latest", ctx, { body: "x" }), /floating alias/);
  await assert.rejects(dispatch("agent --model nowhere/x", ctx, { body: "x" }), (e: any) => /unknown model provider "nowhere"/.test(e.message) && /ollama, lab, spare.*models\.providers\.nowhere/.test(e.fix));
});
