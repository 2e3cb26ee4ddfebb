/**
 * The admin-pinned system layer: /etc/openclaw-kernel/openclaw.json (or the file
 * $OPENCLAW_SYSTEM_CONFIG names). On a shared host (a JupyterHub classroom) the admin
 * pins keys there; a user's openclaw.json may leave a pinned key out (the pinned value
 * applies) or set it tighter, never looser. "Tighter" is defined per key in PIN_RULES,
 * the one table of pinnable keys; a key not in it cannot be pinned (the system file is
 * refused, so an admin never believes a key pinned that is not).
 */
import { existsSync, readFileSync } from "node:fs";
import { ConfigError } from "../errors.js";
import { parseJsonWithLines } from "./jsonlines.js";
import { isLoopbackHost, parseBind, validateRaw, type ConfigIssue } from "./validate.js";

export const DEFAULT_SYSTEM_CONFIG = "/etc/openclaw-kernel/openclaw.json";

/** Where a key's effective value came from, for `config show`. */
export type Provenance = "default" | "system" | "user" | "env";

export interface PinRule {
  /** Dotted key path in openclaw.json. */
  key: string;
  /** The rule in words, for errors and the README. */
  rule: string;
  /** Is `user` as tight as `pinned`, or tighter? */
  ok(user: unknown, pinned: unknown): boolean;
}

const atMost: PinRule["ok"] = (u, p) => typeof u === "number" && typeof p === "number" && u <= p;
const offStaysOff: PinRule["ok"] = (u, p) => p !== false || u === false;
const onStaysOn: PinRule["ok"] = (u, p) => p !== true || u === true;
const subset: PinRule["ok"] = (u, p) => Array.isArray(u) && Array.isArray(p) && u.every((x) => p.includes(x));
const rank =
  (order: string[], get: (v: unknown) => unknown = (v) => v): PinRule["ok"] =>
  (u, p) => {
    const iu = order.indexOf(String(get(u)));
    const ip = order.indexOf(String(get(p)));
    return iu >= 0 && ip >= 0 && iu >= ip;
  };
const authMode = (a: unknown) => (typeof a === "string" ? a : (a as { mode?: string } | null)?.mode);
const loopbackStays: PinRule["ok"] = (u, p) => {
  try {
    return !isLoopbackHost(parseBind(String(p)).host) || isLoopbackHost(parseBind(String(u)).host);
  } catch {
    return false;
  }
};
const same: PinRule["ok"] = (u, p) => JSON.stringify(u) === JSON.stringify(p);

/** Every pinnable key and what "tighter" means for it. */
export const PIN_RULES: readonly PinRule[] = [
  { key: "gateway.bind", rule: "a loopback bind stays loopback (the port may differ: each user has a gateway)", ok: loopbackStays },
  { key: "gateway.auth", rule: "mode only strengthens: none < token < mtls", ok: rank(["none", "token", "mtls"], authMode) },
  { key: "gateway.control.ui", rule: "false stays false", ok: offStaysOff },
  { key: "gateway.control.deviceAuth", rule: "true stays true", ok: onStaysOn },
  { key: "gateway.maxFrameBytes", rule: "only lower", ok: atMost },
  { key: "gateway.authFailuresPerMinute", rule: "only lower", ok: atMost },
  { key: "gateway.maxConnections", rule: "only lower", ok: atMost },
  { key: "agentDefaults.maxSteps", rule: "only lower", ok: atMost },
  { key: "agentDefaults.turnTimeoutSec", rule: "only shorter", ok: atMost },
  { key: "tools.exec.timeoutSec", rule: "only shorter", ok: atMost },
  { key: "tools.exec.maxOutputBytes", rule: "only lower", ok: atMost },
  { key: "tools.exec.maxLogBytes", rule: "only lower", ok: atMost },
  { key: "tools.exec.applyPatch.enabled", rule: "false stays false", ok: offStaysOff },
  { key: "tools.exec.applyPatch.allowedModels", rule: "only shrinks (a subset of the pinned list)", ok: subset },
  { key: "tools.exec.sandbox", rule: "only strengthens: off < auto < required", ok: rank(["off", "auto", "required"]) },
  { key: "tools.exec.env", rule: "only shrinks (a subset of the pinned list)", ok: subset },
  { key: "skills.bundled", rule: "false stays false", ok: offStaysOff },
  { key: "skills.dirs", rule: "only shrinks (a subset of the pinned list)", ok: subset },
  { key: "models.providers.openai.baseURL", rule: "fixed (the same value only)", ok: same },
  { key: "audit.fsync", rule: "true stays true", ok: onStaysOn },
];

const RULES = new Map(PIN_RULES.map((r) => [r.key, r]));

export interface SystemLayer {
  path: string;
  /** Pinned key -> value. */
  pins: Map<string, unknown>;
}

export function systemConfigPath(env: NodeJS.ProcessEnv): string {
  return env.OPENCLAW_SYSTEM_CONFIG || DEFAULT_SYSTEM_CONFIG;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The system layer, or undefined when there is none. A missing default file is no
 * layer; a missing file that $OPENCLAW_SYSTEM_CONFIG names, an unreadable or invalid
 * one, or one pinning a key PIN_RULES does not know, is a ConfigError (fail closed: a
 * user must not run with less than the admin meant).
 */
export function readSystemLayer(env: NodeJS.ProcessEnv): SystemLayer | undefined {
  const path = systemConfigPath(env);
  const fix = "the hub admin fixes it (keys and rules: README, \"Shared hosts\")";
  if (!existsSync(path)) {
    if (env.OPENCLAW_SYSTEM_CONFIG) throw new ConfigError(`system config not found: ${path} (from $OPENCLAW_SYSTEM_CONFIG)`, { code: "config_not_found", fix: "check $OPENCLAW_SYSTEM_CONFIG" });
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read the system config ${path}: ${(e as Error).message}`, { code: "config_unreadable", fix: "the system config must be readable by every user (mode 0644, owned by root)" });
  }
  const parsed = parseJsonWithLines(text);
  if (parsed.syntaxErrors.length) throw new ConfigError(`invalid system config ${path}`, { details: parsed.syntaxErrors.map((e) => `${path}:${e.line} JSON syntax error at column ${e.column}: ${e.message}`), fix });
  const { issues } = validateRaw(parsed.value);
  const bad: string[] = issues.map((i) => `${path}:${parsed.lineOf(i.pointer)} ${i.pointer}: ${i.message}`);
  const pins = new Map<string, unknown>();
  const walk = (v: unknown, at: string[]) => {
    const key = at.join(".");
    if (RULES.has(key)) pins.set(key, v);
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
    else if (key !== "$schema") bad.push(`${path}:${parsed.lineOf("/" + at.join("/"))} ${key}: cannot be pinned (pinnable: ${PIN_RULES.map((r) => r.key).join(", ")})`);
  };
  if (!isObject(parsed.value)) bad.push(`${path}:1: the system config must be a JSON object`);
  else walk(parsed.value, []);
  if (bad.length) throw new ConfigError(`invalid system config ${path}: ${bad.length} error${bad.length === 1 ? "" : "s"}`, { details: bad, fix });
  return { path, pins };
}

function getAt(o: unknown, key: string): unknown {
  let v = o;
  for (const k of key.split(".")) v = isObject(v) ? v[k] : undefined;
  return v;
}

function setAt(o: Record<string, unknown>, key: string, value: unknown): void {
  const ks = key.split(".");
  let v = o;
  for (const k of ks.slice(0, -1)) {
    if (!isObject(v[k])) v[k] = {};
    v = v[k] as Record<string, unknown>;
  }
  v[ks.at(-1)!] = structuredClone(value);
}

/** The first of key's parents ("gateway" of "gateway.bind") that `o` sets to something other than an object. */
function nonObjectParent(o: unknown, key: string): string | undefined {
  const ks = key.split(".");
  let v = o;
  for (let i = 0; i < ks.length - 1; i++) {
    v = (v as Record<string, unknown>)[ks[i]!];
    if (v === undefined) return undefined;
    if (!isObject(v)) return ks.slice(0, i + 1).join(".");
  }
  return undefined;
}

/**
 * The user's raw document with the pins applied: a pinned key the user left out takes
 * the pinned value; one set looser is an issue naming both files. A pin under a value the
 * user set to something other than an object (`"gateway": "x"`, `"tools": []`) is not
 * applied: the user's value stays, so validation reports the user's mistake in the user's
 * file instead of the pins silently replacing it. `userFile` names the user's file in messages.
 */
export function applySystemLayer(userRaw: unknown, layer: SystemLayer | undefined, userFile: string): { raw: unknown; issues: ConfigIssue[]; fromSystem: Set<string> } {
  const fromSystem = new Set<string>();
  if (!layer || !isObject(userRaw)) return { raw: userRaw, issues: [], fromSystem };
  const raw = structuredClone(userRaw);
  const issues: ConfigIssue[] = [];
  for (const [key, pinned] of layer.pins) {
    if (nonObjectParent(raw, key) !== undefined) continue;
    const u = getAt(raw, key);
    if (u === undefined) {
      setAt(raw, key, pinned);
      fromSystem.add(key);
    } else if (!RULES.get(key)!.ok(u, pinned)) {
      issues.push({
        pointer: "/" + key.split(".").join("/"),
        kind: "error",
        message: `${JSON.stringify(u)} loosens the admin's pin: ${layer.path} sets ${key} to ${JSON.stringify(pinned)} and ${userFile} may only tighten it (${RULES.get(key)!.rule}); remove the key from ${userFile} or tighten it`,
      });
    }
  }
  return { raw, issues, fromSystem };
}

/** Every leaf key of the schema ("gateway.bind", ...), for provenance. */
export function provenanceOf(schema: Record<string, any>, userRaw: unknown, fromSystem: Set<string>, env: NodeJS.ProcessEnv): Record<string, Provenance> {
  const out: Record<string, Provenance> = {};
  const walk = (s: Record<string, any>, at: string[]) => {
    if (s.type === "object" && s.properties && !RULES.has(at.join("."))) {
      for (const [k, v] of Object.entries(s.properties)) walk(v as Record<string, any>, [...at, k]);
      return;
    }
    const key = at.join(".");
    if (key === "$schema") return;
    out[key] = fromSystem.has(key) ? "system" : getAt(userRaw, key) !== undefined ? "user" : "default";
  };
  walk(schema, []);
  if (out.stateDir === "default" && env.OPENCLAW_STATE_DIR) out.stateDir = "env";
  return out;
}
