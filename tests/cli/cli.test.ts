import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, SEED, tmp, writeFile } from "../helpers/index.js";

test("config validate on the seed config exits 0", () => {
  const r = cli(["config", "validate", "--config", join(SEED, "openclaw.json")]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /is valid/);
  const j = cli(["config", "validate", "--config", join(SEED, "openclaw.json"), "--json"]);
  assert.deepEqual(j.json().errors, []);
  assert.equal(j.json().ok, true);
});

test("invalid config exits 2 with every error; unsafe bind exits 78", (t) => {
  const dir = tmp(t);
  const bad = writeFile(join(dir, "bad.json"), { tools: { exec: { applyPatch: { allowModels: [] }, timeoutSec: "x" } } });
  const r = cli(["config", "validate", "--config", bad, "--json"]);
  assert.equal(r.code, 2);
  const errs = r.json().errors.map((e: { text: string }) => e.text);
  assert.equal(errs.length, 2);
  assert.ok(errs.some((t: string) => t.endsWith('/tools/exec/applyPatch/allowModels: unknown key; did you mean "allowedModels"?')));
  const unsafe = writeFile(join(dir, "unsafe.json"), { gateway: { bind: "0.0.0.0:18789", auth: "none" } });
  const u = cli(["config", "validate", "--config", unsafe]);
  assert.equal(u.code, 78);
  assert.match(u.stdout, /token.*mtls/);
  // Commands that need a runtime refuse to start on it, with the same exit code.
  const s = cli(["config", "show", "--config", unsafe]);
  assert.equal(s.code, 78);
  assert.match(s.stderr, /SafetyError/);
});

test("doctor --json prints checks and a summary; exit 1 only when a check fails", (t) => {
  const dir = tmp(t);
  const ok = writeFile(join(dir, "openclaw.json"), { gateway: { bind: "127.0.0.1:0" } });
  const r = cli(["doctor", "--json", "--config", ok], { env: { OPENAI_API_KEY: "sk-test-never-printed-0123456789abcdef" } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const rep = r.json();
  assert.ok(Array.isArray(rep.checks) && rep.checks.length >= 8);
  for (const c of rep.checks) {
    assert.deepEqual(Object.keys(c).sort(), ["fix", "id", "message", "status"]);
    assert.ok(["ok", "warn", "fail"].includes(c.status));
  }
  assert.deepEqual(Object.keys(rep.summary).sort(), ["config", "fail", "ok", "total", "warn"]);
  assert.ok(!r.stdout.includes("sk-test-never-printed"), "the key is never printed");
  assert.equal(rep.checks.find((c: { id: string }) => c.id === "models.openai.key").status, "ok");
  const floating = writeFile(join(dir, "f.json"), { agentDefaults: { model: "openai/gpt-4o-latest" } });
  const f = cli(["doctor", "--json", "--config", floating]);
  assert.equal(f.code, 1);
  assert.equal(f.json().checks.find((c: { id: string }) => c.id === "models.pinned").status, "fail");
});

test("usage errors exit 2 and suggest; --json errors are JSON", () => {
  const r = cli(["config", "valdate"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /did you mean "config validate"/);
  const j = cli(["--json", "doctr"]);
  assert.equal(j.code, 2);
  assert.equal(j.json().code, "usage");
});

test("config show fills defaults and config schema prints the schema", () => {
  const r = cli(["config", "show", "--json", "--config", join(SEED, "openclaw.json")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json().config.tools.exec.timeoutSec, 1800);
  assert.equal(r.json().config.gateway.bind, "127.0.0.1:18789");
  const s = cli(["config", "schema", "--json"]);
  assert.equal(s.json().title, "openclaw.json");
});
