/**
 * The validated, defaults-filled configuration. Mirrors schemas/openclaw.schema.json;
 * paths here are already absolute (resolved against the config file's folder).
 */
export type GatewayAuth =
  | { mode: "none" }
  | { mode: "token"; tokenEnv: string }
  | { mode: "mtls"; cert: string; key: string; ca: string };

export interface GatewayConfig {
  mode: "local";
  /** As written: "127.0.0.1:18789", "[::1]:18789". */
  bind: string;
  /** Parsed from bind. host has no brackets. */
  host: string;
  port: number;
  /** Normalized from the string or object form. */
  auth: GatewayAuth;
  control: { ui: boolean; deviceAuth: boolean };
  maxFrameBytes: number;
  authFailuresPerMinute: number;
}

export interface ExecConfig {
  backgroundMs: number;
  timeoutSec: number;
  cleanupMs: number;
  notifyOnExit: boolean;
  notifyOnExitEmptySuccess: boolean;
  applyPatch: { enabled: boolean; allowedModels: string[] };
  sandbox: "auto" | "required" | "off";
  maxOutputBytes: number;
  /** Bytes of each stream's log kept on disk (the newest; older output is dropped). */
  maxLogBytes: number;
  env: string[];
}

export interface OpenClawConfig {
  gateway: GatewayConfig;
  agentDefaults: {
    workspace: string;
    model: string;
    maxSteps: number;
    turnTimeoutSec: number;
    systemPrompt?: string;
  };
  tools: { exec: ExecConfig };
  models: {
    refs: string[];
    providers: {
      openai: { baseURL?: string; apiKeyEnv: string; timeoutMs: number; maxRetries: number };
      llamacpp: { modelsDir: string; threads?: number; contextSize: number; sha256: Record<string, string> };
      scripted: { scriptsDir: string };
    };
  };
  skills: { dirs: string[]; bundled: boolean };
  rag: {
    embedding: { provider: "use-lite" | "transformers"; model?: string; modelDir?: string };
    mode: "hybrid" | "dense" | "lexical";
    topk: number;
    chunkChars: number;
    overlapChars: number;
  };
  audit: { path: string; fsync: boolean };
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
}

export interface LoadedConfig {
  config: OpenClawConfig;
  source: ConfigSource;
  /** The file's parsed JSON as written (before defaults). */
  raw: unknown;
}
