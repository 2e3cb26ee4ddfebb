import type { Runtime } from "../../runtime/runtime.js";
import type { CommandContext } from "../types.js";

/**
 * A CommandContext for a front door. The runtime is built once per config path, on
 * first use, from a config that must validate (ConfigError/SafetyError otherwise).
 */
export function makeContext(base: Omit<CommandContext, "runtime"> & { sessionId?: string; secrets?: Map<string, string> }): CommandContext & { closeAll(): Promise<void> } {
  const runtimes = new Map<string, Promise<Runtime>>();
  const ctx = {
    ...base,
    runtime(this: CommandContext): Promise<Runtime> {
      const key = this.configPath ?? "";
      let r = runtimes.get(key);
      if (!r) {
        r = (async () => {
          // Loaded on first use: a command that needs no runtime (help, config validate) loads neither.
          const [{ checkConfig, throwIfIssues }, { Runtime }] = await Promise.all([import("../../runtime/config/index.js"), import("../../runtime/runtime.js")]);
          const checked = checkConfig({ configPath: this.configPath, env: this.env, cwd: this.cwd });
          throwIfIssues(checked);
          return new Runtime({ config: checked.config!, source: checked.source, raw: checked.raw }, { host: base.host, env: base.env, sessionId: base.sessionId, secrets: base.secrets });
        })();
        runtimes.set(key, r);
        r.catch(() => runtimes.delete(key));
      }
      return r;
    },
    async closeAll(): Promise<void> {
      for (const r of runtimes.values()) await (await r.catch(() => undefined))?.close();
      runtimes.clear();
    },
  };
  return ctx;
}
