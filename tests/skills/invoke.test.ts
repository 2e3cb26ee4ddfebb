import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { check } from "../../runtime/config/schema.js";
import type { ApprovalRequest } from "../../runtime/events.js";
import { SEED } from "../helpers/index.js";
import { makeRuntime } from "../fixtures/runtime.js";

const md = (front: string) => `---\n${front}\n---\n`;

test("local-rag (the seed's SKILL.md) runs through invoke and prints the seed's JSON shape; the run is audited with hashes", async (t) => {
  const { ws, governor } = makeRuntime(t);
  // As a model (what an agent turn's door does): the record names the ref and the id that answered.
  const gov = await governor();
  const q = "How do we onboard new hires for product training?";
  const r = await gov.invoke({ host: "cli", sessionId: "test", modelRef: "openai/gpt-4o-mini", modelId: "gpt-4o-mini-2024-07-18" }, "local-rag", { query: q });
  assert.equal(r.status, "ok", r.stderr);
  const out = JSON.parse(r.stdout);
  const expected = JSON.parse(readFileSync(join(SEED, "expected-output.json"), "utf8"));
  assert.deepEqual(Object.keys(out).sort(), Object.keys(expected).sort());
  assert.equal(out.query, q);
  assert.deepEqual(Object.keys(out.results[0]).sort(), ["score", "source", "text"]);
  const [rec] = await gov.auditTail(1);
  assert.equal(rec!.action, "skill.invoke");
  assert.equal(rec!.decision, "allow");
  assert.equal(rec!.skill, "local-rag");
  assert.deepEqual(rec!.argv, r.argv);
  assert.equal(rec!.cwd, ws);
  assert.equal(rec!.exitCode, 0);
  assert.equal(rec!.actor.modelId, "gpt-4o-mini-2024-07-18");
  assert.equal(rec!.stdout!.bytes, Buffer.byteLength(r.stdout));
  assert.equal(rec!.stdout!.sha256, (await import("node:crypto")).createHash("sha256").update(r.stdout).digest("hex"));
  assert.deepEqual(check("audit-record.schema.json", rec), []);
});

test("risk: high asks the approver; no approver or a no denies, and every decision is audited", async (t) => {
  const { rt } = makeRuntime(t);
  const door = rt.door();
  const none = await door.invoke("risky", { what: "x" });
  assert.equal(none.status, "denied");
  assert.equal(none.rule, "approval.none");
  const no = await door.invoke("risky", { what: "x" }, { approver: async () => false });
  assert.equal(no.rule, "approval.denied");
  const asked: ApprovalRequest[] = [];
  const yes = await door.invoke("risky", { what: "x" }, { approver: async (q) => (asked.push(q), true) });
  assert.equal(yes.status, "ok");
  assert.equal(yes.stdout, "approved x\n");
  assert.deepEqual(asked[0]!.argv, ["/bin/echo", "approved", "x"]);
  const recs = await door.auditTail(10);
  assert.deepEqual(recs.map((r) => [r.action, r.decision, r.rule]), [
    ["skill.invoke", "deny", "approval.none"],
    ["approval", "deny", "approval.denied"],
    ["skill.invoke", "deny", "approval.denied"],
    ["approval", "allow", "approval.granted"],
    ["skill.invoke", "allow", "skill.allowed"],
  ]);
  assert.equal((await door.auditVerify()).ok, true);
});

test("unknown and blocked skills are denied results, not exceptions", async (t) => {
  const { rt } = makeRuntime(t);
  const reg = await rt.skills();
  const door = rt.door();
  const u = await door.invoke("nope", {});
  assert.equal(u.status, "denied");
  assert.equal(u.rule, "skill.unknown");
  await reg.register(md("name: blocked-one\ndescription: d\nexec: { cmd: no-such-tool-xyz }"), { fromText: true });
  const b = await door.invoke("blocked-one", {});
  assert.equal(b.rule, "skill.blocked");
  assert.match(b.reason!, /no-such-tool-xyz/);
});

test("timeouts and background runs through a skill: running result, then an exec.exit audit record and a notice", async (t) => {
  const { rt, events, waitEvent } = makeRuntime(t, { config: { tools: { exec: { backgroundMs: 100 } } } });
  const reg = await rt.skills();
  const door = rt.door();
  await reg.register(md("name: slow\ndescription: d\nexec: { cmd: 'sh -c \"sleep 0.4; echo {{word}}\"' }"), { fromText: true });
  const r = await door.invoke("slow", { word: "finished" }, { owner: "turn-9" });
  assert.equal(r.status, "running");
  assert.ok(r.id);
  const exit = await waitEvent((e) => e.type === "exec.exit" && e.id === r.id);
  assert.ok(exit.type === "exec.exit");
  assert.equal(exit.owner, "turn-9", "the exit notice goes to the owner the caller named");
  assert.equal(exit.tail, "finished\n");
  assert.equal((await door.execLog(r.id!)).stdout, "finished\n");
  assert.ok(events.some((e) => e.type === "exec.background"));
  // The exit's own record is written right after the event: wait for it, not a fixed time.
  let recs = await door.auditTail(2);
  for (const end = Date.now() + 10_000; recs.at(-1)?.action !== "exec.exit" && Date.now() < end; ) (await new Promise((res) => setTimeout(res, 10)), (recs = await door.auditTail(2)));
  assert.deepEqual(recs.map((x) => [x.action, x.extra?.status]), [["skill.invoke", "running"], ["exec.exit", "ok"]]);

  await reg.register(md("name: hang\ndescription: d\nexec: { cmd: 'sleep 20', timeoutSec: 1, backgroundMs: 5000 }"), { fromText: true });
  const to = await door.invoke("hang", {});
  assert.equal(to.status, "timeout");
  assert.equal(to.timedOut, true);
  assert.equal((await door.auditTail(1))[0]!.timedOut, true);
});

test("the Stop button (AbortSignal) ends a skill run as failed with the reason; the runtime keeps working", async (t) => {
  const { rt } = makeRuntime(t);
  const reg = await rt.skills();
  const door = rt.door();
  await reg.register(md("name: wait\ndescription: d\nexec: { cmd: 'sleep 20' }"), { fromText: true });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 150);
  const r = await door.invoke("wait", {}, { signal: ac.signal });
  assert.equal(r.status, "failed");
  assert.match(r.reason!, /aborted/);
  assert.equal((await door.invoke("risky", { what: "y" }, { approver: async () => true })).status, "ok");
});

test("sandbox required without bubblewrap: the skill run is denied (audited), nothing runs", async (t) => {
  const { governor } = makeRuntime(t, { config: { tools: { exec: { sandbox: "required" } } } });
  // Simulate a machine without bubblewrap for this governor's exec.
  const gov = await governor({ bwrapCandidates: ["/nonexistent/bwrap"] });
  const r = await gov.invoke({ host: "cli", sessionId: "test" }, "argv-echo", { text: "x" });
  assert.equal(r.status, "denied");
  assert.equal(r.rule, "sandbox.required");
  assert.equal(r.id, null);
  const [rec] = await gov.auditTail(1);
  assert.deepEqual([rec!.action, rec!.decision, rec!.rule], ["skill.invoke", "deny", "sandbox.required"]);
});

test("fail closed: when the audit log cannot be written, the skill does not run", async (t) => {
  const { writeFileSync, existsSync } = await import("node:fs");
  const { dir: base } = makeRuntime(t);
  const blocker = join(base, "not-a-dir");
  writeFileSync(blocker, "a file where the audit folder should be");
  const { rt, ws } = makeRuntime(t, { config: { audit: { path: join(blocker, "audit.jsonl") } } });
  const reg = await rt.skills();
  const door = rt.door();
  await reg.register(md("name: touch\ndescription: d\nexec: { cmd: '/usr/bin/touch marker' }"), { fromText: true });
  await assert.rejects(door.invoke("touch", {}, {}), (e: Error & { code?: string }) => e.code === "audit_unwritable");
  assert.equal(existsSync(join(ws, "marker")), false);
});
