import assert from "node:assert/strict";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { AuditLog } from "../../runtime/audit/index.js";
import { checkConfig } from "../../runtime/config/index.js";
import { checks as auditChecks } from "../../runtime/doctor/checks/audit.js";
import { checks as execChecks } from "../../runtime/doctor/checks/exec.js";
import { tmp } from "../helpers/index.js";

function ctxFor(dir: string, extra: object = {}) {
  const configPath = join(dir, "openclaw.json");
  writeFileSync(configPath, JSON.stringify({ stateDir: "./state", ...extra }));
  const checked = checkConfig({ configPath, env: {} });
  return { checked, env: {} };
}

test("doctor: audit chain intact and private -> ok; tampered -> fail naming the record; loose mode -> fail", async (t) => {
  const dir = tmp(t);
  const ctx = ctxFor(dir);
  const path = ctx.checked.config!.audit.path;
  const log = new AuditLog({ path, fsync: true });
  for (let i = 0; i < 3; i++) await log.append({ actor: { host: "cli", sessionId: "s" }, action: "skill.invoke", decision: "allow", skill: `s${i}` });
  await log.close();
  const byId = async () => Object.fromEntries((await auditChecks(ctx)).map((c) => [c.id, c]));
  let c = await byId();
  assert.equal(c["audit.chain"]!.status, "ok");
  assert.equal(c["audit.permissions"]!.status, "ok");
  writeFileSync(path, readFileSync(path, "utf8").replace('"skill":"s1"', '"skill":"evil"'));
  chmodSync(path, 0o644);
  c = await byId();
  assert.equal(c["audit.chain"]!.status, "fail");
  assert.match(c["audit.chain"]!.message, /record 2/);
  assert.equal(c["audit.permissions"]!.status, "fail");
  assert.match(c["audit.permissions"]!.fix!, /chmod 600/);
});

test("doctor: the sandbox check follows the configured mode", async (t) => {
  const off = await execChecks(ctxFor(tmp(t), { tools: { exec: { sandbox: "off" } } }));
  assert.deepEqual(off, [], "base checks already warn about off");
  const auto = await execChecks(ctxFor(tmp(t)));
  assert.equal(auto.length, 1);
  assert.equal(auto[0]!.id, "exec.sandbox.available");
  assert.ok(["ok", "warn"].includes(auto[0]!.status));
});
