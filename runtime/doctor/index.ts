import { checkConfig, type FindOptions } from "../config/index.js";
import { Runtime, type HostKind } from "../runtime.js";
import { checks as base } from "./checks/base.js";
import { checks as gateway } from "./checks/gateway.js";
import { checks as exec } from "./checks/exec.js";
import { checks as audit } from "./checks/audit.js";
import { checks as skills } from "./checks/skills.js";
import { checks as models } from "./checks/models.js";
import { checks as rag } from "./checks/rag.js";
import { checks as shared } from "./checks/shared.js";
import { fail, type Check, type CheckProvider, type DoctorContext } from "./types.js";

export * from "./types.js";

const PROVIDERS: Array<[string, CheckProvider]> = [["base", base], ["gateway", gateway], ["exec", exec], ["audit", audit], ["skills", skills], ["models", models], ["rag", rag], ["shared", shared]];

export interface DoctorReport {
  checks: Check[];
  summary: { ok: number; warn: number; fail: number; total: number; config: string | null };
}

/**
 * Health checks over the whole runtime. Never throws: an invalid config is itself a
 * failed check, and a crashing check becomes a failed check naming the crash.
 */
export async function runDoctor(find: FindOptions & { host?: HostKind; runtime?: Runtime }): Promise<DoctorReport> {
  const env = find.env ?? process.env;
  let checked;
  try {
    checked = find.runtime ? { source: find.runtime.source, raw: undefined, issues: [], config: find.runtime.config } : checkConfig(find);
  } catch (e) {
    const c = fail("config.valid", (e as Error).message, "fix the path, or unset $OPENCLAW_CONFIG");
    return { checks: [c], summary: { ok: 0, warn: 0, fail: 1, total: 1, config: null } };
  }
  const runtime = find.runtime ?? (checked.config ? new Runtime({ config: checked.config, source: checked.source, raw: checked.raw }, { host: find.host ?? "cli", env }) : undefined);
  const ctx: DoctorContext = { checked, env, runtime };
  const all: Check[] = [];
  try {
    // The providers run side by side (each mostly waits: a probe process, a port, a
    // file); their checks are reported in the fixed provider order.
    const results = await Promise.all(
      PROVIDERS.map(async ([name, p]) => {
        try {
          return await p(ctx);
        } catch (e) {
          return [fail(`${name}.crashed`, `the ${name} checks crashed: ${(e as Error).message}`, "report this as a bug with the output of `doctor --json`")];
        }
      }),
    );
    for (const r of results) all.push(...r);
  } finally {
    if (!find.runtime) await runtime?.close();
  }
  const count = (s: string) => all.filter((c) => c.status === s).length;
  return { checks: all, summary: { ok: count("ok"), warn: count("warn"), fail: count("fail"), total: all.length, config: checked.source.path } };
}
