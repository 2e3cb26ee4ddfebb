// The pure decisions of the choke point (runtime/policy): facts in, verdict out.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { RULE_IDS, deny, isDenial, isRuleId, noApprover, approverDeclined, patchGate, patchProtected, sandboxGate, sandboxReadOnly, skillEnv, skillGate, type PathFacts } from "../../runtime/policy/index.js";

test("rule ids: one closed list, no duplicates; a Denial has one shape", () => {
  assert.equal(new Set(RULE_IDS).size, RULE_IDS.length);
  for (const r of ["skill.unknown", "skill.blocked", "skill.allowed", "params.schema", "params.nul", "params.option_injection", "approval.none", "approval.granted", "approval.denied", "applyPatch.disabled", "applyPatch.model", "exec.env", "exec.kill", "sandbox.required", "actor.model"]) assert.ok(isRuleId(r), r);
  assert.equal(isRuleId("made.up"), false);
  assert.deepEqual(deny("exec.env", "why"), { status: "denied", rule: "exec.env", reason: "why" });
  assert.ok(isDenial(deny("skill.unknown", "x")));
  assert.equal(isDenial({ status: "ok" }), false);
});

test("skill gate: unknown (with a suggestion and the known names), blocked, risk high needs approval", () => {
  const u = skillGate("serch", undefined, ["search", "echo"], "search");
  assert.equal(u.status, "denied");
  assert.equal((u as { rule: string }).rule, "skill.unknown");
  assert.match((u as { reason: string }).reason, /did you mean "search".*known: search, echo/);
  assert.match((skillGate("x", undefined, []) as { reason: string }).reason, /known: none/);
  const b = skillGate("rg", { name: "rg", blocked: "rg is not installed", risk: "normal" }, ["rg"]);
  assert.deepEqual(b, { status: "denied", rule: "skill.blocked", reason: "skill rg is blocked: rg is not installed" });
  assert.deepEqual(skillGate("e", { name: "e", blocked: null, risk: "normal" }, ["e"]), { status: "allowed", needsApproval: false });
  assert.deepEqual(skillGate("r", { name: "r", blocked: null, risk: "high" }, ["r"]), { status: "allowed", needsApproval: true });
  // Blocked wins over risk: nothing to approve when it cannot run.
  assert.equal((skillGate("r", { name: "r", blocked: "no", risk: "high" }, ["r"]) as { rule: string }).rule, "skill.blocked");
});

test("apply_patch gate: disabled first, then the exact model ref; a person (no ref) never passes", () => {
  const on = { enabled: true, allowedModels: ["openai/gpt-4o-mini"] };
  assert.equal(patchGate(on, "openai/gpt-4o-mini"), null);
  for (const ref of ["openai/gpt-4o", "openai/gpt-4o-mini-2024-07-18", "OPENAI/gpt-4o-mini", " openai/gpt-4o-mini", undefined]) {
    assert.equal(patchGate(on, ref)?.rule, "applyPatch.model", String(ref));
  }
  assert.match(patchGate(on, undefined)!.reason, /without a model ref/);
  assert.equal(patchGate({ enabled: false, allowedModels: ["openai/gpt-4o-mini"] }, "openai/gpt-4o-mini")?.rule, "applyPatch.disabled");
  assert.equal(patchGate({ enabled: true, allowedModels: [] }, "openai/gpt-4o-mini")?.rule, "applyPatch.model");
});

test("approvals: no approver is approval.none, a no is approval.denied", () => {
  assert.equal(noApprover("skill", "risky").rule, "approval.none");
  assert.match(noApprover("skill", "risky").reason, /skill risky is risk: high/);
  assert.match(noApprover("apply_patch", "apply_patch").reason, /^apply_patch needs/);
  assert.deepEqual(approverDeclined("run x"), { status: "denied", rule: "approval.denied", reason: "the approver declined: run x" });
});

test("sandbox gate: only required-and-unavailable refuses", () => {
  assert.equal(sandboxGate("required", false, "bwrap missing")?.rule, "sandbox.required");
  assert.match(sandboxGate("required", false, "bwrap missing")!.reason, /bwrap missing/);
  assert.equal(sandboxGate("required", true, ""), null);
  assert.equal(sandboxGate("auto", false, "bwrap missing"), null);
  assert.equal(sandboxGate("off", false, "x"), null);
});

test("skill env: state/workspace/config paths, requires.env passed; an unset one, injecting names and undeclared secrets refuse the run; requires.secrets passed and named", () => {
  const base = { stateDir: "/s", workspace: "/w", configPath: "/c/openclaw.json", host: { LANG: "C", EMPTY: "", SOME_DIR: "/data" } as Record<string, string | undefined> };
  const ok = skillEnv({ ...base, requires: { env: ["SOME_DIR"] } });
  assert.deepEqual(ok, { env: { OPENCLAW_STATE_DIR: "/s", OPENCLAW_WORKSPACE: "/w", OPENCLAW_CONFIG: "/c/openclaw.json", SOME_DIR: "/data" }, secrets: [] });
  assert.deepEqual(skillEnv({ ...base, configPath: null, requires: {} }), { env: { OPENCLAW_STATE_DIR: "/s", OPENCLAW_WORKSPACE: "/w" }, secrets: [] });
  assert.deepEqual(skillEnv({ ...base, configPath: null, requires: undefined }), { env: { OPENCLAW_STATE_DIR: "/s", OPENCLAW_WORKSPACE: "/w" }, secrets: [] });
  // A variable that vanished since the skill loaded: fail closed, naming it.
  const unset = skillEnv({ ...base, requires: { env: ["SOME_DIR", "NOT_SET"] } });
  assert.equal((unset as { rule: string }).rule, "exec.env");
  assert.match((unset as { reason: string }).reason, /NOT_SET/);
  const inj = skillEnv({ ...base, host: { LD_PRELOAD: "/evil.so" }, requires: { env: ["LD_PRELOAD"] } });
  assert.equal((inj as { rule: string }).rule, "exec.env");
  assert.match((inj as { reason: string }).reason, /code injection/);
  const secret = skillEnv({ ...base, host: { OPENAI_API_KEY: "sk-x" }, requires: { env: ["OPENAI_API_KEY"] } });
  assert.equal((secret as { rule: string }).rule, "exec.env");
  assert.match((secret as { reason: string }).reason, /requires\.secrets/, "the refusal says how to declare it");
  assert.ok(!(secret as { reason: string }).reason.includes("sk-x"), "never the value");
  const looks = skillEnv({ ...base, host: { HARMLESS: "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789" }, requires: { env: ["HARMLESS"] } });
  assert.equal((looks as { rule: string }).rule, "exec.env", "a secret-looking value under an innocent name");
  assert.equal((skillEnv({ ...base, host: { X: "a\0b" }, requires: { env: ["X"] } }) as { rule: string }).rule, "exec.env");
  // Declared secrets: passed, and named (for the approval and the audit record).
  const declared = skillEnv({ ...base, host: { GH_PAT: "ghp_abcdefghijklmnopqrstuvwxyz0123", SOME_DIR: "/data" }, requires: { env: ["SOME_DIR"], secrets: ["GH_PAT"] } });
  assert.deepEqual(declared, { env: { OPENCLAW_STATE_DIR: "/s", OPENCLAW_WORKSPACE: "/w", OPENCLAW_CONFIG: "/c/openclaw.json", SOME_DIR: "/data", GH_PAT: "ghp_abcdefghijklmnopqrstuvwxyz0123" }, secrets: ["GH_PAT"] });
  for (const [name, why] of [["LD_PRELOAD", /code injection/], ["OPENCLAW_GATEWAY_TOKEN", /never handed/], ["NOT_SET", /NOT_SET/]] as const) {
    const d = skillEnv({ ...base, host: { ...base.host, LD_PRELOAD: "/x.so", OPENCLAW_GATEWAY_TOKEN: "t" }, requires: { secrets: [name] } });
    assert.equal((d as { rule: string }).rule, "exec.env", name);
    assert.match((d as { reason: string }).reason, why, name);
  }
  assert.equal((skillEnv({ ...base, host: { S: "a\0b" }, requires: { secrets: ["S"] } }) as { rule: string }).rule, "exec.env", "a NUL byte in a secret too");
});

test("paths: what the sandbox keeps read-only and what apply_patch may never touch", () => {
  const p: PathFacts = { packageRoot: "/pkg", workspace: "/ws", stateDir: "/ws/.state", auditPath: "/ws/.state/audit/audit.jsonl", configPath: "/ws/openclaw.json", skillFolders: ["/pkg/skills", "/ws/skills"] };
  const ro = sandboxReadOnly(p, "/ws/skills/mine");
  assert.deepEqual(ro, ["/pkg", "/pkg/skills", "/ws/skills", "/ws/skills/mine", join("/ws/.state", "rag"), join("/ws", ".git"), "/ws/openclaw.json"], "the audit folder is hidden with the state dir, not listed");
  const outside = sandboxReadOnly({ ...p, auditPath: "/var/log/oc/audit.jsonl", configPath: null }, "/x");
  assert.ok(outside.includes("/var/log/oc"), "an audit log outside the state dir is read-only");
  assert.ok(!outside.includes("/ws/openclaw.json"));
  const prot = patchProtected(p, ["/ws/skills/mine", "/pkg/skills"]);
  assert.deepEqual(prot.forbidden, ["/ws/.state", "/ws/.state/audit", "/pkg/skills", "/ws/skills", "/ws/skills/mine"]);
  assert.deepEqual(prot.forbiddenFiles, ["/ws/.state/audit/audit.jsonl", "/ws/.state/audit/audit.jsonl.head", "/ws/openclaw.json"]);
});
