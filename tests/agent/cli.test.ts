import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, tmp, writeFile } from "../helpers/index.js";
import { SCRIPTS, writeEchoSkill } from "../fixtures/models/runtime.js";
import { writeGguf } from "../fixtures/models/make-gguf.js";

function project(t: any, extra: Record<string, any> = {}): string {
  const dir = tmp(t);
  writeEchoSkill(join(dir, "skills"));
  writeFile(join(dir, "workspace", ".keep"), "");
  return writeFile(join(dir, "openclaw.json"), {
    agentDefaults: { workspace: "./workspace", model: "scripted/hello.json" },
    models: { providers: { scripted: { scriptsDir: SCRIPTS }, llamacpp: { modelsDir: "./models", threads: 1 } } },
    skills: { dirs: ["./skills"], bundled: false },
    stateDir: "./state",
    audit: { path: "./state/audit.jsonl" },
    ...extra,
  });
}

test("agent --json: a scripted turn through the real CLI, events on stderr, one JSON document on stdout", (t) => {
  const cfg = project(t);
  const r = cli(["agent", "try to escape", "--model", "scripted/escape-attempt.json", "--json", "--config", cfg], { env: { OPENAI_API_KEY: "" } });
  assert.equal(r.code, 0, r.stderr);
  const d = r.json();
  assert.equal(d.status, "ok");
  assert.equal(d.scripted, true);
  assert.equal(d.steps, 3);
  assert.ok(d.events.some((e: any) => e.type === "policy.denied" && e.rule === "skill.unknown"));
  assert.match(r.stderr, /denied/);
});

test("agent text output is the transcript; models list --json has the documented shape", (t) => {
  const cfg = project(t);
  const r = cli(["agent", "hi", "--config", cfg]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /SCRIPTED/);
  assert.match(r.stdout, /Hello from a scripted replay\./);
  const l = cli(["models", "list", "--json", "--config", cfg], { env: { OPENAI_API_KEY: "" } });
  assert.equal(l.code, 0, l.stderr);
  const d = l.json();
  assert.equal(d.count, d.models.length);
  for (const m of d.models) assert.deepEqual(Object.keys(m).filter((k) => k !== "note").sort(), ["available", "local", "pinned", "provider", "ref", "source"]);
  assert.ok(d.models.some((m: any) => m.ref === "scripted/hello.json" && m.source === "agentDefaults.model"));
});

test("agent refuses floating refs (78) and a missing prompt (2)", (t) => {
  const cfg = project(t);
  assert.equal(cli(["agent", "x", "--model", "openai/gpt-4o-latest", "--config", cfg]).code, 78);
  assert.equal(cli(["agent", "--config", cfg]).code, 2);
  assert.equal(cli(["agent", "x", "--max-steps", "0", "--config", cfg]).code, 2);
});

test("the compiled CLI runs a llama.cpp turn in its worker process", (t) => {
  const cfg = project(t);
  writeGguf(join(cfg, "..", "models", "tiny.gguf"));
  const r = cli(["agent", "echo hello", "--model", "llamacpp/tiny.gguf", "--max-steps", "1", "--json", "--config", cfg], { timeout: 120_000 });
  const d = r.json();
  assert.ok(["ok", "max_steps"].includes(d.status), r.stdout + r.stderr);
  assert.equal(d.modelId, "openclaw-tiny-random");
  assert.ok(d.usage.completionTokens > 0);
});
