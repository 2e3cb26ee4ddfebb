// review5: writeCacheFile writes `<name>.<pid>.tmp` then renames it; a process that dies in between
// (the prestarted query-model thread killed at exit while it saves the 14 MB optimized graph, a
// Ctrl-C, a crash) leaves the temp file, and pruneCacheFiles skips every `.tmp` name, so each
// one stays in ~/.cache/openclaw-kernel for good. A temp file whose writer is gone (old enough,
// or its pid not running) should go with the next prune.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pruneCacheFiles } from "../../runtime/cache-dir.js";
import { tmp } from "../helpers/index.js";

test("pruneCacheFiles removes a model temp file its writer left an hour ago", (t) => {
  const dir = join(tmp(t, "oc-prune-tmp-"), "cache");
  mkdirSync(dir, { mode: 0o700 });
  const stale = join(dir, "use-lite-int8-0123456789abcdef01234567-0123456789abcdef.ort.999999.tmp");
  writeFileSync(stale, Buffer.alloc(1024), { mode: 0o600 });
  const hourAgo = new Date(Date.now() - 3600_000);
  utimesSync(stale, hourAgo, hourAgo);
  const kept = join(dir, "use-lite-int8-0123456789abcdef01234567.onnx");
  writeFileSync(kept, "x", { mode: 0o600 });
  pruneCacheFiles(dir, "use-lite-", 8);
  assert.ok(existsSync(kept), "a current model file stays");
  assert.equal(existsSync(stale), false, "the dead writer's temp file is removed");
});
