// The server as a whole: exposure refusals, port in use, routes, metrics, UI on/off,
// logs, doctor, and the CLI front door (foreground run, status, logs) as a real process.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, connect } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { checkText } from "../../runtime/config/index.js";
import { OpenClawError, SafetyError } from "../../runtime/errors.js";
import { Gateway } from "../../runtime/gateway/index.js";
import { Runtime } from "../../runtime/runtime.js";
import { runDoctor } from "../../runtime/doctor/index.js";
import { CLI, cli, freePort, tmp, writeFile } from "../helpers/index.js";
import { makeRuntime } from "../fixtures/runtime.js";
import { get, startGateway } from "./helpers.js";


function refused(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    s.once("connect", () => (s.destroy(), resolve(false)));
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });
}

test("bind 0.0.0.0 without auth: the Gateway itself refuses (exit 78) and nothing listens", async (t) => {
  const port = await freePort();
  const dir = tmp(t);
  // Build the Runtime from a config the loader would refuse, to prove the Gateway refuses on its own.
  const src = { path: join(dir, "openclaw.json"), via: "--config" as const, baseDir: dir };
  const unsafe = checkText(JSON.stringify({ gateway: { bind: `0.0.0.0:${port}` }, stateDir: "./s" }), src);
  assert.ok(unsafe.issues.some((i) => i.kind === "safety"), "the loader refuses it too");
  const checked = checkText(JSON.stringify({ gateway: { bind: `127.0.0.1:${port}` }, stateDir: "./s" }), src);
  checked.config!.gateway = { ...checked.config!.gateway, bind: `0.0.0.0:${port}`, host: "0.0.0.0" };
  const rt = new Runtime({ config: checked.config!, source: checked.source, raw: checked.raw }, { host: "kernel", env: {} });
  t.after(() => rt.close());
  const gw = new Gateway({ runtime: rt });
  await assert.rejects(gw.start(), (e: unknown) => e instanceof SafetyError && e.exitCode === 78 && /without authentication/.test(e.message));
  assert.equal(gw.running, false);
  assert.equal(await refused(port), true, "no listener on the port");
});

test("CLI: `gateway` with a 0.0.0.0 bind and no auth exits 78 and never listens", async (t) => {
  const port = await freePort();
  const dir = tmp(t);
  const cfg = writeFile(join(dir, "openclaw.json"), { gateway: { bind: `0.0.0.0:${port}` }, stateDir: "./s" });
  const r = cli(["gateway", "--config", cfg], { timeout: 20_000 });
  assert.equal(r.code, 78, r.stderr);
  assert.match(r.stderr, /not a loopback address|without auth/);
  assert.equal(await refused(port), true);
});

test("port in use: a clear error naming the port (and our gateway as the holder), exit 1", async (t) => {
  const first = await startGateway(t);
  const { rt } = makeRuntime(t, { host: "kernel", config: { gateway: { bind: `127.0.0.1:${first.port}` } } });
  const gw = await rt.gateway();
  await assert.rejects(gw.start(), (e: unknown) => e instanceof OpenClawError && e.exitCode === 1 && e.code === "port_in_use" && e.message.includes(String(first.port)) && /openclaw-kernel gateway/.test(e.message));
  // A foreign holder: named by ss when it can be found.
  const other = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => other.once("listening", r));
  t.after(() => other.close());
  const p2 = (other.address() as { port: number }).port;
  const { rt: rt2 } = makeRuntime(t, { host: "kernel", config: { gateway: { bind: `127.0.0.1:${p2}` } } });
  await assert.rejects((await rt2.gateway()).start(), (e: unknown) => {
    assert.ok(e instanceof OpenClawError && e.exitCode === 1 && e.message.includes(`port ${p2}`) && !!e.fix, String(e));
    // ss (iproute2) names the holder when present; as root it can see every process.
    if (existsSync("/usr/bin/ss") && process.getuid?.() === 0) assert.match(e.message, /by node \(pid \d+\)/);
    return true;
  });
});

test("routes: /health JSON, /metrics Prometheus text, 404/405/426, security headers, real port in status", async (t) => {
  const { port, gw, started } = await startGateway(t);
  assert.equal(started.port, port);
  assert.notEqual(port, 0);
  assert.equal(gw.status().url, `http://127.0.0.1:${port}/`);
  const h = await get(port, "/health");
  assert.equal(h.status, 200);
  const body = h.json();
  assert.deepEqual(Object.keys(body).sort(), ["service", "status", "uptimeMs", "version"]);
  assert.equal(body.status, "ok");
  assert.equal(h.headers["x-content-type-options"], "nosniff");
  assert.equal(h.headers["cache-control"], "no-store");
  const m = await get(port, "/metrics");
  assert.equal(m.status, 200);
  assert.match(m.headers["content-type"] as string, /text\/plain/);
  for (const name of ["openclaw_exec_runs_total", "openclaw_exec_duration_seconds", "openclaw_exec_failures_total", "openclaw_exec_timeouts_total", "openclaw_skill_invocations_total", "openclaw_agent_turns_total", "openclaw_gateway_auth_failures_total"]) {
    assert.match(m.body, new RegExp(`# TYPE ${name} `), name);
  }
  assert.equal((await get(port, "/nope")).status, 404);
  assert.equal((await get(port, "/ws")).status, 426);
  const post = await fetch(`http://127.0.0.1:${port}/health`, { method: "POST", body: "x" });
  assert.equal(post.status, 405);
});

test("control UI: served self-contained with a strict CSP when on, 404 when off", async (t) => {
  const on = await startGateway(t);
  const page = await get(on.port, "/");
  assert.equal(page.status, 200);
  assert.match(page.headers["content-type"] as string, /text\/html/);
  const csp = page.headers["content-security-policy"] as string;
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'sha256-/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(page.body, /<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!127)/, "no external assets");
  const off = await startGateway(t, { control: { ui: false } });
  assert.equal((await get(off.port, "/")).status, 404);
  assert.equal((await get(off.port, "/health")).status, 200);
});

test("logs: JSONL in the state dir, 0600, refusals recorded", async (t) => {
  const { port, gw } = await startGateway(t);
  await get(port, "/health", { Host: "evil.example" });
  await gw.stop();
  const path = gw.status().logPath;
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines[0].msg, "gateway started");
  assert.ok(lines.some((l) => l.msg === "http refused by guard" && /evil\.example/.test(l.reason)));
  assert.equal(lines.at(-1).msg, "gateway stopped");
  for (const l of lines) assert.ok(typeof l.ts === "string" && typeof l.level === "string");
});

test("doctor: gateway exposure, token file permissions, and the running gateway", async (t) => {
  const { rt, started } = await startGateway(t, { auth: "token" });
  const report = await runDoctor({ runtime: rt, env: {} });
  const by = (id: string) => report.checks.find((c) => c.id === id);
  assert.equal(by("gateway.exposure")?.status, "ok");
  assert.equal(by("gateway.token.permissions")?.status, "ok");
  assert.equal(by("gateway.running")?.status, "ok");
  assert.equal(by("gateway.port")?.status, "ok", "held by our gateway (base.ts probes /health)");
  const { chmodSync } = await import("node:fs");
  chmodSync(started.tokenFile!, 0o644);
  const bad = await runDoctor({ runtime: rt, env: {} });
  const c = bad.checks.find((x) => x.id === "gateway.token.permissions")!;
  assert.equal(c.status, "fail");
  assert.match(c.fix!, /chmod 600/);
});

test("CLI: foreground gateway answers, `gateway status` from another process sees it, SIGTERM drains and exits 0", async (t) => {
  const port = await freePort();
  const dir = tmp(t);
  const cfg = writeFile(join(dir, "openclaw.json"), { gateway: { bind: `127.0.0.1:${port}`, auth: "token" }, stateDir: "./state" });
  const env: NodeJS.ProcessEnv = { ...process.env, OPENCLAW_CONFIG: "" };
  delete env.OPENCLAW_GATEWAY_TOKEN;
  const child = spawn(process.execPath, [CLI, "gateway", "--config", cfg], { env, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => child.kill("SIGKILL"));
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.on("data", (d) => (stdout += d));
  const exited = new Promise<{ code: number | null; at: number }>((r) => child.on("exit", (code) => r({ code, at: performance.now() })));
  // Generous: the CLI loads every command module, and the machine may be busy.
  for (let i = 0; i < 400 && !/press Ctrl-C/.test(stderr) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(stderr, new RegExp(`listening on http://127\\.0\\.0\\.1:${port}/`));
  const where = /token: generated and saved \(mode 0600\) in (\S+);.*`cat /.exec(stderr);
  assert.ok(where, "where the generated token is, and how to read it: " + stderr);
  const token = readFileSync(where[1]!, "utf8").trim();
  assert.ok(token.length >= 32 && !stderr.includes(token), "the token itself is never printed");
  assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).status, 200);
  const st = cli(["gateway", "status", "--json", "--config", cfg]);
  assert.equal(st.code, 0, st.stderr);
  assert.equal(st.json().running, true);
  assert.equal(st.json().where, "another process");
  const logs = cli(["gateway", "logs", "-n", "1", "--json", "--config", cfg]);
  assert.equal(logs.code, 0);
  assert.equal(logs.json().lines.length, 1);
  const t0 = performance.now();
  child.kill("SIGTERM");
  const { code, at } = await exited;
  assert.equal(code, 0, stderr);
  assert.ok(at - t0 < 8000, `exited within a few seconds (${Math.round(at - t0)} ms)`);
  assert.match(stdout, /gateway stopped \(SIGTERM\)/);
  assert.equal(await refused(port), true);
  const after = cli(["gateway", "status", "--config", cfg]);
  assert.equal(after.code, 1);
  assert.match(after.stdout, /not running/);
});
