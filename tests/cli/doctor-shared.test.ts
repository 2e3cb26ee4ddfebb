// Doctor on a shared host: says it is shared and why, names the protection in force for
// auth none (the peer uid check) and token, flags a state dir other users can open, and
// reports the admin-pinned system config.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runDoctor } from "../../runtime/doctor/index.js";
import { tmp, writeFile } from "../helpers/index.js";

test("doctor: JupyterHub env -> shared host with the effective protection; an open state dir fails; the system config is named", async (t) => {
  const d = tmp(t);
  const state = join(d, "state");
  mkdirSync(state, { mode: 0o755 });
  chmodSync(state, 0o755);
  const sys = writeFile(join(d, "sys.json"), { tools: { exec: { applyPatch: { enabled: false } } } });
  const user = writeFile(join(d, "openclaw.json"), { stateDir: "./state" });
  const env = { ...process.env, JUPYTERHUB_USER: "alice", JUPYTERHUB_API_URL: "http://127.0.0.1:8081/hub/api", OPENCLAW_SYSTEM_CONFIG: sys, OPENCLAW_CONFIG: "" };
  const r = await runDoctor({ configPath: user, env, cwd: d });
  const by = (id: string) => r.checks.find((c) => c.id === id);
  assert.equal(by("host.shared")?.status, "ok");
  assert.match(by("host.shared")!.message, /shared host: JupyterHub environment \(JUPYTERHUB_USER=alice\)/);
  assert.match(by("host.shared")!.message, new RegExp(`serves only processes of uid ${process.getuid!()}`));
  assert.equal(by("host.stateDir")?.status, "fail", "a shared host's state dir must be 0700");
  assert.match(by("host.stateDir")!.fix!, /chmod 700/);
  assert.equal(by("config.system")?.status, "ok");
  assert.match(by("config.system")!.message, /1 key pinned \(tools\.exec\.applyPatch\.enabled\)/);

  chmodSync(state, 0o700);
  writeFile(user, { stateDir: "./state", gateway: { auth: "token" } });
  const r2 = await runDoctor({ configPath: user, env: { ...env, OPENCLAW_GATEWAY_TOKEN: "0123456789abcdef0123456789abcdef" }, cwd: d });
  const by2 = (id: string) => r2.checks.find((c) => c.id === id);
  assert.match(by2("host.shared")!.message, /protected by auth token/);
  assert.equal(by2("host.stateDir")?.status, "ok");

  writeFile(sys, { rag: { topk: 1 } });
  const r3 = await runDoctor({ configPath: user, env, cwd: d });
  assert.ok(r3.checks.some((c) => c.status === "fail" && /invalid system config/.test(c.message)), "a broken system config is a failed check");
});

test("doctor: outside JupyterHub an open state dir is a warning, not a failure", async (t) => {
  const d = tmp(t);
  mkdirSync(join(d, "state"));
  chmodSync(join(d, "state"), 0o755);
  const user = writeFile(join(d, "openclaw.json"), { stateDir: "./state" });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: d, OPENCLAW_CONFIG: "" };
  const r = await runDoctor({ configPath: user, env, cwd: d });
  assert.equal(r.checks.find((c) => c.id === "host.stateDir")?.status, "warn");
});
