/**
 * ONNX sentence models (all-MiniLM-L6-v2, bge-small, …) through @huggingface/transformers,
 * strictly offline: remote loading is off and models come from `modelDir/<model id>/`
 * (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx). Only
 * `rag pull` ever downloads. Sentence vectors are the attention-masked mean of the
 * last hidden state, L2-normalized, as sentence-transformers computes them.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, OpenClawError } from "../../errors.js";
import { normalize } from "../math.js";
import type { Embedder } from "./types.js";

const BATCH = 16;
/** A model id is `owner/name` of safe characters: it becomes a path under modelDir. */
export const MODEL_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

interface Tensor {
  dims: number[];
  data: ArrayLike<number | bigint>;
}
type Tokenizer = (texts: string[], opts: { padding: boolean; truncation: boolean; max_length?: number }) => Record<string, Tensor>;
type Model = ((inputs: Record<string, Tensor>) => Promise<Record<string, Tensor>>) & { dispose?: () => Promise<unknown> };

/** The files a model folder needs; the first missing one is named in errors. */
export function missingModelFile(dir: string): string | undefined {
  for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json"]) if (!existsSync(join(dir, f))) return f;
  if (!existsSync(join(dir, "onnx", "model.onnx")) && !existsSync(join(dir, "onnx", "model_quantized.onnx"))) return "onnx/model.onnx";
  return undefined;
}

/** Mean of the token vectors where attention_mask is 1, per sequence; then unit length. */
export function meanPool(hidden: Tensor, mask: Tensor): Float32Array[] {
  const [batch, seq, dim] = hidden.dims as [number, number, number];
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dim);
    let n = 0;
    for (let s = 0; s < seq; s++) {
      if (Number(mask.data[b * seq + s]) === 0) continue;
      n++;
      const base = (b * seq + s) * dim;
      for (let d = 0; d < dim; d++) v[d]! += Number(hidden.data[base + d]);
    }
    if (n) for (let d = 0; d < dim; d++) v[d]! /= n;
    out.push(normalize(v));
  }
  return out;
}

export class TransformersEmbedder implements Embedder {
  readonly id: string;
  private loaded?: Promise<{ tokenizer: Tokenizer; model: Model; dims: number }>;

  constructor(readonly model: string, readonly modelDir: string) {
    if (!MODEL_ID.test(model) || model.includes("..")) throw new ConfigError(`rag.embedding.model "${model}" is not a model id`, { fix: 'use an id like "Xenova/all-MiniLM-L6-v2"' });
    this.id = `transformers:${model}`;
  }

  get dir(): string {
    return join(this.modelDir, this.model);
  }

  private load() {
    this.loaded ??= (async () => {
      const missing = missingModelFile(this.dir);
      if (missing) {
        this.loaded = undefined;
        throw new OpenClawError(`embedding model ${this.model} is not on disk: ${join(this.dir, missing)} is missing`, {
          code: "rag_model_missing",
          fix: `run \`openclaw-kernel rag pull ${this.model}\` where the hub is reachable, or copy the model folder to ${this.dir}`,
        });
      }
      const t = await import("@huggingface/transformers");
      // never reach a hub from here: only `rag pull` downloads
      t.env.allowRemoteModels = false;
      t.env.allowLocalModels = true;
      t.env.localModelPath = this.modelDir.endsWith("/") ? this.modelDir : this.modelDir + "/";
      const dtype = existsSync(join(this.dir, "onnx", "model.onnx")) ? "fp32" : "q8";
      try {
        const tokenizer = (await t.AutoTokenizer.from_pretrained(this.model)) as unknown as Tokenizer;
        const model = (await t.AutoModel.from_pretrained(this.model, { dtype, device: "cpu" })) as unknown as Model;
        const cfg = (model as unknown as { config?: { hidden_size?: number } }).config;
        return { tokenizer, model, dims: cfg?.hidden_size ?? 0 };
      } catch (e) {
        this.loaded = undefined;
        throw new OpenClawError(`cannot load embedding model ${this.model} from ${this.dir}: ${(e as Error).message}`, {
          code: "rag_model_invalid",
          fix: `check the files in ${this.dir} (a feature-extraction ONNX export), or run \`openclaw-kernel rag pull ${this.model}\` again`,
          cause: e,
        });
      }
    })();
    return this.loaded;
  }

  async dims(): Promise<number> {
    const l = await this.load();
    if (!l.dims) l.dims = (await this.embed(["dimension probe"]))[0]!.length;
    return l.dims;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const { tokenizer, model } = await this.load();
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH) {
      signal?.throwIfAborted();
      const inputs = tokenizer(texts.slice(i, i + BATCH), { padding: true, truncation: true, max_length: 512 });
      const res = await model(inputs);
      const hidden = res.last_hidden_state ?? res.token_embeddings ?? Object.values(res)[0];
      if (!hidden || hidden.dims.length !== 3) throw new OpenClawError(`embedding model ${this.model} returned no [batch, seq, hidden] output`, { code: "rag_model_invalid", fix: "use a feature-extraction (sentence embedding) ONNX export" });
      out.push(...meanPool(hidden, inputs.attention_mask!));
    }
    return out;
  }

  async close(): Promise<void> {
    const l = await this.loaded?.catch(() => undefined);
    await l?.model.dispose?.();
  }
}
