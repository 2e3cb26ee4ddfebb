import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createTwoFilesPatch } from "diff";
import { tmp } from "../helpers/index.js";
import type { Actor } from "../../runtime/events.js";
import { makeRuntime } from "../fixtures/runtime.js";

const REF = "openai/gpt-4o-mini";
const yes = async () => true;
const diff = (path: string, before: string, after: string) => createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after);
const creating = (path: string, content: string) => `--- /dev/null\n+++ b/${path}\n@@ -0,0 +1,${content.split("\n").length - 1} @@\n${content.split("\n").slice(0, -1).map((l) => "+" + l).join("\n")}\n`;

/** A model actor: only the agent loop has a door like this; tests use a test-only governor. */
const model = (modelRef?: string): Actor => ({ host: "cli", sessionId: "test", ...(modelRef ? { modelRef } : {}) });

async function setup(t: Parameters<typeof makeRuntime>[0], allowed = [REF], enabled = true) {
  const env = makeRuntime(t, { config: { tools: { exec: { applyPatch: { enabled, allowedModels: allowed } } } } });
  writeFileSync(join(env.ws, "a.txt"), "one\ntwo\nthree\n");
  writeFileSync(join(env.ws, "b.txt"), "alpha\nbeta\n");
  const gov = await env.governor();
  return { ...env, gov };
}

test("gate: disabled, or a ref not allow-listed exactly, is denied and audited", async (t) => {
  const off = await setup(t, [REF], false);
  const p = diff("a.txt", "one\ntwo\nthree\n", "one\nTWO\nthree\n");
  const r1 = await off.gov.applyPatch(model(REF), p, { approver: yes });
  assert.equal(r1.status, "denied");
  assert.equal(r1.rule, "applyPatch.disabled");

  const on = await setup(t);
  for (const modelRef of ["openai/gpt-4o", "openai/gpt-4o-mini-2024-07-18", "OPENAI/gpt-4o-mini", undefined]) {
    const r = await on.gov.applyPatch(model(modelRef), p, { approver: yes });
    assert.equal(r.status, "denied", String(modelRef));
    assert.equal(r.rule, "applyPatch.model");
  }
  assert.equal(readFileSync(join(on.ws, "a.txt"), "utf8"), "one\ntwo\nthree\n");
  const recs = await on.gov.auditTail(10);
  assert.equal(recs.filter((r) => r.action === "apply_patch" && r.decision === "deny").length, 4);
});

test("an allowed model with approval patches files; no approver (non-interactive) denies", async (t) => {
  const { gov, ws } = await setup(t);
  const p = diff("a.txt", "one\ntwo\nthree\n", "one\nTWO\nthree\n") + creating("sub/new.txt", "hello\n");
  const none = await gov.applyPatch(model(REF), p);
  assert.equal(none.status, "denied");
  assert.equal(none.rule, "approval.none");
  const no = await gov.applyPatch(model(REF), p, { approver: async () => false });
  assert.equal(no.rule, "approval.denied");
  assert.equal(readFileSync(join(ws, "a.txt"), "utf8"), "one\ntwo\nthree\n");
  let asked: unknown;
  const r = await gov.applyPatch(model(REF), p, { approver: async (req) => ((asked = req), true) });
  assert.equal(r.status, "ok", r.reason);
  assert.deepEqual(r.files, ["a.txt", "sub/new.txt"]);
  assert.equal((asked as { kind: string }).kind, "apply_patch");
  assert.equal(readFileSync(join(ws, "a.txt"), "utf8"), "one\nTWO\nthree\n");
  assert.equal(readFileSync(join(ws, "sub/new.txt"), "utf8"), "hello\n");
  const last = (await gov.auditTail(1))[0]!;
  assert.equal(last.action, "apply_patch");
  assert.equal(last.decision, "allow");
  assert.equal(last.actor.modelRef, REF);
  assert.deepEqual(last.extra, { files: ["a.txt", "sub/new.txt"] });
});

test("atomic: when one hunk does not apply, no file changes", async (t) => {
  const { gov, ws } = await setup(t);
  const good = diff("a.txt", "one\ntwo\nthree\n", "one\n2\nthree\n");
  const bad = diff("b.txt", "alpha\nGAMMA\n", "alpha\ndelta\n"); // context does not match the file
  const r = await gov.applyPatch(model(REF), good + bad, { approver: yes });
  assert.equal(r.status, "failed");
  assert.equal(r.rule, "applyPatch.apply");
  assert.equal(readFileSync(join(ws, "a.txt"), "utf8"), "one\ntwo\nthree\n");
  assert.equal(readFileSync(join(ws, "b.txt"), "utf8"), "alpha\nbeta\n");
  const garbage = await gov.applyPatch(model(REF), "this is not a diff", { approver: yes });
  assert.equal(garbage.status, "failed");
});

test("containment by real path: ../, absolute paths, symlinks out, .git, config, skills and state dir are refused", async (t) => {
  const { gov, ws, configPath, stateDir } = await setup(t);
  const outside = tmp(t);
  writeFileSync(join(outside, "victim.txt"), "safe\n");
  symlinkSync(outside, join(ws, "link-out"));
  symlinkSync(join(outside, "victim.txt"), join(ws, "victim-link.txt"));
  mkdirSync(join(ws, ".git"));
  writeFileSync(join(ws, ".git", "config"), "[core]\n");
  mkdirSync(join(ws, "skills", "mine"), { recursive: true });
  writeFileSync(join(ws, "skills", "mine", "run.sh"), "echo\n");
  writeFileSync(join(ws, "openclaw.json"), "{}\n");
  mkdirSync(stateDir, { recursive: true });
  const cases: Array<[string, string]> = [
    [diff("../escape.txt", "", "x\n"), "applyPatch.containment"],
    [diff("link-out/victim.txt", "safe\n", "pwned\n"), "applyPatch.containment"],
    [diff("victim-link.txt", "safe\n", "pwned\n"), "applyPatch.containment"],
    [diff(".git/config", "[core]\n", "[core]\n\thooksPath = /tmp\n"), "applyPatch.git"],
    [diff("skills/mine/run.sh", "echo\n", "rm -rf ~\n"), "applyPatch.protected"],
    [diff("openclaw.json", "{}\n", '{"tools":{}}\n'), "applyPatch.config"],
    [`--- ${configPath}\n+++ ${configPath}\n@@ -1 +1 @@\n-x\n+y\n`, "applyPatch.path"],
  ];
  for (const [p, rule] of cases) {
    const r = await gov.applyPatch(model(REF), p, { approver: yes });
    assert.equal(r.status, "denied", `${rule}: ${r.reason}`);
    assert.equal(r.rule, rule, r.reason);
  }
  assert.equal(readFileSync(join(outside, "victim.txt"), "utf8"), "safe\n");
  assert.equal(existsSync(join(ws, "..", "escape.txt")), false);
  assert.equal(readFileSync(join(ws, "skills", "mine", "run.sh"), "utf8"), "echo\n");
});
