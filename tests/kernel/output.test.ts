/** Output ordering, live displays updated in place, and the event views (transcript, progress). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EventView } from "../../kernel/events.js";
import { Output } from "../../kernel/output.js";
import type { Wire } from "../../kernel/wire.js";

function fakeWire() {
  const sent: Array<{ type: string; content: any }> = [];
  const wire = { publish: async (type: string, content: object) => void sent.push({ type, content }) } as unknown as Wire;
  return { wire, sent };
}
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe("Output", () => {
  it("coalesces stream writes and flushes them before a display", async () => {
    const { wire, sent } = fakeWire();
    const out = new Output(wire, { current: undefined });
    for (let i = 0; i < 100; i++) out.write("stdout", `l${i}\n`);
    out.write("stderr", "warn\n");
    await out.display({ "text/plain": "shown" });
    assert.deepEqual(sent.map((m) => m.type), ["stream", "stream", "display_data"]);
    assert.equal(sent[0]!.content.text.split("\n").length, 101);
    assert.equal(sent[1]!.content.name, "stderr");
  });

  it("updates a live display in place, throttled, and finishes with the final bundle", async () => {
    const { wire, sent } = fakeWire();
    const live = new Output(wire, { current: undefined }).live();
    for (let i = 0; i < 50; i++) live.show({ "text/plain": `step ${i}` });
    live.finish({ "text/plain": "done" });
    await tick(150);
    assert.equal(sent[0]!.type, "display_data");
    assert.equal(sent[0]!.content.transient.display_id, live.id);
    assert.ok(sent.length <= 3, `throttled: ${sent.length} messages for 51 states`);
    const last = sent.at(-1)!;
    assert.equal(last.type, "update_display_data");
    assert.equal(last.content.transient.display_id, live.id);
    assert.deepEqual(last.content.data, { "text/plain": "done" });
  });
});

describe("EventView", () => {
  it("renders rag.progress as a progress bar and agent events as one transcript", async () => {
    const { wire, sent } = fakeWire();
    const out = new Output(wire, { current: undefined });
    const rag = new EventView(out.live(), "%openclaw rag index docs");
    rag.add({ type: "rag.progress", ts: 1, done: 3, total: 12, file: "a.md", phase: "embed" });
    await tick();
    assert.match(sent[0]!.content.data["text/plain"], /embed 3\/12 a\.md \(25%\)/);
    assert.match(sent[0]!.content.data["text/html"], /oc-progress/);
    assert.doesNotMatch(sent[0]!.content.data["text/html"], /<script/);

    const agent = new EventView(out.live(), "%openclaw agent");
    agent.add({ type: "turn.start", ts: 1, model: "openai/gpt-4o-mini", provider: "openai", scripted: false, prompt: "hello", maxSteps: 8, turnTimeoutSec: 600 });
    agent.add({ type: "tool.call", ts: 2, step: 1, callId: "c1", name: "local-rag", arguments: { query: "<b>x</b>" } });
    agent.add({ type: "tool.result", ts: 3, step: 1, callId: "c1", name: "local-rag", status: "ok", exitCode: 0, signal: null, timedOut: false, durationMs: 12, argv: ["python3", "rag.py"], id: null, stdout: "", stderr: "", reason: null, rule: null, files: null });
    // Whichever renderer draws it (the agent area's or the fallback), it names the tool and escapes the model's text.
    for (const b of [agent.bundle(), await tick(50).then(() => agent.bundle())]) {
      assert.match(String(b["text/plain"]), /local-rag/);
      assert.match(String(b["text/html"]), /local-rag/);
      assert.doesNotMatch(String(b["text/html"]), /<b>x<\/b>/, "event text is escaped in HTML");
    }
  });
});
