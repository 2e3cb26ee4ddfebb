import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFile } from "../helpers/index.js";
import { writeSkill } from "../fixtures/models/runtime.js";
import { dispatch } from "../../magics/dispatch.js";
import { kernelSetup } from "./setup.js";

/** What a reader sees of a turn, without times and ids: steps, text, tool calls and their results, tokens. */
function shape(events: any[]): unknown {
  return events
    .filter((e) => ["model.response", "tool.call", "tool.result"].includes(e.type))
    .map((e) => (e.type === "model.response" ? { step: e.step, content: e.content, calls: e.toolCalls, usage: e.usage } : e.type === "tool.call" ? { call: e.name, args: e.arguments, id: e.callId } : { result: e.name, status: e.status, stdout: e.stdout, exit: e.exitCode }));
}

test("a live turn is recorded, exported as a scripted file, and replays offline with the same transcript; a changed tool output reports the divergence", async (t) => {
  const { srv, ctx, dir } = await kernelSetup(t);
  writeSkill(join(dir, "skills"), "readnote", "/bin/cat {{file}}", { file: { type: "string", description: "file in the workspace" } });
  writeFile(join(dir, "workspace", "note.txt"), "the launch is on Tuesday\n");
  srv.replies.push({ content: "Reading.", toolCalls: [{ name: "readnote", arguments: { file: "note.txt" } }], usage: { prompt_tokens: 100, completion_tokens: 20 } }, { content: "The launch is on Tuesday.", usage: { prompt_tokens: 150, completion_tokens: 9 } });
  const live = await dispatch("agent", ctx, { body: "When is the launch?" });
  const ld = live.result.data as any;
  assert.equal(ld.status, "ok");
  assert.equal(ld.recording, ld.turnId);
  const saved = join(dir, "state", "agent", "turns", `${ld.turnId}.json`);
  assert.equal(statSync(saved).mode & 0o777, 0o600);
  const rec = JSON.parse(readFileSync(saved, "utf8"));
  assert.equal(rec.model, "openai/gpt-4o-mini");
  assert.equal(rec.modelId, "gpt-4o-mini");
  assert.equal(rec.steps.length, 2);
  assert.deepEqual(rec.steps[0].response.usage, { promptTokens: 100, completionTokens: 20 });
  assert.match(rec.steps[0].toolResults[0].sha256, /^[0-9a-f]{64}$/);
  assert.ok(rec.steps[1].request.messages.some((m: any) => m.role === "tool" && m.content.includes("the launch is on Tuesday")));
  assert.match(live.result.text!, new RegExp(`recorded as ${ld.turnId}`));

  const ex = await dispatch(`agent export ${ld.turnId} --scripted launch.json`, ctx);
  assert.equal((ex.result.data as any).ref, "scripted/launch.json");
  assert.ok(existsSync(join(dir, "scripts", "launch.json")));
  await assert.rejects(dispatch(`agent export ${ld.turnId} --scripted launch.json`, ctx), /exists/);
  await assert.rejects(dispatch(`agent export ${ld.turnId} --scripted ../out.json`, ctx), /scripted/);

  // Offline: the server is not asked again. A new thread, so the request starts like the recorded one did.
  const before = srv.requests.length;
  const replay = await dispatch("agent --new --model scripted/launch.json", ctx, { body: "When is the launch?" });
  const rd = replay.result.data as any;
  assert.equal(srv.requests.length, before, "the replay made no network call");
  assert.equal(rd.status, "ok", rd.error);
  assert.equal(rd.scripted, true);
  assert.equal(rd.final, ld.final);
  assert.deepEqual(shape(rd.events), shape(ld.events));
  assert.deepEqual(rd.usage, ld.usage);

  // The note changed: the tool's output no longer matches what the model was shown.
  writeFile(join(dir, "workspace", "note.txt"), "the launch is on Friday\n");
  const diverged = await dispatch("agent --new --model scripted/launch.json", ctx, { body: "When is the launch?" });
  const dd = diverged.result.data as any;
  assert.equal(dd.status, "error");
  assert.match(dd.error, /diverged from the recording at step 2: message 4 \(the result of tool readnote\) differs at character \d+: recorded ".*Tuesday.*", now ".*Friday.*"/);
  assert.equal(diverged.result.exitCode, 1);
  // An edited prompt diverges at step 1.
  writeFile(join(dir, "workspace", "note.txt"), "the launch is on Tuesday\n");
  const edited = await dispatch("agent --new --model scripted/launch.json", ctx, { body: "When is the party?" });
  assert.match((edited.result.data as any).error, /step 1: message 2 \(the user's prompt\) differs/);
});
