import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tmp, writeFile } from "../helpers/index.js";
import { assertGpuBackend, backendInstalled, backendPackage, gpuOptions } from "../../runtime/models/gpu.js";
import { LlamaCppChatModel } from "../../runtime/models/llamacpp.js";
import { loadConfig } from "../../runtime/config/index.js";

// The GPU path itself cannot run on this machine (no GPU, and the backends are stubbed out): these tests cover
// the option mapping, the detection of the empty stand-in package, and the error a missing backend gives.

test("gpu setting -> node-llama-cpp options: false is CPU only (no layers offloaded); auto/cuda/vulkan offload", () => {
  assert.deepEqual(gpuOptions(false), { gpu: false, gpuLayers: 0 });
  assert.deepEqual(gpuOptions("auto"), { gpu: "auto", gpuLayers: "auto" });
  assert.deepEqual(gpuOptions("cuda"), { gpu: "cuda", gpuLayers: "auto" });
  assert.deepEqual(gpuOptions("vulkan"), { gpu: "vulkan", gpuLayers: "auto" });
  assert.equal(backendPackage("cuda", "linux", "x64"), "@node-llama-cpp/linux-x64-cuda");
  assert.equal(backendPackage("vulkan", "win32", "x64"), "@node-llama-cpp/win-x64-vulkan");
});

test("the empty stand-in for a GPU backend counts as missing; the error names the package and how to install it", () => {
  // In this repo the CUDA package is @favware/skip-dependency under another name (package.json overrides).
  assert.equal(backendInstalled("@node-llama-cpp/linux-x64-cuda"), false);
  assert.equal(backendInstalled("node-llama-cpp"), true, "a real package is found");
  assert.throws(() => assertGpuBackend("cuda"), (e: any) => e.code === "gpu_backend_missing" && /gpu is "cuda" but the cuda backend \(@node-llama-cpp\/\w+-\w+-cuda\) is not installed/.test(e.message) && /npm install @node-llama-cpp\//.test(e.fix));
  assert.doesNotThrow(() => assertGpuBackend("vulkan", () => true));
  assert.doesNotThrow(() => assertGpuBackend("auto"));
  assert.doesNotThrow(() => assertGpuBackend(false));
});

test("a llamacpp model with gpu: cuda and no backend fails before any process starts, with that error", async (t) => {
  const dir = tmp(t);
  const file = writeFile(join(dir, "tiny.gguf"), "not really a model");
  const m = new LlamaCppChatModel({ ref: "llamacpp/tiny.gguf", path: file, contextSize: 256, gpu: "cuda" });
  t.after(() => m.close());
  await assert.rejects(m.chat({ messages: [{ role: "user", content: "hi" }], tools: [] }), /cuda backend .* is not installed/);
});

test("config: gpu accepts auto|cuda|vulkan|false (default false) and refuses anything else, naming the key", (t) => {
  const dir = tmp(t);
  const ok = writeFile(join(dir, "ok.json"), { models: { providers: { llamacpp: { gpu: "vulkan" } } } });
  assert.equal(loadConfig({ configPath: ok, env: {} }).config.models.providers.llamacpp.gpu, "vulkan");
  const def = writeFile(join(dir, "def.json"), {});
  assert.equal(loadConfig({ configPath: def, env: {} }).config.models.providers.llamacpp.gpu, false);
  const bad = writeFile(join(dir, "bad.json"), { models: { providers: { llamacpp: { gpu: "metal" } } } });
  assert.throws(() => loadConfig({ configPath: bad, env: {} }), (e: any) => /invalid config/.test(e.message) && e.details.some((d: string) => /llamacpp\/gpu/.test(d)));
});
