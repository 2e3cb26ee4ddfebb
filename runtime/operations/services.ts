/**
 * OpServices for a front door, from the way it gets its runtime. Every service is built
 * on first use, so an operation that needs none never builds the runtime (or pays for
 * llama.cpp, embeddings or the gateway).
 */
import { checkConfig } from "../config/index.js";
import type { Runtime } from "../runtime.js";
import type { OpServices, Reach } from "./types.js";

export interface ServiceBase {
  host: Reach;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** --config given to this front door, if any. */
  configPath?: string;
}

export function makeServices(base: ServiceBase, runtime: () => Promise<Runtime>): OpServices {
  return {
    host: base.host,
    env: base.env,
    cwd: base.cwd,
    async config() {
      const rt = await runtime();
      return { config: rt.config, source: rt.source };
    },
    checkConfig: () => checkConfig({ configPath: base.configPath, env: base.env, cwd: base.cwd }),
    skills: async () => (await runtime()).skills(),
    rag: async () => (await runtime()).rag(),
    models: async () => (await runtime()).models(),
    agent: async () => (await runtime()).agent(),
    gateway: async () => (await runtime()).gateway(),
    async gatewayIfBuilt() {
      const rt = await runtime();
      return rt.has("gateway") ? rt.gateway() : undefined;
    },
    async doctor() {
      const { runDoctor } = await import("../doctor/index.js");
      // The CLI checks the file itself (an invalid config is a failed check, not an
      // error); a kernel or gateway checks the runtime it runs.
      const rt = base.host === "cli" ? undefined : await runtime().catch(() => undefined);
      return runDoctor({ configPath: base.configPath, env: base.env, cwd: base.cwd, host: base.host, runtime: rt });
    },
    async secretNames() {
      const rt = await runtime().catch(() => undefined);
      return rt ? { entered: [...rt.secrets.keys()], apiKeyEnv: rt.config.models.providers.openai.apiKeyEnv } : undefined;
    },
    async onEvent(listener) {
      return (await runtime()).on(listener);
    },
  };
}
