import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checkConfig } from "../../runtime/config/index.js";
import { checks as auditChecks } from "../../runtime/doctor/checks/audit.js";
import { checks as baseChecks } from "../../runtime/doctor/checks/base.js";
import { cli, tmp } from "../helpers/index.js";

function configIn(dir: string, doc: object, env: NodeJS.ProcessEnv = {}) {
  mkdirSync(join(dir, "workspace"), { recursive: true });
  const configPath = join(dir, "openclaw.json");
  writeFileSync(configPath, JSON.stringify({ agentDefaults: { workspace: "./workspace" }, ...doc }, null, 2));
  return { configPath, checked: checkConfig({ configPath, env }) };
}

test("layout: audit.path inside the workspace is a config error naming the key and the fix, and a doctor FAIL", async (t) => {
  const dir = tmp(t);
  const { checked, configPath } = configIn(dir, { stateDir: "./state", audit: { path: "./workspace/logs/audit.jsonl" } });
  assert.equal(checked.config, undefined);
  const issue = checked.issues.find((i) => i.pointer === "/audit/path");
  assert.ok(issue, JSON.stringify(checked.issues));
  assert.match(issue.message, /inside the workspace .*skills write there.*Remove audit\.path .*outside the workspace/);
  const doctor = [...(await baseChecks({ checked, env: {} })), ...(await auditChecks({ checked, env: {} }))];
  assert.equal(doctor.find((c) => c.id === "config.valid")?.status, "fail");
  assert.equal(doctor.find((c) => c.id === "audit.layout")?.status, "fail");
  const r = cli(["config", "validate", "--config", configPath]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /\/audit\/path: the audit log .* is inside the workspace/);
});

test("layout: the state dir inside the workspace (config or $OPENCLAW_STATE_DIR) is refused", (t) => {
  const dir = tmp(t);
  const a = configIn(dir, { stateDir: "./workspace/.state" });
  assert.match(a.checked.issues.find((i) => i.pointer === "/stateDir")?.message ?? "", /state dir .* is inside the workspace/);
  const other = tmp(t);
  const b = configIn(other, {}, { OPENCLAW_STATE_DIR: join(other, "workspace", "st") });
  assert.ok(b.checked.issues.some((i) => i.pointer === "/stateDir"), JSON.stringify(b.checked.issues));
  // the workspace itself as the state dir
  const c = configIn(tmp(t), { stateDir: "./workspace" });
  assert.ok(c.checked.issues.some((i) => i.pointer === "/stateDir"));
});

test("layout: real paths count: a symlink outside that leads into the workspace, and a symlink inside the workspace that leads out", (t) => {
  const dir = tmp(t);
  mkdirSync(join(dir, "workspace", "logs"), { recursive: true });
  symlinkSync(join(dir, "workspace", "logs"), join(dir, "alias"));
  const a = configIn(dir, { stateDir: "./state", audit: { path: "./alias/audit.jsonl" } });
  assert.match(a.checked.issues.find((i) => i.pointer === "/audit/path")?.message ?? "", /really .*workspace/);
  // a link inside the workspace pointing at a safe folder: skills could swap the link, so it is refused too
  const d2 = tmp(t);
  mkdirSync(join(d2, "workspace"), { recursive: true });
  mkdirSync(join(d2, "safe"));
  symlinkSync(join(d2, "safe"), join(d2, "workspace", "st"));
  const b = configIn(d2, { stateDir: "./workspace/st" });
  assert.ok(b.checked.issues.some((i) => i.pointer === "/stateDir"), JSON.stringify(b.checked.issues));
  // and the ordinary layout is fine
  const ok = configIn(tmp(t), { stateDir: "./state" });
  assert.deepEqual(ok.checked.issues, []);
  assert.ok(ok.checked.config);
  assert.match(ok.checked.config.audit.keyPath, /state\/audit\/audit\.key$/);
  assert.equal(ok.checked.config.audit.rotateBytes, 64 * 1024 * 1024);
});

test("layout: a workspace that contains the package cache (compiler snapshot, code cache, model) is refused; a relative cache folder turns the cache off", async (t) => {
  const { codeCacheDir } = await import("../../runtime/cache-dir.js");
  const dir = tmp(t);
  // the home as the workspace: ~/.cache/openclaw-kernel lies inside it
  const home = configIn(dir, { stateDir: "./state" }, { XDG_CACHE_HOME: join(dir, "workspace", ".cache") });
  assert.equal(home.checked.config, undefined);
  const issue = home.checked.issues.find((i) => i.pointer === "/agentDefaults/workspace");
  assert.match(issue?.message ?? JSON.stringify(home.checked.issues), /contains the package cache .*holds code the kernel runs outside the sandbox.*OPENCLAW_TS_CODE_CACHE/);
  const other = tmp(t);
  const named = configIn(other, { stateDir: "./state" }, { OPENCLAW_TS_CODE_CACHE: join(other, "workspace", "cc") });
  assert.ok(named.checked.issues.some((i) => i.pointer === "/agentDefaults/workspace"), JSON.stringify(named.checked.issues));
  // outside the workspace, or off: no issue
  const outside = configIn(tmp(t), { stateDir: "./state" }, { XDG_CACHE_HOME: join(dir, "elsewhere") });
  assert.deepEqual(outside.checked.issues, []);
  assert.deepEqual(configIn(tmp(t), { stateDir: "./state" }, { XDG_CACHE_HOME: join(dir, "workspace", ".cache"), OPENCLAW_TS_CODE_CACHE: "0" }).checked.issues, []);
  // a relative folder would be a different place in every process's cwd
  assert.equal(codeCacheDir({ OPENCLAW_TS_CODE_CACHE: "rel/cache" }), undefined);
  assert.equal(codeCacheDir({ OPENCLAW_TS_CODE_CACHE: "/abs/cache" }), "/abs/cache");
});
