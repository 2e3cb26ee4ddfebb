// The DNS-rebinding / cross-site guard: unit cases, then a real gateway over HTTP and
// the WebSocket upgrade.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkRequest, makeGuard } from "../../runtime/gateway/guard.js";
import { get, startGateway, wsClient } from "./helpers.js";

test("guard: accepts the bound address and loopback names with the bound port only", () => {
  const g = makeGuard({ host: "127.0.0.1", port: 18789, tls: false });
  for (const host of ["127.0.0.1:18789", "localhost:18789", "[::1]:18789", "LOCALHOST:18789"]) assert.deepEqual(checkRequest(g, { host }), { ok: true }, host);
  for (const host of ["127.0.0.1.nip.io:18789", "evil.example:18789", "evil.example", "127.0.0.1", "127.0.0.1:18790", "localhost.evil.example:18789", "0.0.0.0:18789", ""]) {
    const v = checkRequest(g, { host });
    assert.equal(v.ok, false, host);
  }
  assert.equal(checkRequest(g, {}).ok, false, "missing Host");
});

test("guard: Origin must be the gateway's own; null and foreign origins fail; none is fine", () => {
  const g = makeGuard({ host: "127.0.0.1", port: 8080, tls: false });
  const host = "127.0.0.1:8080";
  assert.equal(checkRequest(g, { host }).ok, true);
  assert.equal(checkRequest(g, { host, origin: "http://127.0.0.1:8080" }).ok, true);
  assert.equal(checkRequest(g, { host, origin: "http://localhost:8080" }).ok, true);
  for (const origin of ["null", "http://evil.example", "http://127.0.0.1:8081", "https://127.0.0.1:8080", "http://127.0.0.1.nip.io:8080", "file://"]) {
    assert.equal(checkRequest(g, { host, origin }).ok, false, origin);
  }
  const tls = makeGuard({ host: "127.0.0.1", port: 8443, tls: true });
  assert.equal(checkRequest(tls, { host: "127.0.0.1:8443", origin: "https://127.0.0.1:8443" }).ok, true);
  assert.equal(checkRequest(tls, { host: "127.0.0.1:8443", origin: "http://127.0.0.1:8443" }).ok, false);
});

test("guard over HTTP: each bad Host and Origin gets 403 before any route; no CORS header ever", async (t) => {
  const { port } = await startGateway(t);
  const ok = await get(port, "/health");
  assert.equal(ok.status, 200);
  assert.equal(ok.json().service, "openclaw-kernel");
  assert.equal(ok.headers["access-control-allow-origin"], undefined);
  const cases: Array<[string, Record<string, string>]> = [
    ["rebinding name", { Host: `127.0.0.1.nip.io:${port}` }],
    ["foreign host", { Host: `evil.example:${port}` }],
    ["no port", { Host: "127.0.0.1" }],
    ["wrong port", { Host: `127.0.0.1:${port + 1}` }],
    ["foreign origin", { Origin: "http://evil.example" }],
    ["null origin", { Origin: "null" }],
    ["other port origin", { Origin: `http://127.0.0.1:${port + 1}` }],
  ];
  for (const path of ["/health", "/metrics", "/", "/nope"]) {
    for (const [name, headers] of cases) {
      const r = await get(port, path, headers);
      assert.equal(r.status, 403, `${name} ${path}`);
      assert.equal(r.json().error, "forbidden");
      assert.equal(r.headers["access-control-allow-origin"], undefined);
    }
  }
  // Own origin and the other loopback names pass.
  assert.equal((await get(port, "/health", { Origin: `http://127.0.0.1:${port}` })).status, 200);
  assert.equal((await get(port, "/health", { Host: `localhost:${port}` })).status, 200);
  assert.equal((await get(port, "/health", { Host: `[::1]:${port}` })).status, 200);
  // X-Forwarded-* cannot smuggle a host in.
  assert.equal((await get(port, "/health", { Host: `evil.example:${port}`, "X-Forwarded-Host": `127.0.0.1:${port}`, "X-Forwarded-For": "127.0.0.1" })).status, 403);
});

test("guard on the WebSocket upgrade: bad Host or Origin is refused with 403 before ws sees it", async (t) => {
  const { port } = await startGateway(t);
  const bad: Array<Record<string, string>> = [{ Origin: "http://evil.example" }, { Origin: "null" }, { Host: `evil.example:${port}` }, { Host: `127.0.0.1.nip.io:${port}` }];
  for (const headers of bad) {
    await assert.rejects(wsClient(port, { headers, connect: false }), (e: any) => e.status === 403, JSON.stringify(headers));
  }
  await assert.rejects(wsClient(port, { path: "/other", connect: false }), (e: any) => e.status === 404);
  const good = await wsClient(port, { headers: { Origin: `http://127.0.0.1:${port}` } });
  assert.equal(good.frames[0].ok, true);
  good.close();
});

test("IPv6 loopback bind: [::1] in Host and Origin passes, other names still fail", async (t) => {
  const { started, port } = await startGateway(t, { bind: "[::1]:0" });
  assert.equal(started.url, `http://[::1]:${port}/`);
  const ok = await fetch(`http://[::1]:${port}/health`, { headers: { Origin: `http://[::1]:${port}` } });
  assert.equal(ok.status, 200);
  const bad = await fetch(`http://[::1]:${port}/health`, { headers: { Origin: "http://evil.example" } });
  assert.equal(bad.status, 403);
});
