// The gateway over the real runtime parts (skills, exec, audit): what a WebSocket
// client does goes through its door -> the governor -> exec -> audit, exactly as from the CLI.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { tmp, writeFile } from "../helpers/index.js";
import { get, startGateway, wsClient } from "./helpers.js";

test("real runtime: skills.list, skills.invoke (argv, no shell), audit.tail, exec.list, a background exit notice to its owner", { timeout: 30_000 }, async (t) => {
  const skills = tmp(t, "oc-gw-skills-");
  writeFile(join(skills, "echo", "SKILL.md"), "---\nname: echo\ndescription: echo the text\nexec:\n  cmd: /bin/echo {{text}}\nparameters:\n  properties:\n    text: { type: string }\n  required: [text]\n---\n");
  writeFile(join(skills, "later", "SKILL.md"), "---\nname: later\ndescription: answers after a while\nexec:\n  cmd: node -e \"setTimeout(() => console.log('later'), 400)\"\n  backgroundMs: 50\n---\n");
  const { port } = await startGateway(t, {}, { config: { skills: { dirs: [skills] } } });
  const c = await wsClient(port);
  // Every bus event too (exec.background, exec.exit, policy.denied from the registry): each is checked against the event schema.
  assert.equal((await c.call("events.subscribe", { types: [] })).ok, true);
  const list = await c.call("skills.list");
  assert.equal(list.ok, true, JSON.stringify(list.error));
  const names = list.payload.skills.map((s: { name: string }) => s.name);
  assert.ok(names.includes("echo"), names.join(","));
  const evil = "a; rm -rf ~ $(whoami) `id` | cat";
  const inv = await c.call("skills.invoke", { name: "echo", params: { text: evil } });
  assert.equal(inv.ok, true, JSON.stringify(inv.error));
  assert.equal(inv.payload.status, "ok");
  assert.equal(inv.payload.stdout, evil + "\n", "one literal argv slot, never a shell");
  assert.deepEqual(inv.payload.argv, ["/bin/echo", evil]);
  const bad = await c.call("skills.invoke", { name: "echo", params: {} });
  assert.equal(bad.ok, true);
  assert.equal(bad.payload.status, "denied", "a refusal is a result, decided by the runtime");
  const audit = await c.call("audit.tail", { n: 5 });
  assert.equal(audit.ok, true, JSON.stringify(audit.error));
  const recs = audit.payload.records as Array<Record<string, any>>;
  assert.ok(recs.some((r) => r.skill === "echo" && r.actor?.host === "gateway"), JSON.stringify(recs.at(-1)));

  const bg = await c.call("skills.invoke", { name: "later", params: {} });
  assert.equal(bg.payload.status, "running", JSON.stringify(bg.payload).slice(0, 600));
  const sessions = await c.call("exec.list");
  assert.ok(sessions.payload.sessions.some((s: { id: string }) => s.id === bg.payload.id));
  const notice = await c.waitEvent((e) => e.event === "exec.exit" && e.payload.id === bg.payload.id, 10_000);
  assert.equal(notice.payload.exitCode, 0);
  const log = await c.call("exec.log", { id: bg.payload.id });
  assert.match(log.payload.stdout, /later/);
  const m = await get(port, "/metrics");
  assert.match(m.body, /openclaw_skill_invocations_total\{source="gateway",status="ok"\} 1/);
  assert.match(m.body, /openclaw_exec_runs_total\{source="background"\} 1/);
  const seen = new Set(c.events.map((e) => e.event));
  for (const type of ["policy.denied", "exec.background", "exec.exit"]) assert.ok(seen.has(type), `${type} reached the subscriber: ${[...seen].join(",")}`);
  assert.deepEqual(c.badEvents, [], "every event frame matches schemas/gateway-event.schema.json");
  c.close();
});

test("real runtime: agent.run streams a scripted turn; a risk: high skill waits for exec.approval.resolve", { timeout: 30_000 }, async (t) => {
  const skills = tmp(t, "oc-gw-skills-");
  writeFile(join(skills, "danger", "SKILL.md"), "---\nname: danger\ndescription: a risky action\nrisk: high\nexec:\n  cmd: /bin/echo danger-ran\n---\n");
  const scripts = tmp(t, "oc-gw-scripts-");
  writeFile(join(scripts, "ask.json"), { turns: [{ toolCalls: [{ name: "nope", arguments: {} }] }, { toolCalls: [{ name: "danger", arguments: {} }] }, { content: "done" }] });
  const { port } = await startGateway(t, {}, { config: { skills: { dirs: [skills] }, models: { providers: { scripted: { scriptsDir: scripts } } } } });
  const c = await wsClient(port);
  const turn = c.call("agent.run", { prompt: "do the risky thing", model: "scripted/ask" });
  const ask = await c.waitEvent((e) => e.event === "exec.approval.requested", 15_000);
  assert.equal(ask.payload.skill, "danger");
  assert.ok(ask.payload.approvalId);
  assert.equal((await c.call("exec.approval.resolve", { approvalId: ask.payload.approvalId, approve: true })).ok, true);
  const res = await turn;
  assert.equal(res.ok, true, JSON.stringify(res.error));
  assert.equal(res.payload.status, "ok", JSON.stringify(res.payload).slice(0, 400));
  assert.equal(res.payload.final, "done");
  const streamed = c.events.filter((e) => e.reqId === res.id).map((e) => e.event);
  assert.ok(streamed.includes("turn.start") && streamed.includes("tool.result") && streamed.includes("turn.end"), streamed.join(","));
  const result = c.events.findLast((e) => e.reqId === res.id && e.event === "tool.result");
  assert.match(JSON.stringify(result.payload), /danger-ran|"ok"/);
  // One field name per concept: the refused tool is `skill`, as in approval.requested and the audit record.
  const denied = c.events.find((e) => e.reqId === res.id && e.event === "policy.denied");
  assert.equal(denied?.payload.skill, "nope", JSON.stringify(denied?.payload));
  assert.equal(denied.payload.rule, "skill.unknown");
  assert.deepEqual(c.badEvents, [], "every event frame matches schemas/gateway-event.schema.json");
  c.close();
});
