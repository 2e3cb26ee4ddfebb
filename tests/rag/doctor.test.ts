import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { checks, embedderCheck } from "../../runtime/doctor/checks/rag.js";
import type { DoctorContext } from "../../runtime/doctor/types.js";
import { tmp } from "../helpers/index.js";
import { writeTinyBert } from "../fixtures/rag/tiny-bert.js";
import { CountingEmbedder, makeRuntime } from "./helpers.js";
import { Rag } from "../../runtime/rag/index.js";

test("doctor: USE lite is available offline; a missing transformers model fails with the pull fix", async (t) => {
  const { runtime } = makeRuntime(t);
  const c = await embedderCheck(runtime.config);
  assert.equal(c.status, "ok");
  assert.match(c.message, /works offline/);
  const models = tmp(t);
  const tr = makeRuntime(t, { rag: { embedding: { provider: "transformers", model: "tiny/bert-mini", modelDir: models } } });
  const missing = await embedderCheck(tr.runtime.config);
  assert.equal(missing.status, "fail");
  assert.match(missing.fix!, /rag pull tiny\/bert-mini/);
  writeTinyBert(models, "tiny/bert-mini");
  assert.equal((await embedderCheck(tr.runtime.config)).status, "ok");
});

test("doctor: rag.index warns when absent or stale, is ok when fresh", async (t) => {
  const { runtime, workspace } = makeRuntime(t);
  // the runtime builds its Rag lazily; give it the fast counting embedder
  const rag = new Rag({ runtime, embedder: new CountingEmbedder() });
  (runtime as unknown as { rag: () => Promise<Rag> }).rag = async () => rag;
  const ctx: DoctorContext = { checked: { source: runtime.source, raw: {}, issues: [], config: runtime.config }, env: {}, runtime };
  const idx = async () => (await checks(ctx)).find((c) => c.id === "rag.index")!;
  assert.equal((await idx()).status, "warn");
  assert.match((await idx()).fix!, /rag index/);
  await rag.index();
  assert.equal((await idx()).status, "ok");
  appendFileSync(join(workspace, "kitchen.md"), "\nMore.\n");
  const stale = await idx();
  assert.equal(stale.status, "warn");
  assert.match(stale.message, /stale: 1 file changed/);
});
