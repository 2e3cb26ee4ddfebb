import { join } from "node:path";
import type { OpenClawConfig } from "../../config/types.js";
import { ConfigError } from "../../errors.js";
import { TransformersEmbedder } from "./transformers.js";
import type { Embedder } from "./types.js";
import { UseLiteEmbedder } from "./use-lite.js";

export type { Embedder } from "./types.js";
export { UseLiteEmbedder, useLitePackageDir } from "./use-lite.js";
export { TransformersEmbedder, meanPool, missingModelFile, MODEL_ID } from "./transformers.js";

/** Where transformers models live: rag.embedding.modelDir, else <stateDir>/models. */
export function modelDirOf(config: OpenClawConfig): string {
  return config.rag.embedding.modelDir ?? join(config.stateDir, "models");
}

/** The embedder the config names. Cheap: models load on first embed. */
export function createEmbedder(config: OpenClawConfig): Embedder {
  const e = config.rag.embedding;
  if (e.provider === "transformers") {
    if (!e.model) throw new ConfigError("rag.embedding.provider is \"transformers\" but rag.embedding.model is not set", { fix: 'set rag.embedding.model, e.g. "Xenova/all-MiniLM-L6-v2", and put the model under rag.embedding.modelDir' });
    return new TransformersEmbedder(e.model, modelDirOf(config));
  }
  return new UseLiteEmbedder();
}
