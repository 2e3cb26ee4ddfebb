import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../runtime/config/index.js";
import { Runtime } from "../../runtime/runtime.js";
import { ROOT, tmp } from "../helpers/index.js";

export const FIXTURE_SKILLS = join(ROOT, "tests", "fixtures", "skills");

/**
 * A runtime on a throw-away config: its own workspace, state dir and audit log, the
 * fixture skills, bundled skills off. `exec` is merged into tools.exec.
 */
export function makeRuntime(t: { after(fn: () => void | Promise<void>): void }, opts: { exec?: Record<string, unknown>; audit?: Record<string, unknown>; env?: NodeJS.ProcessEnv; skillsDirs?: string[]; host?: "cli" | "kernel" | "gateway" } = {}) {
  const dir = tmp(t as { after(fn: () => void): void });
  const ws = join(dir, "workspace");
  mkdirSync(ws, { recursive: true });
  const cfg = {
    agentDefaults: { workspace: "./workspace", model: "openai/gpt-4o-mini" },
    tools: { exec: { sandbox: "off", ...(opts.exec ?? {}) } },
    skills: { bundled: false, dirs: opts.skillsDirs ?? [FIXTURE_SKILLS] },
    stateDir: "./state",
    ...(opts.audit ? { audit: opts.audit } : {}),
  };
  const configPath = join(dir, "openclaw.json");
  writeFileSync(configPath, JSON.stringify(cfg, null, 2));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: "C.UTF-8", ...(opts.env ?? {}) };
  const rt = new Runtime(loadConfig({ configPath, env }), { host: opts.host ?? "cli", env });
  t.after(() => rt.close());
  return { rt, dir, ws, configPath, stateDir: join(dir, "state") };
}
