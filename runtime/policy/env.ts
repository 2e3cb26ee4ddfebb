/**
 * Which environment variables may reach a skill's child, as pure decisions: names that
 * inject code or hold secrets, the runtime's own variables, and what a skill's
 * requires.env / requires.secrets hand over. runtime/exec builds the child's environment
 * from these; the governor asks before a run (approval names declared secrets, the audit
 * record keeps their names, never their values).
 */
import { looksLikeSecret } from "../config/secrets.js";

/** Variables that change what a program loads or runs before its main: code injection. */
export const INJECTING = /^(LD_|DYLD_)|^(NODE_OPTIONS|BASH_ENV|ENV|PYTHONSTARTUP|PERL5OPT|RUBYOPT|PROMPT_COMMAND)$/;
/** Names that hold secrets: API keys, tokens (the gateway's too), passwords, connection strings with credentials. */
export const SECRETISH = /KEY|TOKEN|SECRET|PASSW|_PWD$|CREDENTIAL|COOKIE|SESSION_ID|AUTH($|_)|(^|_)PAT$|(^|_)(DATABASE|DB|MONGO|MONGODB|REDIS|POSTGRES|PG|MYSQL|AMQP|BROKER)_?(URL|URI|DSN)$|(^|_)DSN$|^PGPASS/i;
/** The runtime's own variables (the gateway token among them): never handed to a skill as a secret. */
export const OWN = /^OPENCLAW_/;

/** Does the variable name look like it holds a secret? */
export function secretEnvName(name: string): boolean {
  return SECRETISH.test(name);
}

/** Why a variable name may never reach a child, or null when it may. */
export function refusedEnvName(name: string): string | null {
  if (INJECTING.test(name)) return `${name} changes what a program loads before it runs (code injection)`;
  if (SECRETISH.test(name)) return `${name} looks like it holds a secret; children never get secrets`;
  return null;
}

export interface SkillEnvPlan {
  /** Variables to pass to the child (values from the host). */
  env: Record<string, string>;
  /** Names of the declared secrets among them (for the approval prompt and the audit record; never values). */
  secrets: string[];
  /** Why the skill cannot run, or null. */
  blocked: string | null;
}

/**
 * What a skill's requires.env / requires.secrets hand to its child. A name or a value that
 * looks like a secret (GH_PAT, MYSQL_PWD, DATABASE_URL, postgres://u:pw@…, a long random
 * token) blocks the skill unless it is declared in requires.secrets; declared secrets are
 * passed, and the caller must ask for approval naming them and audit their names.
 */
export function requiredEnv(requires: { env?: string[]; secrets?: string[] } | undefined, host: NodeJS.ProcessEnv): SkillEnvPlan {
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  const declared = new Set(requires?.secrets ?? []);
  const fix = (n: string) => `move ${n} from requires.env to requires.secrets in SKILL.md (each run then needs approval, and the approval and audit record name it), or drop it`;
  for (const name of requires?.env ?? []) {
    if (declared.has(name)) continue;
    if (INJECTING.test(name)) return { env, secrets, blocked: `requires.env ${refusedEnvName(name)}` };
    if (SECRETISH.test(name)) return { env, secrets, blocked: `requires.env ${name} looks like it holds a secret: ${fix(name)}` };
    const v = host[name];
    if (v === undefined) return { env, secrets, blocked: `needs the environment variable ${name}` };
    const what = looksLikeSecret(v);
    if (what) return { env, secrets, blocked: `requires.env ${name}: its value looks like ${what}: ${fix(name)}` };
    env[name] = v;
  }
  for (const name of declared) {
    if (INJECTING.test(name)) return { env, secrets, blocked: `requires.secrets ${refusedEnvName(name)}` };
    if (OWN.test(name)) return { env, secrets, blocked: `requires.secrets ${name}: the runtime's own variables (its gateway token among them) are never handed to a skill` };
    const v = host[name];
    if (v === undefined) return { env, secrets, blocked: `needs the environment variable ${name} (a secret)` };
    env[name] = v;
    secrets.push(name);
  }
  return { env, secrets, blocked: null };
}
