// The gateway under abuse: Slowloris (partial headers, trickled headers, silent sockets),
// the connection cap, sockets that upgrade and then say nothing, and the cap's relation
// to the process's open-file limit.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { connectionCap } from "../../runtime/gateway/index.js";
import { get, startGateway } from "./helpers.js";

const FAST = { headersMs: 1000, requestMs: 2000, keepAliveMs: 1000, connectMs: 1000, checkIntervalMs: 200 };

/** A raw socket; `closed` resolves with the ms from open to close. */
function raw(port: number): Promise<{ s: Socket; closed: Promise<number>; data: () => string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let data = "";
    const s = connect({ host: "127.0.0.1", port });
    s.setEncoding("utf8");
    s.on("data", (d) => (data += d));
    s.on("error", () => undefined);
    const closed = new Promise<number>((r) => s.once("close", () => r(performance.now() - t0)));
    s.once("connect", () => resolve({ s, closed, data: () => data }));
    s.once("error", reject);
  });
}

/** Resolves with each value, or rejects naming how many were still pending at the deadline. */
async function within<T>(ps: Promise<T>[], ms: number, what: string): Promise<T[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms)));
  try {
    return await Promise.race([Promise.all(ps), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

test("Slowloris: partial, trickled and silent sockets are closed after the header timeout while /health answers", async (t) => {
  const { port, gw } = await startGateway(t, {}, {});
  await gw.stop();
  const started = await gw.start({ onPairingCode: () => undefined, timeouts: FAST });
  t.after(() => gw.stop());
  const p = started.port!;
  const socks: Array<Awaited<ReturnType<typeof raw>>> = [];
  for (let i = 0; i < 40; i++) {
    const c = await raw(p);
    c.s.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nX-Slow-${i}: `);
    socks.push(c);
  }
  for (let i = 0; i < 5; i++) socks.push(await raw(p)); // connect and say nothing
  const trickler = await raw(p);
  trickler.s.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n`);
  const drip = setInterval(() => trickler.s.writable && trickler.s.write("X-Drip: 1\r\n"), 100);
  t.after(() => clearInterval(drip));
  socks.push(trickler);
  // Meanwhile the gateway still answers.
  const h = await get(p, "/health");
  assert.equal(h.status, 200);
  const times = await within(socks.map((c) => c.closed), 8000, "slow sockets");
  clearInterval(drip);
  assert.ok(Math.max(...times) < 6000, `all closed within the header timeout plus the check interval: max ${Math.round(Math.max(...times))} ms`);
  assert.ok(Math.min(...times) >= 800, "not before the header timeout");
  assert.ok(socks.slice(0, 40).some((c) => /^HTTP\/1\.1 408/.test(c.data())), "a timed-out request is told 408");
  assert.equal((await get(p, "/health")).status, 200, "and answers after");
  void port;
});

test("connection cap: sockets beyond gateway.maxConnections are dropped at once and logged; the slots come back", async (t) => {
  const { gw } = await startGateway(t, { maxConnections: 8 });
  await gw.stop();
  // A longer header timeout here, so "dropped at once" cannot be confused with "timed out".
  const started = await gw.start({ onPairingCode: () => undefined, timeouts: { ...FAST, headersMs: 4000, requestMs: 5000 } });
  t.after(() => gw.stop());
  assert.equal(started.maxConnections, 8);
  const p = started.port!;
  const held = [];
  for (let i = 0; i < 8; i++) held.push(await raw(p));
  // Let the server accept all eight before the ninth arrives.
  await new Promise((r) => setTimeout(r, 100));
  const extra = await raw(p);
  const [dropped] = await within([extra.closed], 3000, "the socket over the cap");
  assert.ok(dropped < 3000, "dropped before any timeout could close it");
  assert.equal(held.filter((c) => c.s.destroyed).length, 0, "the eight held sockets are still open");
  await within(held.map((c) => c.closed), 12_000, "held sockets");
  assert.equal((await get(p, "/health")).status, 200, "slots are free again");
  await gw.stop();
  const log = readFileSync(gw.status().logPath, "utf8");
  assert.match(log, /connection cap reached/);
});

test("a WebSocket that upgrades and never sends connect is terminated, even if it ignores the close handshake", async (t) => {
  const { gw } = await startGateway(t);
  await gw.stop();
  const started = await gw.start({ onPairingCode: () => undefined, timeouts: FAST });
  t.after(() => gw.stop());
  const p = started.port!;
  const c = await raw(p);
  c.s.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  // Never read frames, never answer the close frame.
  const [ms] = await within([c.closed], 8000, "silent websocket");
  assert.match(c.data(), /^HTTP\/1\.1 101/);
  assert.ok(ms >= 900 && ms < 6000, `closed after the connect timeout plus the close grace: ${Math.round(ms)} ms`);
});

test("connectionCap: the configured cap, never above a quarter of the open-file limit", () => {
  const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 4096                 files\n`;
  assert.equal(connectionCap(256, limits("1024")), 256);
  assert.equal(connectionCap(256, limits("400")), 100);
  assert.equal(connectionCap(256, limits("unlimited")), 256);
  assert.equal(connectionCap(256, limits("16")), 8, "never below 8");
  assert.equal(connectionCap(256, "garbage"), 256);
});
