// /health answers are counted in a plain number on the hot path and folded into
// openclaw_gateway_http_requests_total{route="/health",status="200"} when /metrics is read:
// the count must be exact at every read, and the answer's headers unchanged.
import assert from "node:assert/strict";
import { test } from "node:test";
import { get, startGateway } from "./helpers.js";

const count = (body: string) => {
  const m = /^openclaw_gateway_http_requests_total\{route="\/health",status="200"\} (\d+)$/m.exec(body);
  return m ? Number(m[1]) : 0;
};

test("/health is counted exactly in /metrics, read after read, with its security headers", async (t) => {
  const { port } = await startGateway(t);
  for (let i = 0; i < 7; i++) {
    const h = await get(port, "/health");
    assert.equal(h.status, 200);
    assert.equal(h.headers["cache-control"], "no-store");
    assert.equal(h.headers["x-content-type-options"], "nosniff");
    assert.equal(h.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(Number(h.headers["content-length"]), Buffer.byteLength(h.body));
  }
  assert.equal(count((await get(port, "/metrics")).body), 7);
  assert.equal(count((await get(port, "/metrics")).body), 7, "a read does not count twice");
  await get(port, "/health");
  await get(port, "/health");
  assert.equal(count((await get(port, "/metrics")).body), 9);
  // A refused request is not a /health answer.
  assert.equal((await get(port, "/health", { Host: "evil.example" })).status, 403);
  assert.equal(count((await get(port, "/metrics")).body), 9);
});
