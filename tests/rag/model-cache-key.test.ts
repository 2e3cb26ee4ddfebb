// Review 4: the cached USE-lite ONNX model (runtime/rag/embedders/use-lite-onnx.ts modelBytes)
// is keyed by the weight shards' SIZES, not their bytes: weights changed in place with the same
// size and the same package.json (patch-package, a repaired or re-downloaded shard, a local fork)
// keep serving the model built from the old weights, so vectors no longer come from the package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useLitePackageDir } from "../../runtime/rag/embedders/index.js";
import { packageCacheIn } from "./helpers.js";

test("weights changed in place (same sizes, same package.json) are not answered by the model built from the old ones", async (t) => {
  const { modelBytes } = await import("../../runtime/rag/embedders/use-lite-onnx.js");
  const root = mkdtempSync(join(tmpdir(), "oc-model-key-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  packageCacheIn(t);
  const pkg = join(root, "pkg");
  cpSync(useLitePackageDir()!, pkg, { recursive: true });
  const dist = join(pkg, "dist");
  const first = Buffer.from(modelBytes(dist, false));
  const shard = readdirSync(dist).filter((f) => f.includes("shard")).sort().at(-1)!;
  const bytes = readFileSync(join(dist, shard));
  for (let i = 0; i < bytes.length; i += 4) bytes.writeFloatLE(bytes.readFloatLE(i) * 0.5, i); // same size, other weights
  writeFileSync(join(dist, shard), bytes);
  const second = Buffer.from(modelBytes(dist, false));
  assert.ok(!first.equals(second), "the model built from the old weights was served from the cache");
});
