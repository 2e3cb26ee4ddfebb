import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmp, writeFile } from "../helpers/index.js";
import { dispatch } from "../../magics/dispatch.js";
import { makeContext } from "../../magics/commands/context.js";

test("models pin writes the file's sha256 into openclaw.json; a file that no longer matches its pin is listed as unavailable", async (t) => {
  const dir = tmp(t);
  const gguf = writeFile(join(dir, "models", "tiny.gguf"), "GGUF pretend weights v1");
  const cfg = writeFile(join(dir, "openclaw.json"), { models: { providers: { llamacpp: { modelsDir: "./models" } } }, stateDir: "./state", skills: { bundled: false, dirs: [] } });
  const ctx = makeContext({ host: "kernel", cwd: dir, env: { PATH: process.env.PATH }, configPath: cfg });
  t.after(() => ctx.closeAll());
  const row = async () => ((await dispatch("models list --json", ctx)).result.data as any).models.find((m: any) => m.ref === "llamacpp/tiny.gguf");
  assert.equal((await row()).available, true);

  const { result } = await dispatch("models pin llamacpp/tiny.gguf", ctx);
  const want = createHash("sha256").update("GGUF pretend weights v1").digest("hex");
  assert.equal((result.data as any).sha256, want);
  const written = JSON.parse(readFileSync(cfg, "utf8"));
  assert.equal(written.models.providers.llamacpp.sha256["tiny.gguf"], want);
  assert.equal(written.models.providers.llamacpp.modelsDir, "./models", "the rest of the file is kept");
  const ok = await row();
  assert.equal(ok.available, true);
  assert.match(ok.note, /sha256 pinned/);

  writeFileSync(gguf, "GGUF pretend weights v2 (swapped)");
  const bad = await row();
  assert.equal(bad.available, false, "a pin mismatch is not 'pinned yes'");
  assert.match(bad.note, /does not match its pin/);
  await assert.rejects(dispatch("models pin openai/gpt-4o-mini", ctx), /llamacpp/);
});
