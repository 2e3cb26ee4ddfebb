// Doctor checks of a shared host (issue 16): is this a JupyterHub / multi-user machine,
// and what keeps other users out of this user's gateway, state dir and audit log; and
// the admin-pinned system config layer in force.
import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { readSystemLayer, systemConfigPath } from "../../config/system.js";
import { detectSharedHost } from "../../gateway/shared-host.js";
import { fail, ok, warn, type Check, type CheckProvider } from "../types.js";

export const checks: CheckProvider = async ({ checked, env }) => {
  const out: Check[] = [];
  const host = detectSharedHost({ env });
  const hub = Object.keys(env).some((k) => k.startsWith("JUPYTERHUB_"));
  const uid = process.getuid?.();
  const c = checked.config;
  const procNet = existsSync("/proc/net/tcp");
  const where = host.shared ? `shared host: ${host.reasons.join("; ")}` : "single-user host (no JupyterHub environment, no other user accounts or their processes)";
  if (!c) out.push(host.shared ? warn("host.shared", where, "fix the config first; then doctor reports the protection in force") : ok("host.shared", where));
  else if (c.gateway.auth.mode !== "none") out.push(ok("host.shared", `${where}; gateway protected by auth ${c.gateway.auth.mode}`));
  else if (procNet && uid !== undefined)
    out.push(ok("host.shared", `${where}; auth none: the gateway serves only processes of uid ${uid} (peer uid checked on every loopback connection), other users' connections are refused with 403 and logged`));
  else if (host.shared) out.push(fail("host.shared", `${where}; auth none, and this platform cannot tell which user a loopback connection comes from: every connection is refused (fail closed)`, 'set gateway.auth to "token"'));
  else out.push(warn("host.shared", `${where}; auth none without a peer check on this platform (no /proc/net/tcp)`, 'on a machine others can log in to, set gateway.auth to "token"'));

  // Per-user files: the state dir (audit log, RAG index, sessions, token) and the audit log's folder.
  if (c) {
    for (const [what, dir] of [["state dir", c.stateDir], ["audit log folder", dirname(c.audit.path)]] as const) {
      if (!existsSync(dir)) continue;
      const st = statSync(dir);
      const id = what === "state dir" ? "host.stateDir" : "host.auditDir";
      if (uid !== undefined && st.uid !== uid) out.push(fail(id, `${what} ${dir} belongs to uid ${st.uid}, not to this user (uid ${uid})`, 'give each user their own: leave "stateDir" unset (it defaults to ~/.openclaw-kernel) or set $OPENCLAW_STATE_DIR per user'));
      // Under JupyterHub an open state dir is a failure (classmates are right there); elsewhere a warning.
      else if (st.mode & 0o077) out.push((hub ? fail : warn)(id, `${what} ${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)})`, `chmod 700 ${dir}`));
      else out.push(ok(id, `${what} ${dir} is this user's alone (mode ${(st.mode & 0o777).toString(8)})`));
    }
  }

  try {
    const layer = readSystemLayer(env);
    out.push(ok("config.system", layer ? `admin-pinned system config ${layer.path}: ${layer.pins.size} key${layer.pins.size === 1 ? "" : "s"} pinned (${[...layer.pins.keys()].join(", ")})` : `no admin-pinned system config (${systemConfigPath(env)} does not exist)`));
  } catch (e) {
    out.push(fail("config.system", (e as Error).message, "the hub admin fixes the system config (README, \"Shared hosts\")"));
  }
  return out;
};
