import assert from "node:assert/strict";
import test from "node:test";
import { runDoctor } from "../../runtime/doctor/index.js";

test("doctor finds Jupyter by metadata (no heavy import) and keeps its fixed check order while providers run side by side", async () => {
  const a = await runDoctor({ configPath: "openclaw.json", env: process.env, cwd: process.cwd() });
  const j = a.checks.find((c) => c.id === "jupyter");
  assert.ok(j, "a jupyter check");
  assert.equal(j.status, "ok", j.message);
  assert.match(j.message, /jupyter_client \d+\.\d+/);
  const b = await runDoctor({ configPath: "openclaw.json", env: process.env, cwd: process.cwd() });
  assert.deepEqual(b.checks.map((c) => c.id), a.checks.map((c) => c.id), "same order on every run");
  assert.equal(a.checks[0]!.id, "node.version");
});
