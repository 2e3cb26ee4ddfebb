import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import { isFloatingRef } from "../config/index.js";
import type { OpenClawConfig } from "../config/index.js";
import { LlamaCppChatModel, resolveModelFile, sha256File } from "./llamacpp.js";
import { OpenAIChatModel } from "./openai.js";
import { assertPinned, parseRef } from "./refs.js";
import { ScriptedChatModel, resolveScript } from "./scripted.js";
import type { ChatModel, ModelInfo } from "./types.js";

export * from "./types.js";
export { ModelError } from "./errors.js";
export { parseRef, assertPinned, PROVIDERS } from "./refs.js";
export { defaultThreads, LlamaCppChatModel } from "./llamacpp.js";

/** What the registry is built from: the model config, the environment, and a secret lookup (read at call time, never stored). */
export interface ModelRegistryOptions {
  config: Pick<OpenClawConfig, "agentDefaults" | "tools"> & { models: Omit<OpenClawConfig["models"], "named" | "prices"> & Partial<Pick<OpenClawConfig["models"], "named">> };
  env: NodeJS.ProcessEnv;
  secret: (name: string) => string | undefined;
}

/**
 * Model refs -> chat models. The ref in the config is the ref used (no aliasing, no
 * fallback); floating aliases are refused. OpenAI clients and llama.cpp processes are
 * kept for reuse; a scripted replay starts from its first turn on every request.
 */
export class ModelRegistry {
  private readonly opts: ModelRegistryOptions;
  private readonly cache = new Map<string, ChatModel>();

  constructor(opts: ModelRegistryOptions) {
    this.opts = opts;
  }

  /** A chat model for a pinned ref. Throws SafetyError for floating refs, NotFound for missing files. */
  /** Names of the named OpenAI-compatible providers (models.providers.<name>). */
  get named(): string[] {
    return Object.keys(this.opts.config.models.named ?? {});
  }

  async chatModel(ref: string): Promise<ChatModel> {
    const p = parseRef(ref, this.named);
    assertPinned(ref);
    const cfg = this.opts.config.models.providers;
    if (p.provider === "scripted") return new ScriptedChatModel(ref, resolveScript(cfg.scripted.scriptsDir, p.model), p.model);
    const cached = this.cache.get(ref);
    if (cached) return cached;
    let m: ChatModel;
    if (p.provider === "openai") {
      m = this.openai(ref, p.model, p.name);
    } else {
      const l = cfg.llamacpp;
      m = new LlamaCppChatModel({ ref, path: resolveModelFile(l.modelsDir, p.model), threads: l.threads, contextSize: l.contextSize, sha256: l.sha256[p.model], gpu: l.gpu });
    }
    this.cache.set(ref, m);
    return m;
  }

  /** An OpenAI-compatible client for one model id; the key is read through the secret lookup at call time. */
  private openai(ref: string, model: string, name = "openai"): OpenAIChatModel {
    const n = this.opts.config.models.named?.[name];
    if (n) return new OpenAIChatModel({ ref, model, baseURL: n.baseURL, apiKeyEnv: n.apiKeyEnv, timeoutMs: n.timeoutMs, maxRetries: n.maxRetries, secret: (k) => this.opts.secret(k) });
    const o = this.opts.config.models.providers.openai;
    return new OpenAIChatModel({ ref, model, baseURL: o.baseURL ?? (this.opts.env.OPENAI_BASE_URL || undefined), apiKeyEnv: o.apiKeyEnv, timeoutMs: o.timeoutMs, maxRetries: o.maxRetries, secret: (n) => this.opts.secret(n) });
  }

  /**
   * Configured refs, local GGUF files and scripts, with availability decided without
   * network calls (key present, file present). `remote` asks OpenAI's catalog too.
   */
  async list(opts: { remote?: boolean; signal?: AbortSignal } = {}): Promise<{ count: number; models: ModelInfo[] }> {
    const c = this.opts.config;
    const out = new Map<string, ModelInfo>();
    const add = (ref: string, source: string) => {
      if (out.has(ref)) return;
      out.set(ref, this.describe(ref, source));
    };
    add(c.agentDefaults.model, "agentDefaults.model");
    for (const r of c.models.refs) add(r, "models.refs");
    for (const name of this.named) if (![...out.keys()].some((r) => r.startsWith(`${name}/`))) out.set(`${name}/`, { ref: `${name}/`, provider: name, pinned: true, available: false, local: false, source: `models.providers.${name}`, note: `no model of ${name} configured: add e.g. "${name}/<model>" to models.refs` });
    for (const r of c.tools.exec.applyPatch.allowedModels) add(r, "tools.exec.applyPatch.allowedModels");
    for (const f of listFiles(c.models.providers.llamacpp.modelsDir, ".gguf")) add(`llamacpp/${f}`, "modelsDir");
    for (const f of listFiles(c.models.providers.scripted.scriptsDir, ".json")) add(`scripted/${f}`, "scriptsDir");
    if (opts.remote) {
      for (const id of await this.openai("openai/*", "*").remoteIds(opts.signal)) if (!out.has(`openai/${id}`)) out.set(`openai/${id}`, { ...this.describe(`openai/${id}`, "remote"), available: true });
    }
    // A pinned GGUF whose bytes no longer match its pin is unavailable (it would be refused at load).
    const pins = c.models.providers.llamacpp.sha256;
    for (const m of out.values()) {
      const file = m.provider === "llamacpp" && m.available ? m.ref.slice("llamacpp/".length) : undefined;
      if (!file || !pins[file]) continue;
      const got = await this.fileHash(resolveModelFile(c.models.providers.llamacpp.modelsDir, file));
      if (got === pins[file]) m.note = `sha256 pinned: ${got.slice(0, 12)}…`;
      else Object.assign(m, { available: false, note: `sha256 does not match its pin (models.providers.llamacpp.sha256): expected ${pins[file]!.slice(0, 12)}…, file has ${got.slice(0, 12)}…` });
    }
    const models = [...out.values()];
    return { count: models.length, models };
  }

  readonly #hashes = new Map<string, { key: string; hash: string }>();

  /** A file's sha256, remembered while its size and mtime stay the same (a GGUF is gigabytes). */
  async fileHash(path: string): Promise<string> {
    const st = statSync(path);
    const key = `${st.size}:${st.mtimeMs}`;
    const hit = this.#hashes.get(path);
    if (hit?.key === key) return hit.hash;
    const hash = await sha256File(path);
    this.#hashes.set(path, { key, hash });
    return hash;
  }

  /**
   * Pins a local GGUF: writes its sha256 into the config file (models.providers.llamacpp.sha256)
   * and into this runtime's config, so a changed file is refused from now on.
   */
  async pin(ref: string, configPath: string | null): Promise<{ ref: string; file: string; sha256: string; configPath: string; previous: string | null }> {
    const p = parseRef(ref, this.named);
    if (p.provider !== "llamacpp") throw new UsageError(`models pin takes a llamacpp/<file>.gguf ref, got ${ref}`, { fix: "hosted models are pinned by exact id in the ref itself (e.g. openai/gpt-4o-mini-2024-07-18)" });
    if (!configPath) throw new UsageError("there is no openclaw.json to write the pin into", { fix: "create one (openclaw-kernel config init, or an empty {} file) next to the notebook, then pin again" });
    const l = this.opts.config.models.providers.llamacpp;
    const path = resolveModelFile(l.modelsDir, p.model);
    const sha256 = await this.fileHash(path);
    const raw = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, any>;
    const models = (raw.models ??= {});
    const providers = (models.providers ??= {});
    const llamacpp = (providers.llamacpp ??= {});
    const pins = (llamacpp.sha256 ??= {});
    const previous = (pins[p.model] as string | undefined) ?? null;
    pins[p.model] = sha256;
    const tmp = `${configPath}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(raw, null, 2)}\n`);
    renameSync(tmp, configPath);
    l.sha256[p.model] = sha256;
    this.cache.delete(ref);
    return { ref, file: path, sha256, configPath, previous };
  }

  /** One listing row; never throws (a bad ref is shown as unavailable with the reason). */
  describe(ref: string, source: string): ModelInfo {
    const pinned = !isFloatingRef(ref);
    let provider = ref.split("/")[0] ?? "";
    try {
      const p = parseRef(ref, this.named);
      provider = p.name;
      const cfg = this.opts.config.models.providers;
      const named = this.opts.config.models.named?.[p.name];
      if (named) {
        const local = new OpenAIChatModel({ ref, model: p.model, baseURL: named.baseURL, apiKeyEnv: named.apiKeyEnv, timeoutMs: 1, maxRetries: 0, secret: () => undefined }).local;
        const key = !!this.opts.secret(named.apiKeyEnv);
        return { ref, provider, pinned, available: pinned && (key || local), local, source, ...(!pinned ? { note: "floating alias: refused" } : !key && !local ? { note: `$${named.apiKeyEnv} not set` } : { note: `openai-compatible at ${named.baseURL}` }) };
      }
      if (p.provider === "openai") {
        const base = cfg.openai.baseURL ?? this.opts.env.OPENAI_BASE_URL;
        const local = new OpenAIChatModel({ ref, model: p.model, baseURL: base, apiKeyEnv: cfg.openai.apiKeyEnv, timeoutMs: 1, maxRetries: 0, secret: () => undefined }).local;
        const key = !!this.opts.secret(cfg.openai.apiKeyEnv);
        return { ref, provider, pinned, available: pinned && (key || local), local, source, ...(!pinned ? { note: "floating alias: refused" } : !key && !local ? { note: `$${cfg.openai.apiKeyEnv} not set` } : {}) };
      }
      if (p.provider === "llamacpp") resolveModelFile(cfg.llamacpp.modelsDir, p.model);
      else resolveScript(cfg.scripted.scriptsDir, p.model);
      return { ref, provider, pinned, available: pinned, local: true, source, ...(p.provider === "scripted" ? { note: "scripted replay, not a model" } : {}), ...(!pinned ? { note: "floating alias: refused" } : {}) };
    } catch (e) {
      return { ref, provider, pinned, available: false, local: provider !== "openai", source, note: (e as Error).message };
    }
  }

  async close(): Promise<void> {
    const models = [...this.cache.values()];
    this.cache.clear();
    await Promise.all(models.map((m) => m.close().catch(() => undefined)));
  }
}

function listFiles(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isFile() && d.name.endsWith(ext))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}
