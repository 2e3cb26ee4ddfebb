// The WebSocket protocol: frames validated both ways, size cap, unknown methods, the
// runtime methods (the real parts, through the connection's door), streamed agent
// events, approvals, exit notices to their owner, and graceful stop.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { FIXTURE_SKILLS } from "../fixtures/runtime.js";
import { writeSkill } from "../fixtures/models/runtime.js";
import { tmp, writeFile } from "../helpers/index.js";
import { get, startGateway, wsClient } from "./helpers.js";

/** Skills for these tests beside the fixture ones: a background sleeper and a foreground nap. */
/** Resolves once a process with exactly this argv exists (the skill's child has started). */
/** The parent pid of `pid`, from /proc (0 when it is gone). */
function ppid(pid: number): number {
  try {
    return Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** True when `pid` descends from this test process (not another test file's process running the same command). */
function ours(pid: number): boolean {
  for (let p = pid, hops = 0; p > 1 && hops < 64; p = ppid(p), hops++) if (p === process.pid) return true;
  return false;
}

async function processRunning(argv: string[], ms = 15_000): Promise<void> {
  const want = argv.join("\0") + "\0";
  const deadline = Date.now() + ms;
  for (;;) {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, "utf8") === want && ours(Number(pid))) return;
      } catch {
        /* gone */
      }
    }
    if (Date.now() > deadline) throw new Error(`no process ${argv.join(" ")} within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

function extraSkills(t: { after(fn: () => void): void }): string {
  const dir = tmp(t, "oc-gw-skills-");
  writeSkill(dir, "sleeper", "sleep {{secs}}", { secs: { type: "string", pattern: "^[0-9.]+$" } }, { backgroundMs: 50 });
  writeFile(join(dir, "nap", "SKILL.md"), "---\nname: nap\ndescription: sleeps in the foreground\nexec:\n  cmd: sleep {{secs}}\n  timeoutSec: 60\n  backgroundMs: 60000\nparameters:\n  type: object\n  properties:\n    secs: { type: string, pattern: \"^[0-9.]+$\" }\n  required: [secs]\n---\n");
  return dir;
}

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

test("built-in methods: health, status, doctor, config.get (redacted)", async (t) => {
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
  void rt;
  c.close();
});

test("runtime methods act through the client's door: gateway actor with its client id, owner, approver; exec.kill is audited like the CLI's", { timeout: 60_000 }, async (t) => {
  const { port, rt, base, fx } = await startGateway(t, {}, { config: { skills: { dirs: [FIXTURE_SKILLS, extraSkills(t)] } } });
  const c = await wsClient(port);
  const clientId = c.frames[0].payload.clientId as string;
  const owner = `gateway:${clientId}`;
  const names = (await c.call("skills.list")).payload.skills.map((s: { name: string }) => s.name);
  assert.deepEqual(names, ["argv-echo", "local-rag", "nap", "risky", "sleeper"]);
  const evil = "a; rm -rf / $(x)";
  const inv = await c.call("skills.invoke", { name: "argv-echo", params: { text: evil } });
  assert.equal(inv.payload.status, "ok", JSON.stringify(inv.payload));
  assert.deepEqual(JSON.parse(inv.payload.stdout), ["--text", evil, "--tag", "none"]);
  const [rec] = (await c.call("audit.tail", { n: 1 })).payload.records;
  assert.equal(rec.skill, "argv-echo");
  assert.deepEqual(rec.actor, { host: "gateway", sessionId: rt.sessionId, clientId }, "the actor is bound to this connection, not passed by it");
  assert.equal((await c.call("audit.tail", { n: 0 })).error.code, "bad_params");
  assert.ok((await c.call("models.list")).payload.count >= 1);

  // A background run is owned by this client; exec.list/log see it; exec.kill is audited with this client's actor.
  const bg = await c.call("skills.invoke", { name: "sleeper", params: { secs: "30" } });
  assert.equal(bg.payload.status, "running", JSON.stringify(bg.payload));
  const id = bg.payload.id as string;
  const started = await fx.waitEvent((e) => e.type === "exec.background" && e.id === id);
  assert.ok(started.type === "exec.background");
  assert.equal(started.owner, owner);
  assert.ok((await c.call("exec.list")).payload.sessions.some((s: { id: string }) => s.id === id));
  assert.equal((await c.call("exec.log", { id })).payload.status, "running");
  const killed = await c.call("exec.kill", { id });
  assert.equal(killed.ok, true, JSON.stringify(killed.error));
  assert.equal(killed.payload.signal, "SIGTERM");
  const last = (await c.call("audit.tail", { n: 1 })).payload.records[0];
  assert.equal(last.action, "exec.kill");
  assert.equal(last.execId, id);
  assert.equal(last.decision, "allow");
  assert.equal(last.rule, "exec.kill");
  assert.deepEqual(last.argv, ["sleep", "30"]);
  assert.deepEqual(last.actor, { host: "gateway", sessionId: rt.sessionId, clientId });
  assert.equal((await rt.door().auditVerify()).ok, true);

  // Approval: the request waits for exec.approval.resolve from the same client.
  const pending = c.call("skills.invoke", { name: "risky", params: { what: "x" } });
  const ask = await c.waitEvent((e) => e.event === "exec.approval.requested");
  assert.equal(ask.payload.skill, "risky");
  assert.equal((await c.call("exec.approval.resolve", { approvalId: "nope", approve: true })).error.code, "not_found");
  const other = await wsClient(port);
  assert.equal((await other.call("exec.approval.resolve", { approvalId: ask.payload.approvalId, approve: true })).ok, false, "another client cannot approve");
  assert.equal((await c.call("exec.approval.resolve", { approvalId: ask.payload.approvalId, approve: true })).ok, true);
  assert.equal((await pending).payload.status, "ok");
  const denied = c.call("skills.invoke", { name: "risky", params: { what: "y" } });
  const ask2 = await c.waitEvent((e) => e.event === "exec.approval.requested" && e.payload.approvalId !== ask.payload.approvalId);
  await c.call("exec.approval.resolve", { approvalId: ask2.payload.approvalId, approve: false });
  assert.equal((await denied).payload.status, "denied");
  assert.equal((await denied).payload.rule, "approval.denied");

  // Exit notices go to the owning client even unsubscribed; others get them only if subscribed.
  const notice = await c.waitEvent((e) => e.event === "exec.exit" && e.payload.id === id);
  assert.equal(notice.payload.signal, "SIGTERM");
  assert.ok(notice.seq >= 1);
  assert.equal(other.events.filter((e) => e.event === "exec.exit").length, 0);
  await other.call("events.subscribe", { types: ["exec."] });
  rt.emit({ type: "exec.exit", id: "s2", owner: "someone-else", exitCode: 1, signal: null, timedOut: true, durationMs: 5, tail: "" });
  rt.emit({ type: "rag.progress", done: 1, total: 2, phase: "embed" });
  await other.waitEvent((e) => e.event === "exec.exit" && e.payload.id === "s2");
  await other.call("health");
  assert.equal(other.events.some((e) => e.event === "rag.progress"), false, "filtered by prefix");
  assert.equal(c.events.some((e) => e.payload.id === "s2"), false, "not the owner, not subscribed");

  const m = await (await fetch(base + "/metrics")).text();
  assert.match(m, /openclaw_skill_invocations_total\{source="gateway",status="ok"\} 2/);
  assert.match(m, /openclaw_exec_runs_total\{source="background"\} 2/);
  assert.match(m, /openclaw_exec_timeouts_total\{source="background"\} 1/);
  c.close();
  other.close();
});

test("agent.run streams the turn's events tagged with the request id; cancel and a client leaving abort it", { timeout: 60_000 }, async (t) => {
  const scripts = tmp(t, "oc-gw-scripts-");
  writeFile(join(scripts, "hello.json"), { turns: [{ content: "done" }] });
  writeFile(join(scripts, "nap.json"), { turns: [{ toolCalls: [{ name: "nap", arguments: { secs: "30" } }] }, { content: "woke up" }] });
  const { port, fx } = await startGateway(t, {}, { config: { skills: { dirs: [FIXTURE_SKILLS, extraSkills(t)] }, models: { providers: { scripted: { scriptsDir: scripts } } } } });
  const c = await wsClient(port);
  const r = await c.call("agent.run", { prompt: "hello", model: "scripted/hello.json" });
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.equal(r.payload.final, "done");
  const evs = c.events.filter((e) => e.reqId === r.id).map((e) => e.event);
  assert.equal(evs[0], "turn.start");
  assert.equal(evs.at(-1), "turn.end");
  const seqs = c.events.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  assert.equal((await c.call("agent.run", {})).error.code, "bad_params");
  // cancel aborts a running turn (its tool run is killed)
  const hanging = c.call("agent.run", { prompt: "nap", model: "scripted/nap.json" });
  const call1 = await c.waitEvent((e) => e.event === "tool.call" && e.reqId !== r.id);
  assert.equal((await c.call("cancel", { id: call1.reqId })).payload.cancelled, true);
  assert.equal((await hanging).payload.status, "aborted");
  // leaving aborts too
  c.call("agent.run", { prompt: "nap", model: "scripted/nap.json" }).catch(() => undefined);
  await c.waitEvent((e) => e.event === "tool.call" && e.reqId !== r.id && e.reqId !== call1.reqId);
  c.close();
  await c.closed;
  await fx.waitEvent((e) => e.type === "turn.end" && e.status === "aborted" && fx.events.filter((x) => x.type === "turn.end" && x.status === "aborted").length === 2, 30_000);
});

test("graceful stop: in-flight requests finish, clients get 1001, nothing listens after", { timeout: 30_000 }, async (t) => {
  const { port, gw, fx } = await startGateway(t, {}, { config: { skills: { dirs: [FIXTURE_SKILLS, extraSkills(t)] } } });
  const c = await wsClient(port);
  const inflight = c.call("skills.invoke", { name: "nap", params: { secs: "0.731" } });
  await processRunning(["sleep", "0.731"]); // the request is running on the server
  const stopping = gw.stop();
  const res = await inflight;
  assert.equal(res.ok, true, "the running request got its answer before the socket closed");
  assert.equal(res.payload.status, "ok");
  assert.equal((await c.closed).code, 1001);
  await stopping;
  assert.equal(gw.running, false);
  assert.equal(gw.status().port, null);
  await assert.rejects(get(port, "/health"), /ECONNREFUSED/);
  await gw.stop(); // idempotent
  void fx;
});

test("graceful stop: a request that would run forever is aborted after the drain window", { timeout: 30_000 }, async (t) => {
  const { port, gw } = await startGateway(t, {}, { config: { skills: { dirs: [FIXTURE_SKILLS, extraSkills(t)] } } });
  const c = await wsClient(port);
  const forever = c.call("skills.invoke", { name: "nap", params: { secs: "30.417" } });
  await processRunning(["sleep", "30.417"]); // the request is running on the server
  const t0 = performance.now();
  await gw.stop();
  const took = performance.now() - t0;
  const res = await forever;
  assert.equal(res.payload.status, "failed", "it was told to stop and answered");
  assert.match(res.payload.reason, /aborted/);
  assert.ok(took >= 2500 && took < 10_000, `drained for the window, then aborted (${Math.round(took)} ms)`);
  assert.equal((await c.closed).code, 1001);
});
