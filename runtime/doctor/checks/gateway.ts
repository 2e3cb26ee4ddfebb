// Doctor checks of "gateway": exposure (what the settings let in), the token file's
// permissions, the log's, and whether this process runs a gateway. base.ts already
// covers bind, auth mode and whether the port is free or held by our gateway.
import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { isLoopbackHost } from "../../config/index.js";
import { tokenPath } from "../../gateway/auth.js";
import { logPath } from "../../gateway/log.js";
import { fail, ok, warn, type Check, type CheckProvider } from "../types.js";

function modeOf(p: string): number {
  return statSync(p).mode & 0o777;
}

export const checks: CheckProvider = async ({ checked, runtime, env }) => {
  const c = checked.config;
  if (!c) return [];
  const g = c.gateway;
  const out: Check[] = [];

  // Exposure: what a reachable gateway would let in, in order of danger.
  const loop = isLoopbackHost(g.host);
  const dangers: string[] = [];
  if (!loop && g.control.ui && !g.control.deviceAuth) dangers.push("the control UI is served to the network without device pairing");
  if (!loop && g.auth.mode === "token") dangers.push("token auth over plain HTTP: the token crosses the network unencrypted");
  if (g.maxFrameBytes > 16 * 1024 * 1024) dangers.push(`maxFrameBytes ${g.maxFrameBytes} lets one client make the gateway buffer large frames`);
  if (g.authFailuresPerMinute > 100) dangers.push(`authFailuresPerMinute ${g.authFailuresPerMinute} allows fast token guessing`);
  if (dangers.length) {
    out.push((loop ? warn : fail)("gateway.exposure", dangers.join("; "), loop ? "lower the limits named" : 'prefer "auth": "mtls" for non-loopback binds, set control.deviceAuth: true, or bind 127.0.0.1'));
  } else {
    out.push(ok("gateway.exposure", loop ? `loopback only; Host/Origin guard on; auth ${g.auth.mode}${g.control.ui ? "; control UI on" : ""}` : `non-loopback bind protected by ${g.auth.mode}`));
  }

  // Token file: must be ours alone (the gateway refuses to start otherwise).
  const file = tokenPath(c.stateDir);
  if (g.auth.mode === "token") {
    const fromEnv = runtime?.secret(g.auth.tokenEnv) ?? env[g.auth.tokenEnv];
    if (fromEnv) out.push(fromEnv.length >= 16 ? ok("gateway.token", `token from $${g.auth.tokenEnv} (value never shown)`) : fail("gateway.token", `$${g.auth.tokenEnv} is only ${fromEnv.length} characters`, `use 16+ random characters: export ${g.auth.tokenEnv}=$(openssl rand -hex 32)`));
    else if (!existsSync(file)) out.push(ok("gateway.token", `no token yet: one is generated into ${file} (0600) on first start`));
  }
  if (existsSync(file)) {
    const m = modeOf(file);
    const dm = modeOf(dirname(file));
    if (m & 0o077) out.push(fail("gateway.token.permissions", `${file} is readable by others (mode ${m.toString(8)}); the gateway refuses to use it`, `chmod 600 ${file}`));
    else if (dm & 0o077) out.push(warn("gateway.token.permissions", `${dirname(file)} is open to others (mode ${dm.toString(8)})`, `chmod 700 ${dirname(file)}`));
    else out.push(ok("gateway.token.permissions", `${file} mode ${m.toString(8)}`));
  }

  const log = logPath(c.stateDir);
  if (existsSync(log)) {
    const m = modeOf(log);
    out.push(m & 0o077 ? warn("gateway.log", `${log} is readable by others (mode ${m.toString(8)})`, `chmod 600 ${log}`) : ok("gateway.log", `${log} mode ${m.toString(8)}`));
  }

  if (runtime?.has("gateway")) {
    const gw = await runtime.gateway();
    if (gw.running) out.push(ok("gateway.running", `this process runs the gateway at ${gw.status().url}`));
  }
  return out;
};
