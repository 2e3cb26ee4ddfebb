import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { verifyFile } from "../../audit/verify.js";
import { fail, ok, warn, type Check, type CheckProvider } from "../types.js";

/** The audit chain is intact and only its owner can read or write it. */
export const checks: CheckProvider = async ({ checked }) => {
  const c = checked.config;
  if (!c) return [];
  const path = c.audit.path;
  const out: Check[] = [];
  const v = verifyFile(path);
  if (!v.ok) out.push(fail("audit.chain", `${path}: ${v.message}`, `the log was changed after it was written: keep a copy for investigation, then move it aside (\`mv ${path} ${path}.tampered\`) so a new chain starts`));
  else if (v.tornLastLine) out.push(warn("audit.chain", `${path}: ${v.message}`, "a crash cut the last write short; the next append moves the fragment to audit.jsonl.torn"));
  else out.push(ok("audit.chain", `${path}: ${v.message}`));
  if (!c.audit.fsync) out.push(warn("audit.fsync", "audit.fsync is false: records may be lost in a crash", "set audit.fsync to true"));
  const dir = dirname(path);
  if (existsSync(dir)) {
    const m = statSync(dir).mode & 0o777;
    if (m & 0o077) out.push(warn("audit.permissions", `${dir} is mode ${m.toString(8)}: others can list the audit folder`, `chmod 700 ${dir}`));
  }
  if (existsSync(path)) {
    const m = statSync(path).mode & 0o777;
    if (m & 0o077) out.push(fail("audit.permissions", `${path} is mode ${m.toString(8)}: others can read or change the audit log`, `chmod 600 ${path}`));
    else out.push(ok("audit.permissions", `${path} mode ${m.toString(8)}`));
  }
  return out;
};
