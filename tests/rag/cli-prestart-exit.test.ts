// review5: `rag query` starts loading the embedding model on a worker thread before the CLI's
// modules load (bin/openclaw-kernel -> prestartAside). prestartAside promises that a process that
// never asks "does not hold the process open"; it must not kill it either: a command that ends
// while that thread is in onnxruntime's session creation (a usage or config error, Ctrl-C, an
// index without vectors) aborted (SIGABRT, exit 134, "terminate called after throwing an
// instance of 'Napi::Error'") instead of exiting with its own code. UseLiteEmbedder.close()
// ending an embedAside thread in that state does the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cli, ROOT, tmp, writeFile } from "../helpers/index.js";
import { CORPUS } from "./helpers.js";

const useLite = pathToFileURL(join(ROOT, "dist", "runtime", "rag", "embedders", "use-lite.js")).href;

test("a process that prestarts the query model and ends before using it exits cleanly, whenever it ends", { timeout: 240_000 }, (t) => {
  const root = tmp(t, "oc-prestart-exit-");
  // a warm package cache (the built model and its optimized graph, as after any earlier query):
  // the thread reaches onnxruntime's session creation within a short process's lifetime
  // (the thread is opt-in: OPENCLAW_RAG_ASIDE=1)
  const env = { ...process.env, OPENCLAW_TS_CODE_CACHE: join(root, "cache"), OPENCLAW_RAG_ASIDE: "1" };
  const warm = spawnSync(process.execPath, ["-e", `import(${JSON.stringify(useLite)}).then(async (m) => { const e = new m.UseLiteEmbedder({ threads: 1 }); await e.embed(["warm"]); await e.close(); })`], { env, encoding: "utf8", timeout: 120_000 });
  assert.equal(warm.status, 0, warm.stderr);
  const bad: string[] = [];
  for (let rep = 0; rep < 2; rep++) {
    for (let ms = 0; ms <= 300; ms += 20) {
      const r = spawnSync(process.execPath, ["-e", `import(${JSON.stringify(useLite)}).then((m) => { m.prestartAside(); setTimeout(() => {}, ${ms}); })`], { env, encoding: "utf8", timeout: 60_000 });
      if (r.status !== 0) bad.push(`ended after ${ms} ms: status ${r.status} signal ${r.signal}: ${r.stderr.trim().slice(-160)}`);
    }
  }
  // the same through close(): a one-query Rag closed (Ctrl-C, or a hybrid query over partial
  // vectors that never awaits its embedAside) while the aside thread loads the model
  for (let ms = 0; ms <= 300; ms += 20) {
    const r = spawnSync(process.execPath, ["-e", `import(${JSON.stringify(useLite)}).then((m) => { const e = new m.UseLiteEmbedder(); e.embedAside("x").catch(() => {}); setTimeout(() => void e.close(), ${ms}); })`], { env, encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) bad.push(`embedAside closed after ${ms} ms: status ${r.status} signal ${r.signal}: ${r.stderr.trim().slice(-160)}`);
  }
  // the CLI itself: a config error exits 2
  for (let i = 0; i < 10; i++) {
    const r = cli(["rag", "query", "x", "--config", join(root, "missing.json")], { env: { OPENCLAW_TS_CODE_CACHE: join(root, "cache"), OPENCLAW_RAG_ASIDE: "1" } });
    if (r.code !== 2) bad.push(`CLI config error: exit ${r.code}: ${r.stderr.trim().slice(-160)}`);
  }
  // and a query that succeeds: a config whose rag.mode is "lexical" never uses the thread
  const ws = join(root, "ws");
  cpSync(CORPUS, ws, { recursive: true });
  const config = writeFile(join(root, "openclaw.json"), { agentDefaults: { workspace: ws }, stateDir: join(root, "state"), rag: { mode: "lexical" } });
  const cenv = { OPENCLAW_TS_CODE_CACHE: join(root, "cache"), OPENCLAW_RAG_ASIDE: "1" };
  const idx = cli(["rag", "index", "--config", config], { env: cenv });
  assert.equal(idx.code, 0, idx.stderr);
  for (let i = 0; i < 15; i++) {
    const r = cli(["rag", "query", "bicycle parking", "--json", "--config", config], { env: cenv });
    if (r.code !== 0) bad.push(`lexical query (answered: ${/"results"/.test(r.stdout)}): exit ${r.code}: ${r.stderr.trim().slice(-160)}`);
  }
  assert.deepEqual(bad, []);
});
