import { looksLikeSecret } from "../config/index.js";
import { PolicyError } from "../errors.js";

/** What every child may inherit from the host: enough to find programs and speak a locale. */
export const BASE_ENV = ["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TERM"] as const;

/** Variables that change what a program loads or runs before its main: code injection. */
const INJECTING = /^(LD_|DYLD_)|^(NODE_OPTIONS|BASH_ENV|ENV|PYTHONSTARTUP|PERL5OPT|RUBYOPT|PROMPT_COMMAND)$/;
/** Names that hold secrets: API keys, tokens (the gateway's too), passwords. */
const SECRETISH = /KEY|TOKEN|SECRET|PASSW|CREDENTIAL|COOKIE|SESSION_ID/i;

/** Why a variable name may never reach a child, or null when it may. */
export function refusedEnvName(name: string): string | null {
  if (INJECTING.test(name)) return `${name} changes what a program loads before it runs (code injection)`;
  if (SECRETISH.test(name)) return `${name} looks like it holds a secret; children never get secrets`;
  return null;
}

/**
 * The child's whole environment: the base allow-list and tools.exec.env copied from the
 * host (refused names skipped; doctor flags them in the config), plus the request's own
 * variables, where a refused name or a secret-looking value fails the run closed.
 */
export function childEnv(host: NodeJS.ProcessEnv, configNames: readonly string[], requested: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...BASE_ENV, ...configNames]) {
    const v = host[name];
    if (v !== undefined && !refusedEnvName(name)) env[name] = v;
  }
  for (const [name, value] of Object.entries(requested)) {
    const why = refusedEnvName(name) ?? (looksLikeSecret(value) ? `the value of ${name} looks like ${looksLikeSecret(value)}` : null);
    if (why) throw new PolicyError(`refused to pass ${name} to the child: ${why}`, { rule: "exec.env", fix: `remove ${name} from the skill's requires.env; a skill that needs a secret must not run under openclaw-kernel's exec` });
    if (value.includes("\0")) throw new PolicyError(`refused to pass ${name}: the value contains a NUL byte`, { rule: "exec.env" });
    env[name] = value;
  }
  return env;
}
