import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { ConfigError, SafetyError } from "../errors.js";
import { parseJsonWithLines } from "./jsonlines.js";
import type { ConfigSource, GatewayAuth, LoadedConfig, OpenClawConfig } from "./types.js";
import { layoutIssues, parseBind, validateRaw, type ConfigIssue } from "./validate.js";
import { applySystemLayer, provenanceOf, readSystemLayer } from "./system.js";
import { readSchema } from "../paths.js";

export interface FindOptions {
  /** --config P */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** --config P, then $OPENCLAW_CONFIG, then ./openclaw.json; none found means the secure defaults. */
export function findConfig(opts: FindOptions = {}): ConfigSource {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const pick = (p: string, via: ConfigSource["via"]): ConfigSource => {
    const path = resolve(cwd, p);
    if (!existsSync(path)) {
      throw new ConfigError(`config file not found: ${path} (from ${via})`, {
        code: "config_not_found",
        fix: via === "--config" ? "check the path given to --config" : `check $OPENCLAW_CONFIG or unset it to use ./openclaw.json`,
      });
    }
    return { path, via, baseDir: dirname(path) };
  };
  if (opts.configPath) return pick(opts.configPath, "--config");
  if (env.OPENCLAW_CONFIG) return pick(env.OPENCLAW_CONFIG, "OPENCLAW_CONFIG");
  const local = join(cwd, "openclaw.json");
  if (existsSync(local)) return { path: local, via: "./openclaw.json", baseDir: cwd };
  return { path: null, via: "defaults", baseDir: cwd };
}

let schemaCache: Record<string, any> | undefined;
function configSchema(): Record<string, any> {
  schemaCache ??= readSchema("openclaw.schema.json") as Record<string, any>;
  return schemaCache;
}

/** A config problem as the person should read it: `<file>:<line> <pointer>: <message>`. */
export interface LocatedIssue extends ConfigIssue {
  file: string;
  line: number;
}

export function formatIssue(i: LocatedIssue): string {
  return `${i.file}:${i.line} ${i.pointer}: ${i.message}`;
}

export interface CheckResult {
  source: ConfigSource;
  raw: unknown;
  issues: LocatedIssue[];
  config?: OpenClawConfig;
}

/** Reads and checks a config without throwing on invalid content (for `config validate`). */
export function checkConfig(opts: FindOptions = {}): CheckResult {
  const found = findConfig(opts);
  if (!found.path) {
    const env = opts.env ?? process.env;
    const layer = readSystemLayer(env);
    const pinned = applySystemLayer({}, layer, "openclaw.json");
    const source = { ...found, system: layer?.path ?? null, provenance: provenanceOf(configSchema(), {}, pinned.fromSystem, env) };
    const { issues, filled } = validateRaw(pinned.raw);
    if (issues.length || !filled) throw new Error(`internal: the defaults${layer ? ` with ${layer.path}` : ""} do not validate`);
    const config = normalize(filled, source, env);
    const layout = layoutIssues(config, env).map((i) => ({ ...i, file: "openclaw.json", line: 1 }));
    return { source, raw: {}, issues: layout, config: layout.length ? undefined : config };
  }
  return checkText(readConfigText(found.path), found, opts.env ?? process.env);
}

export function readConfigText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read ${path}: ${(e as Error).message}`, { code: "config_unreadable", fix: "check the file exists and is readable", cause: e });
  }
}

export function checkText(text: string, source: ConfigSource, env: NodeJS.ProcessEnv = process.env): CheckResult {
  const file = source.path ?? "openclaw.json";
  const parsed = parseJsonWithLines(text);
  if (parsed.syntaxErrors.length) {
    return {
      source,
      raw: undefined,
      issues: parsed.syntaxErrors.map((e) => ({ file, line: e.line, pointer: "", kind: "error" as const, message: `JSON syntax error at column ${e.column}: ${e.message}` })),
    };
  }
  // The admin's pins first: a pinned key left out takes the pinned value, one set looser is an issue.
  const layer = readSystemLayer(env);
  const pinned = applySystemLayer(parsed.value, layer, file);
  source = { ...source, system: layer?.path ?? null, provenance: provenanceOf(configSchema(), parsed.value, pinned.fromSystem, env) };
  const { issues, filled } = validateRaw(pinned.raw);
  issues.push(...pinned.issues);
  let config = filled && !pinned.issues.length ? normalize(filled, source, env) : undefined;
  // Paths are only known once resolved: places the audit log and its key must never be.
  if (config) {
    const layout = layoutIssues(config, env);
    issues.push(...layout);
    if (layout.length) config = undefined;
  }
  const located = issues.map((i) => ({ ...i, file, line: parsed.lineOf(i.pointer) }));
  located.sort((a, b) => a.line - b.line);
  return { source, raw: parsed.value, issues: located, config };
}

/** Load or fail: ConfigError (exit 2) listing every issue, SafetyError (exit 78) for unsafe settings. */
export function loadConfig(opts: FindOptions = {}): LoadedConfig {
  const r = checkConfig(opts);
  throwIfIssues(r);
  return { config: r.config!, source: r.source, raw: r.raw };
}

export function throwIfIssues(r: CheckResult): void {
  if (!r.issues.length) return;
  const lines = r.issues.map(formatIssue);
  const where = r.source.path ?? "openclaw.json";
  if (r.issues.some((i) => i.kind === "safety")) {
    throw new SafetyError(`refusing unsafe config ${where}`, { details: lines, fix: "bind 127.0.0.1, or set gateway.auth to \"token\" or \"mtls\"", code: "unsafe_config" });
  }
  const n = r.issues.length;
  throw new ConfigError(`invalid config ${where}: ${n} error${n === 1 ? "" : "s"}`, {
    details: lines,
    fix: "edit the keys named above; `openclaw-kernel config schema` prints every allowed key",
  });
}

function abs(baseDir: string, p: string): string {
  const expanded = p === "~" ? homedir() : p.startsWith("~/") ? join(homedir(), p.slice(2)) : p;
  return isAbsolute(expanded) ? expanded : resolve(baseDir, expanded);
}

export function normalizeAuth(auth: unknown): GatewayAuth {
  if (auth === "token") return { mode: "token", tokenEnv: "OPENCLAW_GATEWAY_TOKEN" };
  if (auth === "mtls") return { mode: "mtls", cert: "", key: "", ca: "" };
  if (auth && typeof auth === "object") {
    const a = auth as Record<string, string>;
    if (a.mode === "token") return { mode: "token", tokenEnv: a.tokenEnv ?? "OPENCLAW_GATEWAY_TOKEN" };
    if (a.mode === "mtls") return { mode: "mtls", cert: a.cert!, key: a.key!, ca: a.ca! };
  }
  return { mode: "none" };
}

/** Schema-filled document -> the typed config with absolute paths. */
export function normalize(filled: any, source: ConfigSource, env: NodeJS.ProcessEnv): OpenClawConfig {
  const base = source.baseDir;
  const { host, port } = parseBind(filled.gateway.bind);
  let auth = normalizeAuth(filled.gateway.auth);
  if (auth.mode === "mtls") auth = { ...auth, cert: auth.cert && abs(base, auth.cert), key: auth.key && abs(base, auth.key), ca: auth.ca && abs(base, auth.ca) };
  const stateDir = filled.stateDir ? abs(base, filled.stateDir) : env.OPENCLAW_STATE_DIR ? resolve(env.OPENCLAW_STATE_DIR) : join(homedir(), ".openclaw-kernel");
  const p = filled.models.providers;
  return {
    gateway: { ...filled.gateway, host, port, auth },
    agentDefaults: { ...filled.agentDefaults, workspace: abs(base, filled.agentDefaults.workspace) },
    tools: filled.tools,
    models: {
      refs: filled.models.refs,
      prices: filled.models.prices,
      providers: {
        openai: p.openai,
        llamacpp: { ...p.llamacpp, modelsDir: abs(base, p.llamacpp.modelsDir) },
        scripted: { scriptsDir: abs(base, p.scripted.scriptsDir) },
      },
      named: Object.fromEntries(
        Object.entries(p)
          .filter(([k]) => !["openai", "llamacpp", "scripted"].includes(k))
          .map(([k, v]: [string, any]) => [k, { type: "openai", baseURL: v.baseURL, apiKeyEnv: v.apiKeyEnv ?? `${k.toUpperCase().replace(/-/g, "_")}_API_KEY`, timeoutMs: v.timeoutMs ?? 60000, maxRetries: v.maxRetries ?? 2 }]),
      ),
    },
    skills: { ...filled.skills, dirs: filled.skills.dirs.map((d: string) => abs(base, d)) },
    rag: {
      ...filled.rag,
      embedding: { ...filled.rag.embedding, ...(filled.rag.embedding.modelDir ? { modelDir: abs(base, filled.rag.embedding.modelDir) } : {}) },
    },
    audit: { fsync: filled.audit.fsync, path: filled.audit.path ? abs(base, filled.audit.path) : join(stateDir, "audit", "audit.jsonl"), rotateBytes: filled.audit.rotateBytes, keyPath: join(stateDir, "audit", "audit.key") },
    stateDir,
  };
}

/** The effective config with nothing secret in it (there is none by construction; env values are never included). */
export function redactedConfig(c: OpenClawConfig): Record<string, unknown> {
  const copy = structuredClone(c) as any;
  if (copy.gateway.auth.mode === "token") copy.gateway.auth.token = "[from env " + copy.gateway.auth.tokenEnv + " or the state dir; never shown]";
  return copy;
}
