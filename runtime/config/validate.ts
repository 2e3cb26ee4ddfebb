import { realpathSync } from "node:fs";
import { basename, dirname, join, relative, isAbsolute } from "node:path";
import { codeCacheDir } from "../cache-dir.js";
import { readSchema } from "../paths.js";
import { didYouMean } from "./didyoumean.js";
import { pointerSegments } from "./jsonlines.js";
import { validator, type ErrorObject } from "./schema.js";
import { isSecretKeyName, looksLikeSecret } from "./secrets.js";

/** One thing wrong with a config, at a JSON pointer. */
export interface ConfigIssue {
  pointer: string;
  message: string;
  /** "safety" issues make the whole load a SafetyError (exit 78). */
  kind: "error" | "safety";
}

const SCHEMA = "openclaw.schema.json";

type Schema = Record<string, any>;

/** The sub-schema at a data pointer, following properties/additionalProperties/items/$ref. */
function schemaAt(root: Schema, pointer: string): Schema | undefined {
  let s: Schema | undefined = root;
  for (const seg of pointerSegments(pointer)) {
    s = deref(root, s);
    if (!s) return undefined;
    if (typeof seg === "number") s = s.items;
    else s = s.properties?.[seg] ?? (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
  }
  return deref(root, s);
}

function deref(root: Schema, s: Schema | undefined): Schema | undefined {
  if (s && typeof s.$ref === "string" && s.$ref.startsWith("#/")) {
    let t: any = root;
    for (const p of s.$ref.slice(2).split("/")) t = t?.[p];
    return t;
  }
  return s;
}

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}

function valueAt(data: unknown, pointer: string): unknown {
  let v: any = data;
  for (const seg of pointerSegments(pointer)) v = v?.[seg as any];
  return v;
}

/** Turns one ajv error into the sentence a person can act on. */
function explain(root: Schema, data: unknown, e: ErrorObject): ConfigIssue | undefined {
  const at = e.instancePath;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const pointer = `${at}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      const allowed = Object.keys(schemaAt(root, at)?.properties ?? {});
      if (isSecretKeyName(key)) {
        return {
          pointer,
          kind: "error",
          message: `unknown key; secrets never live in openclaw.json: put the value in an environment variable (OPENAI_API_KEY for OpenAI, named by models.providers.openai.apiKeyEnv; OPENCLAW_GATEWAY_TOKEN for the gateway)`,
        };
      }
      const guess = didYouMean(key, allowed);
      const tail = guess ? `did you mean "${guess}"?` : allowed.length ? `allowed keys: ${allowed.join(", ")}` : "no keys are allowed here";
      return { pointer, kind: "error", message: `unknown key; ${tail}` };
    }
    case "type":
      return { pointer: at || "/", kind: "error", message: `must be ${(e.params as { type: string }).type}, got ${describeType(valueAt(data, at))}` };
    case "enum":
      return {
        pointer: at,
        kind: "error",
        message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}, got ${JSON.stringify(valueAt(data, at))}`,
      };
    case "pattern": {
      const s = schemaAt(root, at);
      const hint = s?.description ? ` (${s.description})` : "";
      return { pointer: at, kind: "error", message: `${JSON.stringify(valueAt(data, at))} is not valid${hint}` };
    }
    case "minimum":
    case "maximum":
    case "minLength":
    case "maxLength":
    case "uniqueItems":
    case "format":
    case "required":
    case "const":
      return { pointer: at || "/", kind: "error", message: e.message ?? e.keyword };
    case "oneOf":
    case "if":
      return undefined; // the branch errors say it better; see authIssue
    default:
      return { pointer: at || "/", kind: "error", message: e.message ?? e.keyword };
  }
}

/** gateway.auth is a oneOf; ajv reports every branch. Say it once, plainly. */
function authIssue(data: any): ConfigIssue | undefined {
  const auth = data?.gateway?.auth;
  if (auth === undefined) return undefined;
  if (typeof auth === "string" && ["none", "token", "mtls"].includes(auth)) return undefined;
  if (auth && typeof auth === "object" && !Array.isArray(auth)) {
    if (auth.mode === "token") {
      const extra = Object.keys(auth).filter((k) => k !== "mode" && k !== "tokenEnv");
      if (extra.length) return { pointer: `/gateway/auth/${extra[0]}`, kind: "error", message: extra.some(isSecretKeyName) || extra.some((k) => typeof auth[k] === "string" && looksLikeSecret(auth[k])) ? `unknown key; the token never lives in openclaw.json: set it in the environment variable named by tokenEnv (default OPENCLAW_GATEWAY_TOKEN)` : `unknown key${didYouMean(extra[0]!, ["tokenEnv"]) ? '; did you mean "tokenEnv"?' : '; allowed keys: mode, tokenEnv'}` };
      if (auth.tokenEnv !== undefined && (typeof auth.tokenEnv !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(auth.tokenEnv))) return { pointer: "/gateway/auth/tokenEnv", kind: "error", message: "must be an environment variable name like OPENCLAW_GATEWAY_TOKEN" };
      return undefined;
    }
    if (auth.mode === "mtls") {
      const missing = ["cert", "key", "ca"].filter((k) => typeof auth[k] !== "string" || !auth[k]);
      if (missing.length) return { pointer: "/gateway/auth", kind: "error", message: `mtls needs file paths for ${missing.join(", ")} (PEM files: server cert, server key, client CA)` };
      const extra = Object.keys(auth).filter((k) => !["mode", "cert", "key", "ca"].includes(k));
      if (extra.length) return { pointer: `/gateway/auth/${extra[0]}`, kind: "error", message: `unknown key; allowed keys: mode, cert, key, ca` };
      return undefined;
    }
  }
  return {
    pointer: "/gateway/auth",
    kind: "error",
    message: `must be "none", "token", "mtls", {"mode":"token","tokenEnv":"ENV_NAME"} or {"mode":"mtls","cert":…,"key":…,"ca":…}, got ${describeType(auth)}`,
  };
}

/** Every string in the document that looks like a secret. */
function secretIssues(data: unknown, pointer = ""): ConfigIssue[] {
  if (typeof data === "string") {
    // sha256 pins of model files are content hashes (the schema allows only 64 hex digits), not secrets.
    if (pointer.startsWith("/models/providers/llamacpp/sha256/") && /^[0-9a-f]{64}$/.test(data)) return [];
    const what = looksLikeSecret(data);
    return what
      ? [{ pointer: pointer || "/", kind: "error", message: `looks like ${what}; secrets never live in openclaw.json: remove it and set the environment variable instead (OPENAI_API_KEY, or the variable models.providers.openai.apiKeyEnv names; OPENCLAW_GATEWAY_TOKEN for the gateway)` }]
      : [];
  }
  if (Array.isArray(data)) return data.flatMap((v, i) => secretIssues(v, `${pointer}/${i}`));
  if (data && typeof data === "object") {
    return Object.entries(data).flatMap(([k, v]) => secretIssues(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`));
  }
  return [];
}

const LOOPBACK_V4 = /^127(\.\d{1,3}){3}$/;

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || LOOPBACK_V4.test(h);
}

/** Splits "host:port" / "[::1]:port". */
export function parseBind(bind: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(bind);
  if (!m) throw new Error(`bad bind ${bind}`);
  return { host: (m[1] ?? m[2])!, port: Number(m[3]) };
}

function semanticIssues(data: any): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const bind = data?.gateway?.bind;
  if (typeof bind === "string") {
    let parsed: { host: string; port: number } | undefined;
    try {
      parsed = parseBind(bind);
    } catch {
      parsed = undefined; // the pattern error already says it
    }
    if (parsed) {
      if (parsed.port > 65535) out.push({ pointer: "/gateway/bind", kind: "error", message: `port ${parsed.port} is out of range (0-65535)` });
      const auth = data.gateway.auth ?? "none";
      const mode = typeof auth === "string" ? auth : auth?.mode;
      if (!isLoopbackHost(parsed.host) && (mode === "none" || mode === undefined)) {
        out.push({
          pointer: "/gateway/bind",
          kind: "safety",
          message: `${bind} is not a loopback address and gateway.auth is "none": anyone who can reach this host could drive the agent. Use "auth": "token" or "mtls", or bind 127.0.0.1`,
        });
      }
    }
  }
  const baseURL: unknown = data?.models?.providers?.openai?.baseURL;
  if (typeof baseURL === "string" && /^[a-z]+:\/\/[^/]*@/i.test(baseURL)) {
    out.push({ pointer: "/models/providers/openai/baseURL", kind: "error", message: "holds credentials (user:password@); secrets never live in openclaw.json: drop them from the URL and put the key in OPENAI_API_KEY (or the variable apiKeyEnv names)" });
  }
  const allowed: unknown = data?.tools?.exec?.applyPatch?.allowedModels;
  if (Array.isArray(allowed)) {
    allowed.forEach((ref, i) => {
      if (typeof ref === "string" && isFloatingRef(ref)) {
        out.push({ pointer: `/tools/exec/applyPatch/allowedModels/${i}`, kind: "error", message: `"${ref}" is a floating alias; allow-list exact pinned refs such as openai/gpt-4o-mini` });
      }
    });
  }
  return out;
}

/** `latest`, `auto` and `*-latest` refs move under you; pinning refuses them. */
export function isFloatingRef(ref: string): boolean {
  const model = ref.includes("/") ? ref.slice(ref.indexOf("/") + 1) : ref;
  return /^(latest|auto|default)$/i.test(model) || /-latest$/i.test(model) || /:latest$/i.test(model);
}

/**
 * Every problem with a raw config document, in document order. `filled` receives the
 * document with schema defaults applied when it is valid.
 */
export function validateRaw(data: unknown): { issues: ConfigIssue[]; filled?: any } {
  // (the schema itself is read only to explain an error)
  let root: Schema | undefined;
  const copy = structuredClone(data);
  const v = validator(SCHEMA, { withDefaults: true });
  const ok = v(copy);
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const e of v.errors ?? []) {
    if (e.instancePath.startsWith("/gateway/auth")) continue; // authIssue below
    const issue = explain((root ??= readSchema(SCHEMA) as Schema), data, e);
    if (!issue) continue;
    const key = `${issue.pointer}\0${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  const a = authIssue(data);
  if (a) issues.push(a);
  // Secret-looking values are refused even where the schema would accept a string.
  for (const s of secretIssues(data)) if (!issues.some((i) => i.pointer === s.pointer)) issues.push(s);
  issues.push(...semanticIssues(data));
  return { issues, filled: ok && issues.length === 0 ? copy : undefined };
}

/** The real path of p, resolving symlinks in the longest part that exists (the rest does not exist yet). */
export function realPathOf(p: string): string {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return join(realpathSync(cur), ...rest.reverse());
    } catch {
      const up = dirname(cur);
      if (up === cur) return p;
      rest.push(basename(cur));
      cur = up;
    }
  }
}

function within(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * Layouts where skills could write the audit log, its head or its key: the state dir or
 * audit.path inside the workspace (skills may write anywhere in it). Compared by real path,
 * so a symlink into (or out of) the workspace counts for where it leads.
 */
export function layoutIssues(c: { agentDefaults: { workspace: string }; stateDir: string; audit: { path: string } }, env: NodeJS.ProcessEnv = process.env): ConfigIssue[] {
  const ws = realPathOf(c.agentDefaults.workspace);
  const out: ConfigIssue[] = [];
  // The package cache holds code the kernel runs outside any sandbox (the compiler snapshot, V8's
  // code cache) and the model it loads: a skill that could write it could run code on the host.
  const cache = codeCacheDir(env);
  if (cache && (within(ws, realPathOf(cache)) || within(ws, realPathOf(dirname(cache))))) {
    out.push({ pointer: "/agentDefaults/workspace", kind: "error", message: `the workspace ${ws} contains the package cache ${cache}, which holds code the kernel runs outside the sandbox: a skill (which may write anywhere in the workspace) could plant code there. Choose a workspace folder that does not contain it (e.g. a project folder instead of your home), or set OPENCLAW_TS_CODE_CACHE to an absolute folder outside the workspace (0 turns the cache off)` });
  }
  const state = realPathOf(c.stateDir);
  if (within(ws, state) || within(ws, realPathOf(dirname(c.stateDir)))) {
    out.push({ pointer: "/stateDir", kind: "error", message: `the state dir ${c.stateDir}${state !== c.stateDir ? ` (really ${state})` : ""} is inside the workspace ${ws}: skills write there, so they could rewrite the audit log, its key and the gateway token. Set stateDir (or $OPENCLAW_STATE_DIR) to a folder outside the workspace, e.g. ~/.openclaw-kernel` });
  }
  const log = realPathOf(c.audit.path);
  if (within(ws, log) || within(ws, realPathOf(dirname(c.audit.path)))) {
    out.push({ pointer: "/audit/path", kind: "error", message: `the audit log ${c.audit.path}${log !== c.audit.path ? ` (really ${log})` : ""} is inside the workspace ${ws}: skills write there, so they could rewrite or delete it. Remove audit.path (the default is <stateDir>/audit/audit.jsonl) or point it outside the workspace` });
  }
  return out;
}
