// A classroom on one server, end to end with two real Linux users (useradd; removed
// after): each runs their own gateway (the CLI, as that user, via setpriv) at the same
// time; user B's process is refused by A's gateway over HTTP and the WebSocket upgrade
// while A's own process gets in; B cannot read A's state dir, gateway log, audit log or
// RAG index; and an admin-pinned key cannot be loosened by B's config. The users' servers
// are started directly, not through JupyterHub's spawner (too slow for the main suite):
// scripts/hub-test.sh runs the same checks through a real JupyterHub.
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { listenerUid } from "../../runtime/gateway/peer.js";
import { freePort, tmp } from "../helpers/index.js";
import { cannotMakeUsers, letOthersReach, makeUser, type TestUser } from "../helpers/linux-user.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const CLI = join(ROOT, "bin", "openclaw-kernel");

/** GET /health and a WebSocket upgrade, run as a given user: the statuses as JSON. */
const CLIENT = `
const http = require("node:http");
const port = Number(process.argv[1]);
function req(headers) {
  return new Promise((resolve) => {
    const r = http.request({ host: "127.0.0.1", port, path: headers.Upgrade ? "/ws" : "/health", headers: { Host: "127.0.0.1:" + port, ...headers }, agent: false });
    r.on("response", (res) => { let b = ""; res.on("data", (d) => (b += d)); res.on("end", () => resolve({ status: res.statusCode, body: b })); });
    r.on("upgrade", (res, sock) => { sock.destroy(); resolve({ status: res.statusCode, body: "" }); });
    r.on("error", (e) => resolve({ status: 0, body: e.message }));
    r.end();
  });
}
(async () => {
  const health = await req({});
  const ws = await req({ Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13" });
  process.stdout.write(JSON.stringify({ health, ws }));
})();
`;


function userEnv(u: TestUser, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8", HOME: u.home, USER: u.name, ...extra };
}

/** The user's classroom files: a workspace with one document and openclaw.json, owned by the user. */
function setUp(u: TestUser, port: number, extra: Record<string, unknown> = {}): void {
  mkdirSync(join(u.home, "ws"), { recursive: true });
  writeFileSync(join(u.home, "ws", "notes.md"), `# ${u.name}'s notes\nRefunds take five business days.\n`);
  writeFileSync(join(u.home, "openclaw.json"), JSON.stringify({ gateway: { bind: `127.0.0.1:${port}` }, agentDefaults: { workspace: "./ws" }, rag: { mode: "lexical" }, ...extra }));
  execFileSync("chown", ["-R", `${u.uid}:${u.gid}`, u.home]);
  chmodSync(u.home, 0o755); // a hub's homes are often world-listable: the state dir must protect itself
}

test("two users on one host: separate gateways at once, B refused by A's gateway (HTTP, WS), A's files closed to B, admin pins hold", { skip: cannotMakeUsers(), timeout: 240_000 }, async (t) => {
  letOthersReach(t, ROOT);
  // After hooks run in order: gateways stop before their users are removed.
  const procs: ChildProcess[] = [];
  t.after(async () => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((r) => {
            if (p.exitCode !== null || p.signalCode !== null) return r();
            p.once("exit", () => r());
            p.kill("SIGTERM");
            setTimeout(() => p.kill("SIGKILL"), 10_000).unref();
          }),
      ),
    );
  });
  const a = makeUser(t, { home: true });
  const b = makeUser(t, { home: true });
  // The admin's system config: world-readable, root-owned.
  const etc = tmp(t);
  chmodSync(etc, 0o755);
  const sys = join(etc, "openclaw.json");
  writeFileSync(sys, JSON.stringify({ tools: { exec: { applyPatch: { enabled: false }, timeoutSec: 120 } }, gateway: { bind: "127.0.0.1:18789" } }), { mode: 0o644 });
  const [pa, pb] = [await freePort(), await freePort()];
  setUp(a, pa);
  setUp(b, pb);

  const start = (u: TestUser) => {
    const p = spawn("/usr/bin/setpriv", [`--reuid=${u.uid}`, `--regid=${u.gid}`, "--init-groups", "--", process.execPath, CLI, "gateway", "start"], { cwd: u.home, env: userEnv(u, { OPENCLAW_SYSTEM_CONFIG: sys }), stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    p.stderr!.on("data", (d) => (err += d));
    procs.push(p);
    return { p, stderr: () => err };
  };
  const ga = start(a);
  const gb = start(b);
  const up = async (port: number, u: TestUser, g: { p: ChildProcess; stderr(): string }) => {
    const deadline = Date.now() + 120_000;
    while (listenerUid("127.0.0.1", port) !== u.uid) {
      if (g.p.exitCode !== null) assert.fail(`${u.name}'s gateway exited ${g.p.exitCode}: ${g.stderr()}`);
      if (Date.now() > deadline) assert.fail(`${u.name}'s gateway did not listen on ${port}: ${g.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await Promise.all([up(pa, a, ga), up(pb, b, gb)]);
  assert.equal(listenerUid("127.0.0.1", pa), a.uid, "A's gateway runs as A");
  assert.equal(listenerUid("127.0.0.1", pb), b.uid, "B's gateway runs as B, at the same time");

  const asUser = async (u: TestUser, port: number) => {
    const r = await u.run([process.execPath, "-e", CLIENT, String(port)], { env: userEnv(u, {}) });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const aOwn = await asUser(a, pa);
  assert.equal(aOwn.health.status, 200, "A reaches A's gateway");
  assert.equal(aOwn.ws.status, 101);
  const bOwn = await asUser(b, pb);
  assert.equal(bOwn.health.status, 200, "B reaches B's gateway");
  const bAtA = await asUser(b, pa);
  assert.equal(bAtA.health.status, 403, "B's process is refused by A's gateway over HTTP");
  assert.equal(JSON.parse(bAtA.health.body).error, "forbidden_user");
  assert.equal(bAtA.ws.status, 403, "and on the WebSocket upgrade");
  const aAtB = await asUser(a, pb);
  assert.equal(aAtB.health.status, 403, "and the other way round");

  // A's state: the RAG index and an audit record (a governed skill run), then B tries to read them.
  const ix = await a.run([process.execPath, CLI, "rag", "index"], { cwd: a.home, env: userEnv(a, { OPENCLAW_SYSTEM_CONFIG: sys }), timeoutMs: 120_000 });
  assert.equal(ix.code, 0, ix.stderr);
  await a.run([process.execPath, CLI, "skills", "run", "local-rag", "query=refunds"], { cwd: a.home, env: userEnv(a, { OPENCLAW_SYSTEM_CONFIG: sys }), timeoutMs: 120_000 });
  const state = join(a.home, ".openclaw-kernel");
  const files = [state, join(state, "gateway", "gateway.log"), join(state, "audit", "audit.jsonl"), join(state, "rag")];
  assert.ok(existsSync(join(state, "gateway", "gateway.log")) && existsSync(join(state, "rag")), "A's gateway log and RAG index exist");
  for (const f of files) {
    const r = await b.run(["/bin/ls", "-la", f]);
    assert.notEqual(r.code, 0, `B listed ${f}: ${r.stdout}`);
    assert.match(r.stderr, /Permission denied/, f);
  }
  const cat = await b.run(["/bin/cat", join(state, "audit", "audit.jsonl")]);
  assert.match(cat.stderr, /Permission denied/, "B cannot read A's audit log");

  // The refusals are in A's gateway log (read as root).
  const { readFileSync } = await import("node:fs");
  const log = readFileSync(join(state, "gateway", "gateway.log"), "utf8");
  assert.match(log, new RegExp(`"msg":"http refused: another user's process"[^\\n]*"peerUid":${b.uid}`));
  assert.match(log, new RegExp(`"msg":"ws upgrade refused: another user's process"[^\\n]*"peerUid":${b.uid}`));

  // Admin pins: B's config may not loosen them (exit 2, both files named); left out, they apply.
  writeFileSync(join(b.home, "loose.json"), JSON.stringify({ tools: { exec: { applyPatch: { enabled: true }, timeoutSec: 3600 } } }));
  const loose = await b.run([process.execPath, CLI, "config", "validate", "--config", join(b.home, "loose.json")], { cwd: b.home, env: userEnv(b, { OPENCLAW_SYSTEM_CONFIG: sys }) });
  assert.equal(loose.code, 2, loose.stdout + loose.stderr);
  assert.match(loose.stdout + loose.stderr, /applyPatch\/enabled: true loosens the admin's pin/);
  assert.ok((loose.stdout + loose.stderr).includes(sys), "names the system file");
  const show = await b.run([process.execPath, CLI, "config", "show", "--json"], { cwd: b.home, env: userEnv(b, { OPENCLAW_SYSTEM_CONFIG: sys }) });
  assert.equal(show.code, 0, show.stderr);
  assert.equal(JSON.parse(show.stdout).config.tools.exec.applyPatch.enabled, false);
  assert.equal(JSON.parse(show.stdout).provenance["tools.exec.applyPatch.enabled"], "system");
});
