/**
 * `models pull <hf:repo/file.gguf | https://…/file.gguf>`: the only command besides
 * `rag pull` that downloads. It goes through node-llama-cpp's downloader (resumable,
 * Hugging Face URIs resolved) into models.providers.llamacpp.modelsDir, and fails
 * cleanly offline: one ModelError naming the source and the fix, no partial file kept.
 */
import { statSync } from "node:fs";
import { basename } from "node:path";
import { AbortedError } from "../errors.js";
import { ModelError } from "./errors.js";
import { sha256File } from "./llamacpp.js";

export interface PullResult {
  source: string;
  ref: string;
  file: string;
  bytes: number;
  sha256: string;
  pinned: false;
  next: string;
}

export function checkSource(source: string): void {
  const ok = /^hf:[^\s/]+\/[^\s]+$/.test(source) || /^https?:\/\/[^\s]+\.gguf(\?[^\s]*)?$/i.test(source);
  if (!ok) throw new ModelError(`"${source}" is not a GGUF source models pull understands`, { code: "pull_source", fix: "give hf:<user>/<repo>/<file>.gguf (or hf:<user>/<repo>:<quant>) or an http(s) URL ending in .gguf" });
}

export async function pullModel(source: string, modelsDir: string, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<PullResult> {
  checkSource(source);
  // The downloader retries an unreachable host for a long time: ask once, briefly, first.
  await reachable(source.startsWith("hf:") ? "https://huggingface.co/" : source, opts.signal);
  const { createModelDownloader } = await import("node-llama-cpp");
  let path: string;
  try {
    const d = await createModelDownloader({ modelUri: source, dirPath: modelsDir, showCliProgress: false, skipExisting: true, deleteTempFileOnCancel: true, onProgress: (s) => opts.onProgress?.(s.downloadedSize, s.totalSize) });
    path = await d.download({ signal: opts.signal });
  } catch (e) {
    if (opts.signal?.aborted) throw new AbortedError("models pull aborted");
    const why = (e as Error)?.message ?? String(e);
    throw new ModelError(`could not download ${source}: ${why}`, { code: "download_failed", cause: e, fix: "check the network and the source (models pull is the only command besides rag pull that downloads); or copy the .gguf into models.providers.llamacpp.modelsDir by hand" });
  }
  const file = basename(path);
  return { source, ref: `llamacpp/${file}`, file: path, bytes: statSync(path).size, sha256: await sha256File(path), pinned: false, next: `models pin llamacpp/${file}` };
}

/** One HEAD request with a 15 s bound: offline (or a dead host) fails here, at once, with the reason. */
async function reachable(url: string, signal?: AbortSignal): Promise<void> {
  try {
    const r = await fetch(url, { method: "HEAD", redirect: "follow", signal: AbortSignal.any([AbortSignal.timeout(15_000), ...(signal ? [signal] : [])]) });
    await r.body?.cancel();
    if (r.status === 404) throw new Error("HTTP 404: not found");
  } catch (e) {
    if (signal?.aborted) throw new AbortedError("models pull aborted");
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    throw new ModelError(`could not download ${url}: ${why} (offline?)`, { code: "download_failed", cause: e, fix: "check the network and the source (models pull is the only command besides rag pull that downloads); or copy the .gguf into models.providers.llamacpp.modelsDir by hand" });
  }
}
