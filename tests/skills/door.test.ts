// Doors: the actor is bound when a front door is made, never passed per call; only the
// agent loop can act as a model.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PolicyError } from "../../runtime/errors.js";
import { makeRuntime } from "../fixtures/runtime.js";

const REF = "openai/gpt-4o-mini";

test("runtime.door(): a person's actor from the runtime's host and session; a smuggled modelRef is refused", (t) => {
  const { rt } = makeRuntime(t, { host: "kernel" });
  const d = rt.door();
  assert.deepEqual(d.actor, { host: "kernel", sessionId: rt.sessionId });
  assert.ok(Object.isFrozen(d.actor), "nobody re-binds a door");
  assert.throws(() => ((d.actor as { modelRef?: string }).modelRef = REF), TypeError);
  assert.deepEqual(rt.door({ host: "gateway", clientId: "c1" }).actor, { host: "gateway", sessionId: rt.sessionId, clientId: "c1" });
  for (const extra of [{ modelRef: REF }, { modelId: "gpt-4o-mini" }, { clientId: "c", modelRef: REF }]) {
    assert.throws(() => rt.door(extra as never), (e: unknown) => e instanceof PolicyError && e.rule === "actor.model", JSON.stringify(extra));
  }
  // No way from the runtime's surface to exec, the audit log, an actor or a model door.
  for (const name of ["exec", "audit", "actor", "governor", "modelDoor", "parts", "part"]) assert.equal((rt as unknown as Record<string, unknown>)[name], undefined, name);
});

test("a person's door never passes the apply_patch gate, even for an allow-listed model config and an always-yes approver; the refusal is audited as the person", async (t) => {
  const { rt, ws } = makeRuntime(t, { config: { tools: { exec: { applyPatch: { enabled: true, allowedModels: [REF] } } } } });
  writeFileSync(join(ws, "a.txt"), "one\n");
  const d = rt.door();
  const r = await d.applyPatch("--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+PWNED\n", { approver: async () => true });
  assert.equal(r.status, "denied");
  assert.equal(r.rule, "applyPatch.model");
  assert.equal(readFileSync(join(ws, "a.txt"), "utf8"), "one\n");
  const [rec] = await d.auditTail(1);
  assert.equal(rec!.action, "apply_patch");
  assert.equal(rec!.decision, "deny");
  assert.deepEqual(rec!.actor, { host: "cli", sessionId: rt.sessionId });
  // Per-call options cannot name an actor: an extra key is ignored, the door's actor acts.
  const again = await d.invoke("argv-echo", { text: "x" }, { actor: { host: "cli", sessionId: "forged", modelRef: REF } } as never);
  assert.equal(again.status, "ok");
  const [rec2] = await d.auditTail(1);
  assert.deepEqual(rec2!.actor, { host: "cli", sessionId: rt.sessionId });
});

test("exec.kill through any door is audited with that door's actor; an unknown id is an audited error", async (t) => {
  const { rt, waitEvent } = makeRuntime(t, { config: { tools: { exec: { backgroundMs: 50 } } } });
  const reg = await rt.skills();
  await reg.register("---\nname: nap\ndescription: d\nexec: { cmd: 'sleep 30' }\n---\n", { fromText: true });
  const d = rt.door({ host: "gateway", clientId: "c9" });
  const run = await d.invoke("nap", {});
  assert.equal(run.status, "running");
  await waitEvent((e) => e.type === "exec.background" && e.id === run.id);
  const k = await d.execKill(run.id!);
  assert.equal(k.signal, "SIGTERM");
  const [rec] = await d.auditTail(1);
  assert.deepEqual([rec!.action, rec!.decision, rec!.rule, rec!.execId], ["exec.kill", "allow", "exec.kill", run.id]);
  assert.deepEqual(rec!.actor, { host: "gateway", sessionId: rt.sessionId, clientId: "c9" });
  await assert.rejects(d.execKill("xnope"));
  const [err] = await d.auditTail(1);
  assert.deepEqual([err!.action, err!.decision, err!.execId], ["exec.kill", "error", "xnope"]);
  assert.equal((await d.auditVerify()).ok, true);
});
