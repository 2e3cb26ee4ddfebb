// The admin-pinned system layer ($OPENCLAW_SYSTEM_CONFIG or /etc/openclaw-kernel/openclaw.json):
// every pinnable key's "tighter" rule, pins filling keys a user left out, a loosening
// refused naming both files, an unpinnable key refusing the system file, and
// `config show` saying where each value came from.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { checkConfig, loadConfig } from "../../runtime/config/index.js";
import { applySystemLayer, PIN_RULES, readSystemLayer } from "../../runtime/config/system.js";
import { cli, tmp, writeFile } from "../helpers/index.js";

/** For every pinnable key: a pinned value, a user value as tight or tighter, and a looser one. */
const CASES: Record<string, [pinned: unknown, tighter: unknown, looser: unknown]> = {
  "gateway.bind": ["127.0.0.1:18789", "127.0.0.1:0", "0.0.0.0:18789"],
  "gateway.auth": ["token", "mtls", "none"],
  "gateway.control.ui": [false, false, true],
  "gateway.control.deviceAuth": [true, true, false],
  "gateway.maxFrameBytes": [65536, 1024, 1048576],
  "gateway.authFailuresPerMinute": [5, 3, 10],
  "gateway.maxConnections": [16, 8, 256],
  "agentDefaults.maxSteps": [4, 2, 8],
  "agentDefaults.turnTimeoutSec": [120, 60, 600],
  "tools.exec.timeoutSec": [60, 30, 1800],
  "tools.exec.maxOutputBytes": [65536, 1024, 1048576],
  "tools.exec.maxLogBytes": [1048576, 65536, 33554432],
  "tools.exec.applyPatch.enabled": [false, false, true],
  "tools.exec.applyPatch.allowedModels": [["scripted/patch", "scripted/other"], ["scripted/patch"], ["scripted/patch", "openai/gpt-4o"]],
  "tools.exec.sandbox": ["required", "required", "auto"],
  "tools.exec.env": [["LANG", "TZ"], ["TZ"], ["LANG", "EDITOR"]],
  "skills.bundled": [false, false, true],
  "skills.dirs": [["/opt/skills"], [], ["/opt/skills", "/home/x/skills"]],
  "models.providers.openai.baseURL": ["http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1", "https://api.example.com/v1"],
  "audit.fsync": [true, true, false],
};

test("system layer: the table covers exactly the cases above, and each rule accepts tighter and refuses looser", () => {
  assert.deepEqual(PIN_RULES.map((r) => r.key).sort(), Object.keys(CASES).sort(), "every pinnable key has a case");
  for (const r of PIN_RULES) {
    const [pinned, tighter, looser] = CASES[r.key]!;
    assert.equal(r.ok(pinned, pinned), true, `${r.key}: the pinned value itself`);
    assert.equal(r.ok(tighter, pinned), true, `${r.key}: tighter ${JSON.stringify(tighter)}`);
    assert.equal(r.ok(looser, pinned), false, `${r.key}: looser ${JSON.stringify(looser)}`);
  }
});

test("system layer: a looser user value is refused naming both files; a left-out key takes the pin", (t) => {
  const d = tmp(t);
  const sys = writeFile(join(d, "etc", "openclaw.json"), { tools: { exec: { applyPatch: { enabled: false }, sandbox: "required", timeoutSec: 60 } }, gateway: { bind: "127.0.0.1:18789" } });
  const env = { OPENCLAW_SYSTEM_CONFIG: sys, HOME: d };
  const user = writeFile(join(d, "u", "openclaw.json"), { stateDir: "./state", tools: { exec: { timeoutSec: 30 } } });
  const { config, source } = loadConfig({ configPath: user, env, cwd: d });
  assert.equal(config.tools.exec.applyPatch.enabled, false);
  assert.equal(config.tools.exec.sandbox, "required", "left out: the pinned value applies");
  assert.equal(config.tools.exec.timeoutSec, 30, "tighter: the user's value applies");
  assert.equal(source.system, sys);
  assert.equal(source.provenance?.["tools.exec.sandbox"], "system");
  assert.equal(source.provenance?.["tools.exec.timeoutSec"], "user");
  assert.equal(source.provenance?.["rag.topk"], "default");

  writeFile(user, { stateDir: "./state", tools: { exec: { applyPatch: { enabled: true }, sandbox: "off", timeoutSec: 3600 } }, gateway: { bind: "127.0.0.1:0" } });
  const r = checkConfig({ configPath: user, env, cwd: d });
  assert.equal(r.config, undefined);
  assert.deepEqual(r.issues.map((i) => i.pointer).sort(), ["/tools/exec/applyPatch/enabled", "/tools/exec/sandbox", "/tools/exec/timeoutSec"]);
  for (const i of r.issues) {
    assert.ok(i.message.includes(sys) && i.message.includes(user), `names both files: ${i.message}`);
    assert.equal(i.file, user);
  }
  assert.throws(() => loadConfig({ configPath: user, env, cwd: d }), (e: Error) => e.name === "ConfigError");
});

test("system layer: no file is no layer; a missing $OPENCLAW_SYSTEM_CONFIG, an unpinnable key or an invalid value refuse the system file", (t) => {
  const d = tmp(t);
  assert.equal(readSystemLayer({ OPENCLAW_SYSTEM_CONFIG: "" }), readSystemLayer({}));
  assert.throws(() => readSystemLayer({ OPENCLAW_SYSTEM_CONFIG: join(d, "nope.json") }), /system config not found: .*nope\.json/);
  const bad = writeFile(join(d, "bad.json"), { rag: { topk: 3 } });
  assert.throws(() => readSystemLayer({ OPENCLAW_SYSTEM_CONFIG: bad }), (e: Error & { details?: string[] }) => /invalid system config/.test(e.message) && /rag\.topk: cannot be pinned/.test(e.details!.join("\n")));
  const invalid = writeFile(join(d, "invalid.json"), { tools: { exec: { sandbox: "sometimes" } } });
  assert.throws(() => readSystemLayer({ OPENCLAW_SYSTEM_CONFIG: invalid }), /invalid system config/);
  // Pins apply to the secure defaults too (no user file at all).
  const sys = writeFile(join(d, "sys.json"), { tools: { exec: { sandbox: "required" } } });
  const r = checkConfig({ env: { OPENCLAW_SYSTEM_CONFIG: sys, OPENCLAW_STATE_DIR: join(d, "state") }, cwd: join(d, "empty") });
  assert.equal(r.config?.tools.exec.sandbox, "required");
  assert.equal(r.source.provenance?.stateDir, "env");
  assert.deepEqual(applySystemLayer({ a: 1 }, undefined, "x").raw, { a: 1 });
});

test("config show: says which file pins what and where each value came from", (t) => {
  const d = tmp(t);
  const sys = writeFile(join(d, "sys.json"), { tools: { exec: { applyPatch: { enabled: false } } } });
  const user = writeFile(join(d, "openclaw.json"), { stateDir: "./state", agentDefaults: { maxSteps: 3 } });
  const j = cli(["config", "show", "--json", "--config", user], { env: { OPENCLAW_SYSTEM_CONFIG: sys } });
  assert.equal(j.code, 0, j.stderr);
  assert.equal(j.json().system, sys);
  assert.equal(j.json().provenance["tools.exec.applyPatch.enabled"], "system");
  assert.equal(j.json().provenance["agentDefaults.maxSteps"], "user");
  const txt = cli(["config", "show", "--config", user], { env: { OPENCLAW_SYSTEM_CONFIG: sys } });
  assert.match(txt.stdout, new RegExp(`admin-pinned system config: ${sys.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  assert.match(txt.stdout, /tools\.exec\.applyPatch\.enabled\s+system \(/);
  assert.match(txt.stdout, /agentDefaults\.maxSteps\s+user/);
  assert.match(txt.stdout, /rag\.topk\s+default/);
});

test("README's shared-host section names every pinnable key", async () => {
  const { readFileSync } = await import("node:fs");
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Shared hosts"), readme.indexOf("## Troubleshooting"));
  for (const r of PIN_RULES) assert.ok(section.includes(`\`${r.key}\``), `README lists ${r.key}`);
});

test("system layer: a user value that is not an object where one is expected is reported in the user's file, never replaced by the pins", (t) => {
  const d = tmp(t);
  const sys = writeFile(join(d, "etc", "openclaw.json"), { tools: { exec: { sandbox: "required" } }, gateway: { bind: "127.0.0.1:18789" } });
  const env = { OPENCLAW_SYSTEM_CONFIG: sys, HOME: d };
  const user = join(d, "u", "openclaw.json");
  for (const [doc, pointer, got] of [
    [{ gateway: "x" }, "/gateway", /string "x"/],
    [{ tools: [] }, "/tools", /array/],
    [{ tools: { exec: 5 } }, "/tools/exec", /number 5/],
  ] as const) {
    writeFile(user, { stateDir: "./state", ...doc });
    const r = checkConfig({ configPath: user, env, cwd: d });
    assert.equal(r.config, undefined, `${JSON.stringify(doc)} must not load`);
    assert.deepEqual(r.issues.map((i) => i.pointer), [pointer], JSON.stringify(r.issues));
    assert.equal(r.issues[0]!.file, user);
    assert.match(r.issues[0]!.message, /must be object/);
    assert.match(r.issues[0]!.message, got);
    assert.throws(() => loadConfig({ configPath: user, env, cwd: d }), (e: Error) => e.name === "ConfigError" && e.message.includes(user));
  }
  // the pins still fill what the user left out beside a valid object
  writeFile(user, { stateDir: "./state", gateway: {} });
  assert.equal(loadConfig({ configPath: user, env, cwd: d }).config.gateway.bind, "127.0.0.1:18789");
});
