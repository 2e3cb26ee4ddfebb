// Token auth on HTTP and the WebSocket, the query-string refusal, the rate limit, the
// token file, and device pairing.
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { FailureLimiter, Pairing, queryCredential, resolveToken, safeEqual } from "../../runtime/gateway/auth.js";
import { SafetyError } from "../../runtime/errors.js";
import { tmp } from "../helpers/index.js";
import { makeRuntime } from "../fixtures/runtime.js";
import { get, startGateway, wsClient } from "./helpers.js";

const TOKEN = "t0ken-for-tests-0123456789abcdef";
const tokenGw = { auth: { mode: "token", tokenEnv: "OC_TEST_TOKEN" } };

test("units: safeEqual, bearer-less query credentials, limiter window", () => {
  assert.equal(safeEqual("abc", "abc"), true);
  assert.equal(safeEqual("abc", "abd"), false);
  assert.equal(safeEqual("", "abc"), false);
  assert.equal(safeEqual("abcabc", "abc"), false);
  assert.equal(queryCredential("/metrics?token=x"), "token");
  assert.equal(queryCredential("/ws?access_token=x"), "access_token");
  assert.equal(queryCredential("/health?x=1"), undefined);
  assert.equal(queryCredential("/health"), undefined);
});

test("FailureLimiter: free failures, then doubling delays up to a cap; 429 only while every slot is held", async () => {
  let now = 1_000_000;
  const l = new FailureLimiter(3, { now: () => now, baseDelayMs: 20, maxDelayMs: 80, maxPending: 2 });
  for (let i = 0; i < 3; i++) await l.fail("a");
  assert.equal(l.failures("a"), 3);
  assert.equal(l.delayMs("a"), 20, "the 4th failure waits the base delay");
  const waits: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    await l.fail("a");
    waits.push(performance.now() - t0);
  }
  assert.ok(waits[0]! >= 15 && waits[1]! >= 35 && waits[2]! >= 75 && waits[3]! >= 75, `doubling: ${waits.map(Math.round)}`);
  assert.equal(l.delayMs("a"), 80, "capped");
  assert.equal(l.blocked("a"), false, "no failure pending: nothing is refused");
  const held = [l.fail("a"), l.fail("a")];
  assert.equal(l.blocked("a"), true, "both slots held by pending failures");
  assert.ok(l.retryAfter("a") >= 1);
  assert.equal(l.blocked("b"), false, "per address");
  await Promise.all(held);
  assert.equal(l.blocked("a"), false, "slots free again once the delays ran out");
  now += 60_001;
  assert.equal(l.failures("a"), 0, "the window slides");
  assert.equal(l.delayMs("a"), 0);
  // Rotating loopback addresses does not buy more free guesses (found in review: 127.0.0.2, .3, …).
  for (const addr of ["127.0.0.2", "127.0.0.3", "::1"]) await l.fail(addr);
  assert.equal(l.failures("127.0.0.9"), 3, "all of loopback is one bucket");
  assert.equal(l.delayMs("::ffff:127.0.0.1"), 20);
  assert.equal(l.failures("10.0.0.1"), 0, "other addresses keep their own count");
});

test("token file: generated 0600 in a 0700 dir, reused, refused when others can read it", (t) => {
  const dir = tmp(t);
  const a = resolveToken({ tokenEnv: "X", stateDir: dir, secret: () => undefined });
  assert.equal(a.generated, true);
  assert.ok(a.token.length >= 32);
  const file = join(dir, "gateway", "token");
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, "gateway")).mode & 0o777, 0o700);
  const b = resolveToken({ tokenEnv: "X", stateDir: dir, secret: () => undefined });
  assert.equal(b.generated, false);
  assert.equal(b.token, a.token);
  chmodSync(file, 0o644);
  assert.throws(() => resolveToken({ tokenEnv: "X", stateDir: dir, secret: () => undefined }), (e: unknown) => e instanceof SafetyError && e.exitCode === 78 && /chmod 600/.test(e.fix ?? ""));
  // The env var wins; a short one is refused.
  assert.equal(resolveToken({ tokenEnv: "X", stateDir: dir, secret: (n) => (n === "X" ? TOKEN : undefined) }).source, "env");
  assert.throws(() => resolveToken({ tokenEnv: "X", stateDir: dir, secret: () => "short" }), SafetyError);
});

test("token over HTTP: 401 without or with a wrong token, 200 with it; never in a query string", async (t) => {
  const { port, started } = await startGateway(t, tokenGw, { env: { OC_TEST_TOKEN: TOKEN } });
  assert.equal(started.tokenSource, "env");
  assert.equal(started.tokenGenerated, undefined, "an env token was not generated");
  assert.ok(!JSON.stringify(started).includes(TOKEN), "the start result never carries the token");
  assert.equal((await get(port, "/health")).status, 200, "health stays open for probes");
  const none = await get(port, "/metrics");
  assert.equal(none.status, 401);
  assert.match(none.headers["www-authenticate"] as string, /Bearer/);
  assert.equal((await get(port, "/metrics", { Authorization: "Bearer wrong-token-wrong-token" })).status, 401);
  const good = await get(port, "/metrics", { Authorization: `Bearer ${TOKEN}` });
  assert.equal(good.status, 200);
  assert.match(good.body, /openclaw_gateway_auth_failures_total\{transport="http",reason="wrong_token"\} 1/);
  assert.match(good.body, /openclaw_gateway_auth_failures_total\{transport="http",reason="missing_token"\} 1/);
  const q = await get(port, `/metrics?token=${TOKEN}`, { Authorization: `Bearer ${TOKEN}` });
  assert.equal(q.status, 401, "a token in the URL is refused even when right");
  assert.equal(q.json().error, "token_in_url");
  await assert.rejects(wsClient(port, { path: `/ws?token=${TOKEN}`, connect: false }), (e: any) => e.status === 401);
});

test("token over the WebSocket: the first frame must be connect with the right token", async (t) => {
  const { port } = await startGateway(t, tokenGw, { env: { OC_TEST_TOKEN: TOKEN } });
  const missing = await wsClient(port, { connect: {} });
  assert.equal(missing.frames[0].ok, false);
  assert.equal(missing.frames[0].error.code, "unauthorized");
  assert.equal((await missing.closed).code, 4401);
  const wrong = await wsClient(port, { connect: { token: "nope-nope-nope-nope" } });
  assert.equal(wrong.frames[0].error.code, "unauthorized");
  assert.equal((await wrong.closed).code, 4401);
  const skip = await wsClient(port, { connect: false });
  const r = await skip.call("status");
  assert.equal(r.ok, false);
  assert.match(r.error.message, /first frame must be "connect"/);
  assert.equal((await skip.closed).code, 4401);
  const ok = await wsClient(port, { connect: { token: TOKEN } });
  assert.equal(ok.frames[0].ok, true);
  assert.equal((await ok.call("health")).payload.status, "ok");
  const again = await ok.call("connect", { token: TOKEN });
  assert.equal(again.error.code, "already_connected");
  ok.close();
});

test("generated token: written 0600, never in start's result; the log never holds it", async (t) => {
  const { port, started, gw, rt } = await startGateway(t, { auth: "token" });
  assert.equal(started.tokenSource, "file");
  assert.equal(started.tokenGenerated, true);
  assert.equal(statSync(started.tokenFile!).mode & 0o777, 0o600);
  const token = readFileSync(started.tokenFile!, "utf8").trim();
  assert.ok(token.length >= 32);
  assert.ok(!JSON.stringify(started).includes(token), "the start result (shown in outputs) never carries the token");
  const c = await wsClient(port, { connect: { token } });
  assert.equal(c.frames[0].ok, true);
  c.close();
  await gw.stop();
  const again = await gw.start({ onPairingCode: () => undefined });
  assert.equal(again.tokenGenerated, undefined, "reused, not generated again");
  assert.ok(!JSON.stringify(again).includes(token));
  await gw.stop();
  const log = readFileSync(gw.status().logPath, "utf8");
  assert.ok(log.length > 0);
  assert.ok(!log.includes(token), "token must not be logged");
  for (const line of log.trim().split("\n")) JSON.parse(line);
  void rt;
});

test("failed tokens: answered slower and slower, 429 while a client's slowed failures pend, and the right token still gets in (HTTP)", async (t) => {
  const { port } = await startGateway(t, { ...tokenGw, authFailuresPerMinute: 3 }, { env: { OC_TEST_TOKEN: TOKEN } });
  const timed = async (token: string) => {
    const t0 = performance.now();
    const r = await get(port, "/metrics", { Authorization: `Bearer ${token}` });
    return { status: r.status, ms: performance.now() - t0, retryAfter: r.headers["retry-after"] };
  };
  const wrong: Array<{ status: number; ms: number }> = [];
  for (let i = 0; i < 6; i++) wrong.push(await timed("bad-bad-bad-bad-bad"));
  assert.deepEqual(wrong.map((w) => w.status), [401, 401, 401, 401, 401, 401]);
  // 3 free, then 250 ms, 500 ms, 1 s.
  assert.ok(wrong[3]!.ms >= 200 && wrong[4]!.ms >= 450 && wrong[5]!.ms >= 950, `slower and slower: ${wrong.map((w) => Math.round(w.ms))}`);
  // Six wrong tokens (ten on main locked the owner out for 60 s): the right one gets in at once.
  const right = await timed(TOKEN);
  assert.equal(right.status, 200);
  assert.ok(right.ms < 1500, `the right token is not slowed down (${Math.round(right.ms)} ms; the next failure would wait 2 s)`);
  // A parallel burst: two wrong attempts hold the slots (2 s and 4 s), the rest get 429 unchecked.
  const burst = await Promise.all(Array.from({ length: 6 }, () => timed("bad-bad-bad-bad-bad")));
  const statuses = burst.map((b) => b.status).sort();
  assert.deepEqual(statuses, [401, 401, 429, 429, 429, 429], `burst: ${statuses}`);
  assert.ok(burst.filter((b) => b.status === 429).every((b) => Number(b.retryAfter) >= 1), "429 says when to come back");
  assert.ok(Math.max(...burst.map((b) => b.ms)) >= 3500, "the burst's slowed failures were held for their delay");
  // Once the burst's delays have run out, the right token gets in again.
  assert.equal((await timed(TOKEN)).status, 200);
});

test("failed tokens over the WebSocket share the limiter: slowed, never a lockout", async (t) => {
  const { port } = await startGateway(t, { ...tokenGw, authFailuresPerMinute: 2 }, { env: { OC_TEST_TOKEN: TOKEN } });
  for (let i = 0; i < 2; i++) await (await wsClient(port, { connect: { token: "bad-bad-bad-bad-bad" } })).closed;
  // The third wrong token (over HTTP) is the first one slowed down.
  const t0 = performance.now();
  assert.equal((await get(port, "/metrics", { Authorization: "Bearer bad-bad-bad-bad-bad" })).status, 401);
  assert.ok(performance.now() - t0 >= 200, "slowed after the WebSocket failures");
  const t1 = performance.now();
  const slowWs = await wsClient(port, { connect: { token: "bad-bad-bad-bad-bad" } });
  assert.equal(slowWs.frames[0].error.code, "unauthorized");
  assert.ok(performance.now() - t1 >= 450, "a wrong WebSocket token is answered slower too");
  assert.equal((await get(port, "/metrics", { Authorization: `Bearer ${TOKEN}` })).status, 200);
  const ok = await wsClient(port, { connect: { token: TOKEN } });
  assert.equal(ok.frames[0].ok, true, "the right token still connects");
  ok.close();
});

test("deviceAuth: the UI needs the one-time pairing code, then a session; a code works once", async (t) => {
  const { port, pairing, gw } = await startGateway(t, { control: { ui: true, deviceAuth: true } });
  assert.equal(pairing.length, 1);
  assert.match(pairing[0]!, /^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  assert.equal(gw.currentPairingCode(), pairing[0]);
  const none = await wsClient(port, { connect: {} });
  assert.equal(none.frames[0].error.code, "pairing_required");
  const wrong = await wsClient(port, { connect: { pairingCode: "AAAA-AAAA" } });
  assert.equal(wrong.frames[0].error.code, "pairing_required");
  const paired = await wsClient(port, { connect: { pairingCode: pairing[0]!.toLowerCase() } });
  assert.equal(paired.frames[0].ok, true);
  const session = paired.frames[0].payload.session as string;
  assert.ok(session.length > 20);
  assert.equal(pairing.length, 2, "a new code is shown after one is used");
  const reuse = await wsClient(port, { connect: { pairingCode: pairing[0] } });
  assert.equal(reuse.frames[0].ok, false, "a used code is dead");
  const back = await wsClient(port, { connect: { session } });
  assert.equal(back.frames[0].ok, true);
  // The session also opens /metrics; nothing else does.
  assert.equal((await get(port, "/metrics")).status, 401);
  assert.equal((await get(port, "/metrics", { Authorization: `Bearer ${session}` })).status, 200);
  paired.close();
  back.close();
});

test("Pairing: codes are one-use and sessions are checked in constant time", () => {
  const shown: string[] = [];
  const p = new Pairing((c) => shown.push(c));
  assert.equal(p.redeem("nope"), undefined);
  const s = p.redeem(shown[0]!);
  assert.ok(s);
  assert.equal(p.hasSession(s!), true);
  assert.equal(p.hasSession("x"), false);
  assert.equal(p.redeem(shown[0]!), undefined);
  assert.notEqual(shown[1], shown[0]);
});

test("a token file others can read stops start-up with exit 78", async (t) => {
  const { rt } = makeRuntime(t, { host: "kernel", config: { gateway: { auth: "token" } } });
  const gw = await rt.gateway();
  const first = await gw.start({ onPairingCode: () => undefined });
  await gw.stop();
  chmodSync(first.tokenFile!, 0o640);
  await assert.rejects(gw.start(), (e: any) => e instanceof SafetyError && e.exitCode === 78);
  assert.equal(gw.running, false);
  assert.ok(existsSync(first.tokenFile!));
});
