import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { verifyFile } from "../../audit/verify.js";
import { fail, ok, warn, type Check, type CheckProvider } from "../types.js";

/**
 * The audit chain is intact, keyed and only its owner can read or write it. The walk is
 * streamed (the event loop keeps turning: doctor runs inside the kernel) and starts after
 * the last keyed checkpoint, so only records added since are checked.
 */
export const checks: CheckProvider = async ({ checked }) => {
  const c = checked.config;
  if (!c) {
    // The config is refused; say so here too when the reason is where the audit log lives.
    const layout = checked.issues.filter((i) => i.pointer === "/audit/path" || (i.pointer === "/stateDir" && /inside the workspace/.test(i.message)));
    return layout.map((i) => fail("audit.layout", i.message, i.pointer === "/audit/path" ? "remove audit.path (default <stateDir>/audit/audit.jsonl) or point it outside agentDefaults.workspace" : "set stateDir or $OPENCLAW_STATE_DIR to a folder outside agentDefaults.workspace"));
  }
  const path = c.audit.path;
  const out: Check[] = [];
  const v = await verifyFile(path, { keyPath: c.audit.keyPath, checkpoint: true });
  if (!v.ok) {
    const keyLost = /audit key .* is missing|audit key .* is mode|audit key .* is damaged/.test(v.message);
    out.push(fail("audit.chain", `${path}: ${v.message}`, keyLost ? `restore ${c.audit.keyPath} (chmod 600) from a backup; without it the chain cannot be checked` : `the log was changed after it was written: keep a copy for investigation, then move it aside (\`mv ${path} ${path}.tampered\`, with its .head and rotated files) so a new chain starts`));
  } else if (v.tornLastLine) out.push(warn("audit.chain", `${path}: ${v.message}`, "a crash cut the last write short; the next append moves the fragment to audit.jsonl.torn"));
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
  if (existsSync(c.audit.keyPath)) {
    const m = statSync(c.audit.keyPath).mode & 0o777;
    if (m & 0o077) out.push(fail("audit.key", `${c.audit.keyPath} is mode ${m.toString(8)}: others could read the audit key and forge records`, `chmod 600 ${c.audit.keyPath}`));
    else out.push(ok("audit.key", `${c.audit.keyPath} mode ${m.toString(8)}`));
  }
  return out;
};
