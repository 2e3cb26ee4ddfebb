import { cpSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../runtime/config/index.js";
import type { Embedder } from "../../runtime/rag/embedders/index.js";
import { tokenize } from "../../runtime/rag/lexical.js";
import { normalize } from "../../runtime/rag/vectors.js";
import { Rag } from "../../runtime/rag/index.js";
import { Runtime } from "../../runtime/runtime.js";
import { ROOT, tmp, writeFile } from "../helpers/index.js";

export const CORPUS = join(ROOT, "tests", "fixtures", "rag", "corpus");

/** A validated config with a workspace and state dir of our own (via a real openclaw.json). */
export function makeRuntime(t: { after(fn: () => void): void }, opts: { workspace?: string; rag?: Record<string, unknown>; copyCorpus?: boolean } = {}) {
  const root = tmp(t, "openclaw-rag-");
  const workspace = opts.workspace ?? join(root, "ws");
  if (opts.copyCorpus !== false && !opts.workspace) cpSync(CORPUS, workspace, { recursive: true });
  const stateDir = join(root, "state");
  const cfgPath = writeFile(join(root, "openclaw.json"), { agentDefaults: { workspace }, stateDir, ...(opts.rag ? { rag: opts.rag } : {}) });
  const loaded = loadConfig({ configPath: cfgPath, env: {}, cwd: root });
  const runtime = new Runtime(loaded, { host: "cli", env: {} });
  t.after(() => void runtime.close());
  return { root, workspace, stateDir, runtime, cfgPath };
}

/**
 * A fast deterministic embedder (hashed bag of words) that counts its calls, for
 * tests about indexing mechanics rather than semantics.
 */
export class CountingEmbedder implements Embedder {
  calls = 0;
  texts: string[] = [];
  constructor(readonly id = "fake-hash@1", readonly size = 64) {}
  async dims() {
    return this.size;
  }
  async embed(texts: string[]) {
    this.calls++;
    this.texts.push(...texts);
    return texts.map((t) => {
      const v = new Float32Array(this.size);
      for (const tok of tokenize(t)) {
        let h = 2166136261;
        for (const c of tok) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
        v[(h >>> 0) % this.size]! += 1;
      }
      v[0]! += 1e-3; // never a zero vector
      return normalize(v);
    });
  }
}

export function makeRag(runtime: Runtime, embedder?: Embedder): Rag {
  return new Rag({ runtime, embedder });
}
