import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { check } from "../../runtime/config/schema.js";
import type { ApprovalRequest } from "../../runtime/events.js";
import { SEED } from "../helpers/index.js";
import { makeRuntime } from "./setup.js";

const md = (front: string) => `---\n${front}\n---\n`;

test("local-rag (the seed's SKILL.md) runs through invoke and prints the seed's JSON shape; the run is audited with hashes", async (t) => {
  const { rt, ws } = makeRuntime(t);
  const reg = await rt.skills();
  const q = "How do we onboard new hires for product training?";
  const r = await reg.invoke("local-rag", { query: q }, { actor: rt.actor({ modelRef: "openai/gpt-4o-mini", modelId: "gpt-4o-mini-2024-07-18" }) });
  assert.equal(r.status, "ok", r.stderr);
  const out = JSON.parse(r.stdout);
  const expected = JSON.parse(readFileSync(join(SEED, "expected-output.json"), "utf8"));
  assert.deepEqual(Object.keys(out).sort(), Object.keys(expected).sort());
  assert.equal(out.query, q);
  assert.deepEqual(Object.keys(out.results[0]).sort(), ["score", "source", "text"]);
  const [rec] = await (await rt.audit()).tail(1);
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
  const reg = await rt.skills();
  const none = await reg.invoke("risky", { what: "x" }, { actor: rt.actor() });
  assert.equal(none.status, "denied");
  assert.equal(none.rule, "approval.none");
  const no = await reg.invoke("risky", { what: "x" }, { actor: rt.actor(), approver: async () => false });
  assert.equal(no.rule, "approval.denied");
  const asked: ApprovalRequest[] = [];
  const yes = await reg.invoke("risky", { what: "x" }, { actor: rt.actor(), approver: async (q) => (asked.push(q), true) });
  assert.equal(yes.status, "ok");
  assert.equal(yes.stdout, "approved x\n");
  assert.deepEqual(asked[0]!.argv, ["/bin/echo", "approved", "x"]);
  const recs = await (await rt.audit()).tail(10);
  assert.deepEqual(recs.map((r) => [r.action, r.decision, r.rule]), [
    ["skill.invoke", "deny", "approval.none"],
    ["approval", "deny", "approval.denied"],
    ["skill.invoke", "deny", "approval.denied"],
    ["approval", "allow", "approval.granted"],
    ["skill.invoke", "allow", "skill.allowed"],
  ]);
  assert.equal((await (await rt.audit()).verify()).ok, true);
});

test("unknown and blocked skills are denied results, not exceptions", async (t) => {
  const { rt } = makeRuntime(t);
  const reg = await rt.skills();
  const u = await reg.invoke("nope", {}, { actor: rt.actor() });
  assert.equal(u.status, "denied");
  assert.equal(u.rule, "skill.unknown");
  await reg.register(md("name: blocked-one\ndescription: d\nexec: { cmd: no-such-tool-xyz }"), { fromText: true });
  const b = await reg.invoke("blocked-one", {}, { actor: rt.actor() });
  assert.equal(b.rule, "skill.blocked");
  assert.match(b.reason!, /no-such-tool-xyz/);
});

test("timeouts and background runs through a skill: running result, then an exec.exit audit record and a notice", async (t) => {
  const { rt } = makeRuntime(t, { exec: { backgroundMs: 100 } });
  const events: string[] = [];
  rt.on((e) => events.push(e.type));
  const reg = await rt.skills();
  await reg.register(md("name: slow\ndescription: d\nexec: { cmd: 'sh -c \"sleep 0.4; echo {{word}}\"' }"), { fromText: true });
  const r = await reg.invoke("slow", { word: "finished" }, { actor: rt.actor(), owner: "turn-9" });
  assert.equal(r.status, "running");
  assert.ok(r.id);
  const ex = await rt.exec();
  const fin = await ex.wait(r.id!);
  assert.equal(fin.stdout, "finished\n");
  // The notice is queued before wait() resolves; the exec.exit audit record follows it: wait for that record.
  assert.deepEqual(ex.drainNotices("turn-9").map((n) => n.tail), ["finished\n"]);
  assert.ok(events.includes("exec.background") && events.includes("exec.exit"));
  const log = await rt.audit();
  for (const end = Date.now() + 10_000; Date.now() < end && (await log.tail(1))[0]?.action !== "exec.exit"; ) await new Promise((res) => setImmediate(res));
  const recs = await log.tail(2);
  assert.deepEqual(recs.map((x) => [x.action, x.extra?.status]), [["skill.invoke", "running"], ["exec.exit", "ok"]]);

  await reg.register(md("name: hang\ndescription: d\nexec: { cmd: 'sleep 20', timeoutSec: 1, backgroundMs: 5000 }"), { fromText: true });
  const to = await reg.invoke("hang", {}, { actor: rt.actor() });
  assert.equal(to.status, "timeout");
  assert.equal(to.timedOut, true);
  assert.equal((await (await rt.audit()).tail(1))[0]!.timedOut, true);
});

test("the Stop button (AbortSignal) ends a skill run as failed with the reason; the runtime keeps working", async (t) => {
  const { rt } = makeRuntime(t);
  const reg = await rt.skills();
  await reg.register(md("name: wait\ndescription: d\nexec: { cmd: 'sleep 20' }"), { fromText: true });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 150);
  const r = await reg.invoke("wait", {}, { actor: rt.actor(), signal: ac.signal });
  assert.equal(r.status, "failed");
  assert.match(r.reason!, /aborted/);
  assert.equal((await reg.invoke("risky", { what: "y" }, { actor: rt.actor(), approver: async () => true })).status, "ok");
});

test("sandbox required without bubblewrap: the skill run is denied (audited), nothing runs", async (t) => {
  const { rt } = makeRuntime(t, { exec: { sandbox: "required" } });
  const ex = await rt.exec();
  // Simulate a machine without bubblewrap for this manager.
  (ex as unknown as { bwrapCandidates: string[] }).bwrapCandidates = ["/nonexistent/bwrap"];
  const reg = await rt.skills();
  const r = await reg.invoke("argv-echo", { text: "x" }, { actor: rt.actor() });
  assert.equal(r.status, "denied");
  assert.equal(r.rule, "sandbox.required");
  assert.equal(r.id, null);
});

test("fail closed: when the audit log cannot be written, the skill does not run", async (t) => {
  const { writeFileSync, existsSync } = await import("node:fs");
  const { dir: base } = makeRuntime(t);
  const blocker = join(base, "not-a-dir");
  writeFileSync(blocker, "a file where the audit folder should be");
  const { rt, ws } = makeRuntime(t, { audit: { path: join(blocker, "audit.jsonl") } });
  const reg = await rt.skills();
  await reg.register(md("name: touch\ndescription: d\nexec: { cmd: '/usr/bin/touch marker' }"), { fromText: true });
  await assert.rejects(reg.invoke("touch", {}, { actor: rt.actor() }), (e: Error & { code?: string }) => e.code === "audit_unwritable");
  assert.equal(existsSync(join(ws, "marker")), false);
});
