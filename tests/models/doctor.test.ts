import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tmp, writeFile } from "../helpers/index.js";
import { writeGguf } from "../fixtures/models/make-gguf.js";
import { checkConfig } from "../../runtime/config/index.js";
import { checks } from "../../runtime/doctor/checks/models.js";
import { sha256File } from "../../runtime/models/llamacpp.js";

async function run(dir: string, doc: object, env: NodeJS.ProcessEnv = {}) {
  const p = writeFile(join(dir, "openclaw.json"), doc);
  const checked = checkConfig({ configPath: p, env });
  assert.equal(checked.issues.length, 0, JSON.stringify(checked.issues));
  const out = await checks({ checked, env });
  return (id: string) => out.filter((c) => c.id === id);
}

test("doctor: pinned refs ok, a missing key warns with the fix, plain http off-host fails", async (t) => {
  const dir = tmp(t);
  let get = await run(dir, {});
  assert.equal(get("models.pinned")[0]!.status, "ok");
  assert.equal(get("models.openai.key")[0]!.status, "warn");
  assert.match(get("models.openai.key")[0]!.fix!, /OPENAI_API_KEY/);
  get = await run(dir, {}, { OPENAI_API_KEY: "sk-x", OPENAI_BASE_URL: "http://10.1.2.3/v1" });
  assert.equal(get("models.openai.key")[0]!.status, "ok");
  assert.ok(!get("models.openai.key")[0]!.message.includes("sk-x"));
  assert.equal(get("models.openai.endpoint")[0]!.status, "fail");
});

test("doctor: llama.cpp files, sha256 pins and oversubscribed threads", async (t) => {
  const dir = tmp(t);
  const f = writeGguf(join(dir, "models", "tiny.gguf"));
  const sha = await sha256File(f);
  let get = await run(dir, { agentDefaults: { model: "llamacpp/tiny.gguf" }, models: { refs: ["llamacpp/gone.gguf"], providers: { llamacpp: { threads: 256 } } } });
  assert.equal(get("models.llamacpp.sha256")[0]!.status, "warn");
  assert.equal(get("models.llamacpp.file")[0]!.status, "fail");
  assert.equal(get("models.llamacpp.threads")[0]!.status, "warn");
  get = await run(dir, { agentDefaults: { model: "llamacpp/tiny.gguf" }, models: { providers: { llamacpp: { sha256: { "tiny.gguf": sha } } } } });
  assert.equal(get("models.llamacpp.sha256")[0]!.status, "ok");
  get = await run(dir, { agentDefaults: { model: "llamacpp/tiny.gguf" }, models: { providers: { llamacpp: { sha256: { "tiny.gguf": "f".repeat(64) } } } } });
  assert.equal(get("models.llamacpp.sha256")[0]!.status, "fail");
});
