// With auth "none" on a shared loopback, only processes of the gateway's own user get in:
// the /proc/net/tcp decoding, the decision, and a real second Linux user (useradd,
// runuser) refused over HTTP and the WebSocket upgrade, with the refusal in the log.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { decidePeer, decodeProcAddr, listenerUid, parseProcNetTcp, peerUid } from "../../runtime/gateway/peer.js";
import { detectSharedHost, humanUsers } from "../../runtime/gateway/shared-host.js";
import { cannotMakeUsers, makeUser } from "../helpers/linux-user.js";
import { get, startGateway } from "./helpers.js";

test("peer: /proc/net/tcp addresses decode (IPv4, IPv6, IPv4-mapped; both byte orders)", () => {
  assert.equal(decodeProcAddr("0100007F:1F90", true), "127.0.0.1:8080");
  assert.equal(decodeProcAddr("7F000001:1F90", false), "127.0.0.1:8080");
  assert.equal(decodeProcAddr("00000000000000000000000001000000:4965", true), "::1:18789");
  assert.equal(decodeProcAddr("0000000000000000FFFF00000100007F:0050", true), "127.0.0.1:80");
  assert.equal(decodeProcAddr("B80D0120000000000000000001000000:0016", true), "2001:db8::1:22");
  const rows = parseProcNetTcp("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001        0 1 1 0000 100 0 0 10 0\n");
  assert.deepEqual(rows, [{ local: "127.0.0.1:18789", remote: "0.0.0.0:0", state: "0A", uid: 1001 }]);
});

test("peer: same uid in, other uid out, unknown peer refused only on a shared host", () => {
  assert.deepEqual(decidePeer(1000, 1000, true), { ok: true, uid: 1000 });
  const other = decidePeer(1001, 1000, false);
  assert.equal(other.ok, false);
  assert.match((other as { reason: string }).reason, /uid 1001.*uid 1000/);
  assert.equal(decidePeer("unknown", 1000, true).ok, false, "fail closed on a shared host");
  assert.equal(decidePeer(undefined, 1000, true).ok, false, "no /proc on a shared host: closed");
  assert.equal(decidePeer("unknown", 1000, false).ok, true, "single-user host: nobody else to be");
});

test("shared host: JupyterHub env, other human accounts and their processes are each a reason", () => {
  const none = detectSharedHost({ env: {}, passwd: "root:x:0:0:root:/root:/bin/bash\n", procDir: "", uid: 0 });
  assert.deepEqual(none, { shared: false, reasons: [], humanUsers: [] });
  const hub = detectSharedHost({ env: { JUPYTERHUB_USER: "alice", JUPYTERHUB_API_URL: "http://127.0.0.1:8081/hub/api" }, passwd: "", procDir: "", uid: 1000 });
  assert.equal(hub.shared, true);
  assert.match(hub.reasons[0]!, /JupyterHub environment \(JUPYTERHUB_USER=alice\)/);
  // /tmp exists: a home; /nonexistent does not; nologin shells and nobody are not people.
  const passwd = "alice:x:1000:1000::/tmp:/bin/bash\nbob:x:1001:1001::/tmp:/bin/sh\nsvc:x:1002:1002::/tmp:/usr/sbin/nologin\nghost:x:1003:1003::/nonexistent:/bin/sh\nnobody:x:65534:65534::/tmp:/bin/sh\n";
  assert.deepEqual(humanUsers(passwd, 1000).map((u) => u.name), ["alice", "bob"]);
  const two = detectSharedHost({ env: {}, passwd, procDir: "", uid: 1000 });
  assert.equal(two.shared, true);
  assert.match(two.reasons.join(";"), /1 other user account with a home \(bob\)/);
  assert.equal(detectSharedHost({ env: {}, passwd: "alice:x:1000:1000::/tmp:/bin/bash\n", procDir: "", uid: 1000 }).shared, false, "the only person is the owner");
});

test("peer: the client end of a real loopback connection is found with this process's uid; the listener's uid too", async (t) => {
  const { gw, port } = await startGateway(t);
  const http = await import("node:http");
  const uid = await new Promise<number | "unknown" | undefined>((resolve, reject) => {
    const srv = http.createServer((req, res) => {
      resolve(peerUid(req.socket));
      res.end("x");
    });
    srv.listen(0, "127.0.0.1", () => {
      const p = (srv.address() as { port: number }).port;
      http.get({ host: "127.0.0.1", port: p, agent: false }, (r) => r.resume().on("end", () => srv.close())).on("error", reject);
    });
  });
  assert.equal(uid, process.getuid!());
  assert.equal(listenerUid("127.0.0.1", port), process.getuid!());
  assert.equal((await get(port, "/health")).status, 200, "the owner's own process gets in");
  assert.notEqual(gw.shared, undefined, "auth none: the shared-host finding is made at start");
});

/** A node program run as the other user: GET /health and a WebSocket upgrade, as JSON. */
const CLIENT = `
const http = require("node:http");
const [host, port] = [process.argv[1], Number(process.argv[2])];
const hostHdr = (host.includes(":") ? "[" + host + "]" : host) + ":" + port;
function req(headers) {
  return new Promise((resolve) => {
    const r = http.request({ host, port, path: headers.Upgrade ? "/ws" : "/health", headers: { Host: hostHdr, ...headers }, agent: false });
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

for (const host of ["127.0.0.1", "::1"]) {
  test(`peer over ${host}: another Linux user's process is refused (HTTP 403, WebSocket upgrade 403) and the refusal is logged`, { skip: cannotMakeUsers() }, async (t) => {
    if (host === "::1" && !readFileSync("/proc/net/if_inet6", "utf8").includes("00000000000000000000000000000001")) return t.skip("no IPv6 loopback");
    const bind = host === "::1" ? "[::1]:0" : "127.0.0.1:0";
    const { gw, port } = await startGateway(t, { bind });
    // Async: the gateway runs in this process and must keep answering.
    const { execFile } = await import("node:child_process");
    const mine = await new Promise<string>((resolve, reject) => execFile("/usr/bin/node", ["-e", CLIENT, host, String(port)], { encoding: "utf8", cwd: "/", timeout: 60_000 }, (e, out) => (e ? reject(e) : resolve(out))));
    const own = JSON.parse(mine);
    assert.equal(own.health.status, 200, "the owner's process: /health answers");
    assert.equal(own.ws.status, 101, "the owner's process: the upgrade is accepted");
    const b = makeUser(t);
    const r = await b.run(["/usr/bin/node", "-e", CLIENT, host, String(port)]);
    assert.equal(r.code, 0, r.stderr);
    const other = JSON.parse(r.stdout);
    assert.equal(other.health.status, 403, `HTTP: ${JSON.stringify(other.health)}`);
    assert.equal(JSON.parse(other.health.body).error, "forbidden_user");
    assert.match(JSON.parse(other.health.body).message, new RegExp(`uid ${b.uid}`));
    assert.equal(other.ws.status, 403, `WebSocket: ${JSON.stringify(other.ws)}`);
    assert.equal(JSON.parse(other.ws.body).error, "forbidden_user");
    // The refusals are in the gateway log, with the peer's uid (the stream flushes on stop).
    const logFile = gw.status().logPath;
    await gw.stop();
    const lines = readFileSync(logFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const http = lines.find((l) => l.msg === "http refused: another user's process");
    const ws = lines.find((l) => l.msg === "ws upgrade refused: another user's process");
    assert.equal(http?.peerUid, b.uid);
    assert.equal(ws?.peerUid, b.uid);
    assert.match(lines.find((l) => l.msg === "gateway started")?.peerCheck ?? "", new RegExp(`uid ${process.getuid!()} only`));
  });
}

test("peer: token auth is not uid-bound (the token is the credential; sharing on purpose stays possible)", { skip: cannotMakeUsers() }, async (t) => {
  const { port } = await startGateway(t, { auth: "token" }, { env: { OPENCLAW_GATEWAY_TOKEN: "t0k3n-for-the-peer-test-0123456789abcdef" } });
  const b = makeUser(t);
  const r = await b.run(["/usr/bin/node", "-e", CLIENT, "127.0.0.1", String(port)]);
  assert.equal(JSON.parse(r.stdout).health.status, 200, "/health needs no token and no uid in token mode");
});
