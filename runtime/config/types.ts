/**
 * The validated, defaults-filled configuration, derived from the type generated from
 * schemas/openclaw.schema.json (runtime/generated/openclaw.ts, `npm run gen:types`): a
 * key with a schema default is required here, a key without one stays optional. Paths
 * here are already absolute (resolved against the config file's folder).
 */
import type { OpenClawJson } from "../generated/openclaw.js";

export type { OpenClawJson } from "../generated/openclaw.js";

/** Every key required except `Keep` (keys the schema gives no default: still optional once filled). */
type Filled<T, Keep extends keyof T = never> = Required<Omit<T, Keep>> & Pick<T, Keep>;

type RawGateway = NonNullable<OpenClawJson["gateway"]>;
type RawAuth = NonNullable<RawGateway["auth"]>;
type RawExec = NonNullable<NonNullable<OpenClawJson["tools"]>["exec"]>;
type RawAgent = NonNullable<OpenClawJson["agentDefaults"]>;
type RawProviders = NonNullable<NonNullable<OpenClawJson["models"]>["providers"]>;
type RawRag = NonNullable<OpenClawJson["rag"]>;

/** The auth setting normalized from its string or object form (tokenEnv filled). */
export type GatewayAuth = { mode: "none" } | Required<Extract<RawAuth, { mode: "token" }>> | Extract<RawAuth, { mode: "mtls" }>;

export interface GatewayConfig extends Required<Omit<RawGateway, "auth" | "control">> {
  /** Parsed from bind ("127.0.0.1:18789", "[::1]:18789"). host has no brackets. */
  host: string;
  port: number;
  /** Normalized from the string or object form. */
  auth: GatewayAuth;
  control: Required<NonNullable<RawGateway["control"]>>;
}

export interface ExecConfig extends Required<Omit<RawExec, "applyPatch">> {
  applyPatch: Required<NonNullable<RawExec["applyPatch"]>>;
}

/** A named OpenAI-compatible provider: models.providers.<name> with type "openai". */
export interface NamedProvider {
  type: "openai";
  baseURL: string;
  apiKeyEnv: string;
  timeoutMs: number;
  maxRetries: number;
}

export interface OpenClawConfig {
  gateway: GatewayConfig;
  agentDefaults: Filled<RawAgent, "systemPrompt">;
  tools: { exec: ExecConfig };
  models: {
    refs: string[];
    /** Price table by model ref, per million tokens (never fetched). */
    prices: NonNullable<NonNullable<OpenClawJson["models"]>["prices"]>;
    providers: {
      openai: Filled<NonNullable<RawProviders["openai"]>, "baseURL">;
      llamacpp: Filled<NonNullable<RawProviders["llamacpp"]>, "threads">;
      scripted: Required<NonNullable<RawProviders["scripted"]>>;
    };
    /** Named OpenAI-compatible providers (every other key of models.providers), apiKeyEnv filled (<NAME>_API_KEY). */
    named: Record<string, NamedProvider>;
  };
  skills: Required<NonNullable<OpenClawJson["skills"]>>;
  rag: Required<Omit<RawRag, "embedding">> & { embedding: Filled<NonNullable<RawRag["embedding"]>, "model" | "modelDir"> };
  /** path filled: <stateDir>/audit/audit.jsonl unless set. */
  /** keyPath is <stateDir>/audit/audit.key (derived, not configurable): the HMAC key, hidden from every sandbox. */
  audit: Required<NonNullable<OpenClawJson["audit"]>> & { keyPath: string };
  /** Absolute state directory (sessions, logs, indexes, audit, tokens). */
  stateDir: string;
}

/** Where the config came from, for messages and `config show`. */
export interface ConfigSource {
  /** Absolute path of the file, or null when the secure defaults are used. */
  path: string | null;
  /** How it was found. */
  via: "--config" | "OPENCLAW_CONFIG" | "./openclaw.json" | "defaults";
  /** Folder relative paths resolve against. */
  baseDir: string;
  /** The admin-pinned system config applied (runtime/config/system.ts), or null/absent when none. */
  system?: string | null;
  /** Where each effective value came from (dotted key -> default/system/user/env), for `config show`. */
  provenance?: Record<string, "default" | "system" | "user" | "env">;
}

export interface LoadedConfig {
  config: OpenClawConfig;
  source: ConfigSource;
  /** The file's parsed JSON as written (before defaults). */
  raw: unknown;
}
