/**
 * `rag pull MODEL`: the one place that may download. It fetches a sentence model's
 * ONNX export and tokenizer into <modelDir>/<MODEL>/ so the offline loader can use it.
 * Files land under a temp name and are renamed when complete; nothing is half-written.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { UsageError } from "../errors.js";
import { MODEL_ID, missingModelFile } from "./embedders/transformers.js";
import { RagError } from "./errors.js";

export const PULL_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"] as const;

export interface PullReport {
  model: string;
  dir: string;
  files: Array<{ file: string; bytes: number }>;
  alreadyPresent: boolean;
}

export async function pullModel(model: string, modelDir: string, opts: { endpoint?: string; signal?: AbortSignal; timeoutMs?: number; onFile?: (file: string) => void } = {}): Promise<PullReport> {
  if (!MODEL_ID.test(model) || model.includes("..")) throw new UsageError(`"${model}" is not a model id`, { fix: "give an id like Xenova/all-MiniLM-L6-v2" });
  const dir = join(modelDir, model);
  if (!missingModelFile(dir)) return { model, dir, files: [], alreadyPresent: true };
  const endpoint = (opts.endpoint ?? "https://huggingface.co").replace(/\/+$/, "");
  const files: PullReport["files"] = [];
  for (const file of PULL_FILES) {
    const dest = join(dir, file);
    if (existsSync(dest)) continue;
    const url = `${endpoint}/${model}/resolve/main/${file}`;
    opts.onFile?.(file);
    let body: Uint8Array;
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 20_000), ...(opts.signal ? [opts.signal] : [])]);
      const res = await fetch(url, { signal, redirect: "follow" });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      body = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new RagError(`cannot download ${model} (${file}) from ${endpoint}: ${why}`, {
        code: "rag_pull_failed",
        details: [`url: ${url}`, `destination: ${dir}`],
        fix: `this machine cannot reach the model hub; on a machine that can, run \`openclaw-kernel rag pull ${model}\` and copy ${dir} here (it needs ${PULL_FILES.join(", ")}), or set rag.embedding.provider to "use-lite", which works offline`,
      });
    }
    mkdirSync(dirname(dest), { recursive: true });
    const tmp = `${dest}.part`;
    writeFileSync(tmp, body);
    renameSync(tmp, dest);
    files.push({ file, bytes: body.length });
  }
  const missing = missingModelFile(dir);
  if (missing) {
    rmSync(join(dir, missing), { force: true });
    throw new RagError(`downloaded ${model} but ${missing} is still missing`, { code: "rag_pull_failed", fix: "check the model has an ONNX export (onnx/model.onnx), e.g. the Xenova/* conversions" });
  }
  return { model, dir, files, alreadyPresent: false };
}
