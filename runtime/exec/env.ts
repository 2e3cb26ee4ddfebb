import { looksLikeSecret } from "../config/index.js";
import { PolicyError } from "../errors.js";
import { INJECTING, OWN, refusedEnvName } from "../policy/env.js";

export { refusedEnvName, secretEnvName } from "../policy/env.js";

/** What every child may inherit from the host: enough to find programs and speak a locale. */
export const BASE_ENV = ["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TERM"] as const;

/**
 * The child's whole environment: the base allow-list and tools.exec.env copied from the
 * host (refused names skipped; doctor flags them in the config), plus the request's own
 * variables, where a refused name or a secret-looking value fails the run closed.
 */
export function childEnv(host: NodeJS.ProcessEnv, configNames: readonly string[], requested: Record<string, string> = {}, secretNames: readonly string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...BASE_ENV, ...configNames]) {
    const v = host[name];
    if (v !== undefined && !refusedEnvName(name)) env[name] = v;
  }
  for (const [name, value] of Object.entries(requested)) {
    // A declared secret (requires.secrets, approved by a person, named in the audit record)
    // passes the secret checks; nothing passes the code-injection one.
    const declared = secretNames.includes(name) && !OWN.test(name);
    const why = INJECTING.test(name) ? refusedEnvName(name) : declared ? null : (refusedEnvName(name) ?? (looksLikeSecret(value) ? `the value of ${name} looks like ${looksLikeSecret(value)}` : null));
    if (why) throw new PolicyError(`refused to pass ${name} to the child: ${why}`, { rule: "exec.env", fix: `remove ${name} from the skill's requires.env; a skill that needs a secret must not run under openclaw-kernel's exec` });
    if (value.includes("\0")) throw new PolicyError(`refused to pass ${name}: the value contains a NUL byte`, { rule: "exec.env" });
    env[name] = value;
  }
  return env;
}

