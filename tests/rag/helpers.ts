import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../runtime/config/index.js";
import type { Embedder } from "../../runtime/rag/embedders/index.js";
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

const FAKE_STOP = new Set("a an and are as at be by can do does for from has have how i if in into is it its of on or our so than that the their then there these this to was we were what when where which who why will with you your".split(" "));

/**
 * The fake embedder's words: runs of letters and digits, lowercased, stop words dropped, a
 * plural "s" folded. Its own on purpose: a change to the lexical tokenizer (stemming) must not
 * move these vectors and so the dense results of tests about indexing mechanics.
 */
export function fakeWords(t: string): string[] {
  return (t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !FAKE_STOP.has(w)).map((w) => (w.length > 3 && w.endsWith("s") && !/(ss|us|is)$/.test(w) ? w.slice(0, -1) : w));
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
      for (const tok of fakeWords(t)) {
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

/**
 * A Rag as the kernel and gateway run it (folder and file watches on) over `workspace` (default:
 * a copy of the corpus), closed after the test. With `arm`, indexed and queried once so its
 * watches are set and armed by a stat pass (asserted).
 */
export async function watchedRag(t: { after(fn: () => void): void }, opts: { workspace?: string; arm?: boolean } = {}) {
  const env = makeRuntime(t, opts.workspace ? { workspace: opts.workspace } : {});
  const rag = new Rag({ runtime: env.runtime, embedder: new CountingEmbedder(), watchFolders: true });
  t.after(() => rag.close());
  if (opts.arm) {
    await rag.index();
    await rag.query("boathouse key", { mode: "lexical" });
    if (!rag.freshness?.watching) throw new Error(`the watches are not in use: ${rag.freshness?.reason}`);
  }
  return { ...env, rag };
}

/** OPENCLAW_TS_CODE_CACHE set to a new temp folder for this test (restored and removed after it); returns the folder. */
export function packageCacheIn(t: { after(fn: () => void): void }): string {
  const cache = mkdtempSync(join(tmpdir(), "oc-package-cache-"));
  const before = process.env.OPENCLAW_TS_CODE_CACHE;
  process.env.OPENCLAW_TS_CODE_CACHE = cache;
  t.after(() => {
    if (before === undefined) delete process.env.OPENCLAW_TS_CODE_CACHE;
    else process.env.OPENCLAW_TS_CODE_CACHE = before;
    rmSync(cache, { recursive: true, force: true });
  });
  return cache;
}
