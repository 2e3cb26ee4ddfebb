// `%openclaw rag …` through the one grammar, rendered as a notebook MIME bundle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { makeContext } from "../../magics/commands/context.js";
import { dispatch } from "../../magics/dispatch.js";
import { toMimeBundle } from "../../magics/render/mime.js";
import type { RuntimeEvent } from "../../runtime/events.js";
import { ROOT, tmp, writeFile } from "../helpers/index.js";

test("%openclaw rag index / query / status render citation cards, Markdown, text and JSON", async (t) => {
  const root = tmp(t);
  const workspace = join(root, "ws");
  cpSync(join(ROOT, "workspace"), workspace, { recursive: true });
  const cfg = writeFile(join(root, "openclaw.json"), { agentDefaults: { workspace }, stateDir: join(root, "state") });
  const events: RuntimeEvent[] = [];
  const ctx = makeContext({ host: "kernel", cwd: root, env: {}, configPath: cfg });
  t.after(() => ctx.closeAll());
  (await ctx.runtime()).on((e) => events.push(e));

  const idx = await dispatch("rag index", ctx);
  assert.equal(idx.result.exitCode, 0);
  assert.match(String(idx.result.html), /class="openclaw oc-rag-index"/);
  assert.ok(events.some((e) => e.type === "rag.progress" && e.phase === "embed"), "progress on the runtime bus");

  const q = await dispatch('rag query "How do we onboard new hires for product training?" --topk 3', ctx);
  assert.equal(q.json, false);
  const bundle = toMimeBundle(q.result);
  assert.match(String(bundle["text/html"]), /class="oc-citation"/);
  assert.match(String(bundle["text/html"]), /onboarding\.md/);
  assert.match(String(bundle["text/markdown"]), /^\*\*Q:\*\* How do we onboard/);
  assert.match(String(bundle["text/plain"]), /^\[1\] onboarding\.md:\d+-\d+/m);
  const data = bundle["application/json"] as { results: unknown[]; summary: string };
  assert.equal(data.results.length, 3);

  const st = await dispatch("rag status --json", ctx);
  assert.equal(st.json, true);
  assert.equal((st.result.data as { fresh: boolean }).fresh, true);
  await assert.rejects(dispatch("rag query", ctx), /query/i);
});
