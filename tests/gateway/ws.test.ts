// The WebSocket protocol: frames validated both ways, size cap, unknown methods, the
// runtime methods (through fakes of the parts other areas build), streamed agent
// events, approvals, exit notices to their owner, and graceful stop.
import assert from "node:assert/strict";
import { test } from "node:test";
import { get, startGateway, wsClient } from "./helpers.js";

test("malformed, schema-invalid and binary frames get error frames; the socket stays usable", async (t) => {
  const { port } = await startGateway(t);
  const c = await wsClient(port);
  const next = () => new Promise<any>((r) => c.ws.once("message", (d) => r(JSON.parse(String(d)))));
  let p = next();
  c.sendRaw("{not json");
  assert.deepEqual((await p).error.code, "bad_frame");
  assert.equal((await next2(c, () => c.sendRaw(JSON.stringify({ type: "req", id: "x1" })))).id, "x1", "the id of an invalid frame is echoed");
  p = next();
  c.sendRaw(JSON.stringify({ type: "req", id: "x2", method: "health", extra: 1 }));
  assert.match((await p).error.message, /invalid frame/);
  p = next();
  c.sendRaw(JSON.stringify({ type: "event", event: "x", payload: 1, seq: 1 }));
  assert.match((await p).error.message, /clients send "req" frames/);
  p = next();
  c.sendRaw(Buffer.from([1, 2, 3]));
  assert.match((await p).error.message, /binary frames/);
  p = next();
  c.sendRaw(JSON.stringify([1, 2]));
  assert.equal((await p).id, null);
  assert.equal((await c.call("health")).ok, true, "still alive");
  c.close();
});

async function next2(c: Awaited<ReturnType<typeof wsClient>>, send: () => void): Promise<any> {
  const p = new Promise<any>((r) => c.ws.once("message", (d) => r(JSON.parse(String(d)))));
  send();
  return p;
}

test("oversized frames close the socket with 1009 and never reach a handler", async (t) => {
  const { port, base } = await startGateway(t, { maxFrameBytes: 2048 });
  const c = await wsClient(port);
  c.sendRaw(JSON.stringify({ type: "req", id: "big", method: "health", params: { pad: "x".repeat(4096) } }));
  const closed = await c.closed;
  assert.equal(closed.code, 1009);
  assert.equal((await fetch(base + "/health")).status, 200, "the gateway lives on");
});

test("unknown methods get an error with a suggestion, not a crash", async (t) => {
  const { port } = await startGateway(t);
  const c = await wsClient(port);
  const r = await c.call("skill.list");
  assert.equal(r.ok, false);
  assert.equal(r.error.code, "unknown_method");
  assert.match(r.error.message, /did you mean "skills.list"/);
  const bad = await c.call("exec.log", {});
  assert.equal(bad.error.code, "bad_params");
  // Deep nesting is refused before anything recursive sees it (found in review: a stack overflow).
  const before = c.frames.length;
  c.sendRaw(`{"type":"req","id":"deep-1","method":"skills.invoke","params":${'{"a":'.repeat(50000)}1${"}".repeat(50000)}}`);
  const deep = await new Promise<any>((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      const f = c.frames.slice(before).find((x) => x.id === "deep-1");
      if (f || Date.now() - t0 > 5000) {
        clearInterval(poll);
        f ? resolve(f) : reject(new Error("no answer to the deep frame"));
      }
    }, 20);
  });
  assert.equal(deep.ok, false);
  assert.equal(deep.error.code, "bad_frame");
  assert.match(deep.error.message, /nests deeper than 32/);
  // Names on Object.prototype are not methods (found in review: "constructor" echoed its params).
  for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
    const p = await c.call(name, { a: 1 });
    assert.equal(p.ok, false, name);
    assert.ok(["unknown_method", "bad_frame"].includes(p.error.code), `${name}: ${p.error.code}`);
  }
  c.close();
});

test("built-in methods: health, status, config.get (redacted), and parts not built yet answer 'unavailable'", async (t) => {
  const { port, rt } = await startGateway(t, { auth: { mode: "token", tokenEnv: "OC_T" } }, { env: { OC_T: "abcdefghijklmnopqrstuvwxyz" } });
  const c = await wsClient(port, { connect: { token: "abcdefghijklmnopqrstuvwxyz" } });
  const h = await c.call("health");
  assert.equal(h.payload.service, "openclaw-kernel");
  const s = await c.call("status");
  assert.equal(s.payload.port, port);
  assert.equal(s.payload.clients, 1);
  const doc = await c.call("doctor");
  assert.equal(doc.ok, true);
  assert.ok(doc.payload.checks.some((x: any) => x.id === "gateway.exposure"), "doctor runs the same checks the CLI runs");
  const cfg = await c.call("config.get");
  assert.equal(cfg.payload.config.gateway.bind, "127.0.0.1:0");
  assert.ok(!JSON.stringify(cfg.payload).includes("abcdefghijklmnopqrstuvwxyz"), "no token in config.get");
  // A part without the method (a skeleton not yet replaced) answers "unavailable", cleanly.
  rt.fakes = { skills: {}, exec: {}, audit: {}, models: {} };
  for (const m of ["skills.list", "exec.list", "audit.tail", "models.list"]) {
    const r = await c.call(m);
    assert.equal(r.ok, false, m);
    assert.equal(r.error.code, "unavailable", m);
    assert.match(r.error.message, new RegExp(`${m.replace(".", "\\.")} is not available`));
  }
  void rt;
  c.close();
});

test("runtime methods call the runtime's parts with the gateway actor, owner and approver", async (t) => {
  const calls: any[] = [];
  const fakes = {
    skills: {
      list: () => [{ name: "local-rag", description: "search the docs" }],
      invoke: async (name: string, params: any, opts: any) => {
        calls.push({ name, params, opts });
        if (name === "risky") {
          const ok = await opts.approver({ kind: "skill", summary: "run risky", skill: "risky", argv: ["rm", "x"] });
          return { skill: name, status: ok ? "ok" : "denied", exitCode: ok ? 0 : null, durationMs: 3 };
        }
        return { skill: name, status: "ok", argv: ["echo", params.q], exitCode: 0, signal: null, timedOut: false, durationMs: 12, stdout: params.q, stderr: "" };
      },
    },
    exec: { list: () => [{ id: "s1", status: "running", argv: ["sleep", "9"] }], log: async (id: string) => ({ id, stdout: "out" }), kill: async (id: string) => ({ id, signal: "SIGTERM" }) },
    audit: { tail: async (n: number) => Array.from({ length: Math.min(n, 2) }, (_, i) => ({ seq: i + 1, action: "invoke" })) },
    models: { list: async () => ({ count: 1, models: [{ ref: "openai/gpt-4o-mini" }] }) },
  };
  const { port, rt, base } = await startGateway(t, {}, { fakes });
  const c = await wsClient(port);
  assert.deepEqual((await c.call("skills.list")).payload.skills[0].name, "local-rag");
  const inv = await c.call("skills.invoke", { name: "echo", params: { q: "a; rm -rf / $(x)" } });
  assert.equal(inv.payload.stdout, "a; rm -rf / $(x)");
  assert.equal(calls[0].opts.actor.host, "gateway");
  assert.equal(calls[0].opts.owner, `gateway:${c.frames[0].payload.clientId}`);
  assert.equal((await c.call("exec.list")).payload.sessions[0].id, "s1");
  assert.equal((await c.call("exec.log", { id: "s1" })).payload.stdout, "out");
  assert.equal((await c.call("exec.kill", { id: "s1" })).payload.signal, "SIGTERM");
  assert.equal((await c.call("audit.tail", { n: 5 })).payload.records.length, 2);
  assert.equal((await c.call("audit.tail", { n: 0 })).error.code, "bad_params");
  assert.equal((await c.call("models.list")).payload.count, 1);

  // Approval: the request waits for exec.approval.resolve from the same client.
  const pending = c.call("skills.invoke", { name: "risky", params: {} });
  const ask = await c.waitEvent((e) => e.event === "exec.approval.requested");
  assert.equal(ask.payload.skill, "risky");
  assert.equal((await c.call("exec.approval.resolve", { approvalId: "nope", approve: true })).error.code, "not_found");
  const other = await wsClient(port);
  assert.equal((await other.call("exec.approval.resolve", { approvalId: ask.payload.approvalId, approve: true })).ok, false, "another client cannot approve");
  assert.equal((await c.call("exec.approval.resolve", { approvalId: ask.payload.approvalId, approve: true })).ok, true);
  assert.equal((await pending).payload.status, "ok");
  const denied = c.call("skills.invoke", { name: "risky", params: {} });
  const ask2 = await c.waitEvent((e) => e.event === "exec.approval.requested" && e.payload.approvalId !== ask.payload.approvalId);
  await c.call("exec.approval.resolve", { approvalId: ask2.payload.approvalId, approve: false });
  assert.equal((await denied).payload.status, "denied");

  // Exit notices go to the owning client even unsubscribed; others get them only if subscribed.
  const owner = `gateway:${c.frames[0].payload.clientId}`;
  rt.emit({ type: "exec.exit", id: "s1", owner, exitCode: 0, signal: null, timedOut: false, durationMs: 40, tail: "" });
  const notice = await c.waitEvent((e) => e.event === "exec.exit");
  assert.equal(notice.payload.id, "s1");
  assert.ok(notice.seq >= 1);
  assert.equal(other.events.filter((e) => e.event === "exec.exit").length, 0);
  await other.call("events.subscribe", { types: ["exec."] });
  rt.emit({ type: "exec.exit", id: "s2", owner: "someone-else", exitCode: 1, signal: null, timedOut: true, durationMs: 5, tail: "" });
  rt.emit({ type: "rag.progress", done: 1, total: 2 });
  // Frames arrive in order: once s3 (emitted after the progress event) is here, a progress frame would have been too.
  rt.emit({ type: "exec.background", id: "s3", owner: "someone-else", backgroundMs: 1, argv: ["true"], pid: 1 });
  await other.waitEvent((e) => e.event === "exec.background" && e.payload.id === "s3");
  assert.ok(other.events.some((e) => e.event === "exec.exit" && e.payload.id === "s2"));
  assert.equal(other.events.some((e) => e.event === "rag.progress"), false, "filtered by prefix");
  assert.equal(c.events.some((e) => e.payload.id === "s2"), false, "not the owner, not subscribed");

  const m = await (await fetch(base + "/metrics")).text();
  assert.match(m, /openclaw_skill_invocations_total\{source="gateway",status="ok"\} 2/);
  assert.match(m, /openclaw_exec_runs_total\{source="background"\} 2/);
  assert.match(m, /openclaw_exec_timeouts_total\{source="background"\} 1/);
  c.close();
  other.close();
});

test("agent.run streams the turn's events tagged with the request id; a client leaving aborts it", async (t) => {
  let seenSignal: AbortSignal | undefined;
  const fakes = {
    agent: {
      run: async (req: any) => {
        seenSignal = req.signal;
        req.onEvent({ type: "turn.start", ts: Date.now(), model: req.model ?? "openai/gpt-4o-mini" });
        req.onEvent({ type: "model.delta", ts: Date.now(), text: "hi" });
        if (req.prompt === "hang") await new Promise((r) => req.signal.addEventListener("abort", r));
        req.onEvent({ type: "turn.end", ts: Date.now(), status: req.signal.aborted ? "aborted" : "ok" });
        return { status: req.signal.aborted ? "aborted" : "ok", final: "done", steps: 1 };
      },
    },
  };
  const { port, rt } = await startGateway(t, {}, { fakes });
  const c = await wsClient(port);
  const r = await c.call("agent.run", { prompt: "hello", model: "openai/gpt-4o-mini" });
  assert.equal(r.payload.final, "done");
  const evs = c.events.filter((e) => e.reqId === r.id).map((e) => e.event);
  assert.deepEqual(evs, ["turn.start", "model.delta", "turn.end"]);
  const seqs = c.events.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  assert.equal((await c.call("agent.run", {})).error.code, "bad_params");
  // cancel aborts a running turn
  const hanging = c.call("agent.run", { prompt: "hang" });
  await c.waitEvent((e) => e.event === "model.delta" && e.reqId !== r.id);
  const hid = c.frames.filter((f) => f.type === "event" && f.event === "turn.start").at(-1).reqId;
  assert.equal((await c.call("cancel", { id: hid })).payload.cancelled, true);
  assert.equal((await hanging).payload.status, "aborted");
  // leaving aborts too
  c.call("agent.run", { prompt: "hang" }).catch(() => undefined);
  await c.waitEvent((e) => e.event === "turn.start" && e.reqId !== r.id && e.reqId !== hid);
  c.close();
  await c.closed;
  for (let i = 0; i < 50 && !seenSignal?.aborted; i++) await new Promise((res) => setTimeout(res, 10));
  assert.equal(seenSignal?.aborted, true);
  void rt;
});

test("graceful stop: in-flight requests finish, clients get 1001, nothing listens after", async (t) => {
  let release!: () => void;
  let started!: () => void;
  const invoked = new Promise<void>((r) => (started = r));
  const fakes = {
    skills: {
      list: () => [],
      invoke: () => {
        started();
        return new Promise((r) => (release = () => r({ status: "ok", exitCode: 0, durationMs: 1 })));
      },
    },
  };
  const { port, gw } = await startGateway(t, {}, { fakes });
  const c = await wsClient(port);
  const inflight = c.call("skills.invoke", { name: "slow", params: {} });
  await invoked; // the request is running on the server
  const stopping = gw.stop();
  setTimeout(() => release(), 100);
  const res = await inflight;
  assert.equal(res.ok, true, "the running request got its answer before the socket closed");
  assert.equal((await c.closed).code, 1001);
  await stopping;
  assert.equal(gw.running, false);
  assert.equal(gw.status().port, null);
  await assert.rejects(get(port, "/health"), /ECONNREFUSED/);
  await gw.stop(); // idempotent
});

test("graceful stop: a request that would run forever is aborted after the drain window", { timeout: 20_000 }, async (t) => {
  let started!: () => void;
  const invoked = new Promise<void>((r) => (started = r));
  const fakes = {
    skills: {
      list: () => [],
      invoke: (_n: string, _p: unknown, opts: { signal: AbortSignal }) => {
        started();
        return new Promise((r) => opts.signal.addEventListener("abort", () => r({ status: "aborted", exitCode: null, durationMs: 1 })));
      },
    },
  };
  const { port, gw } = await startGateway(t, {}, { fakes });
  const c = await wsClient(port);
  const forever = c.call("skills.invoke", { name: "forever", params: {} });
  await invoked; // the request is running on the server
  const t0 = performance.now();
  await gw.stop();
  const took = performance.now() - t0;
  assert.equal((await forever).payload.status, "aborted", "it was told to stop and answered");
  assert.ok(took >= 2500 && took < 10_000, `drained for the window, then aborted (${Math.round(took)} ms)`);
  assert.equal((await c.closed).code, 1001);
});
