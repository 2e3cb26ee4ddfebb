import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import type { EventOf } from "../../runtime/events.js";
import { makeExec, until } from "./setup.js";

test("a run that outlives backgroundMs continues as a session; exactly one exit notice; cleanup collects it", async (t) => {
  const { ex, events } = makeExec(t, { backgroundMs: 100, cleanupMs: 300 });
  const r = await ex.run({ argv: ["sh", "-c", "echo begin; sleep 0.5; echo done"], owner: "turn-1" });
  assert.equal(r.status, "running");
  assert.ok(r.pid);
  assert.ok(["", "begin\n"].includes(r.stdout), "the output so far (a loaded machine may not have run echo yet)");
  assert.deepEqual(ex.list().map((s) => [s.id, s.status]), [[r.id, "running"]]);
  assert.deepEqual(events.filter((e): e is EventOf<"exec.background"> => e.type === "exec.background").map((e) => e.id), [r.id]);
  assert.deepEqual(ex.drainNotices("turn-1"), [], "no notice while it runs");

  const fin = await ex.wait(r.id);
  assert.equal(fin.status, "ok");
  assert.equal(fin.stdout, "begin\ndone\n");
  const exits = events.filter((e): e is EventOf<"exec.exit"> => e.type === "exec.exit");
  assert.equal(exits.length, 1, "exactly one exec.exit event");
  assert.equal(exits[0]!.id, r.id);
  assert.equal(exits[0]!.owner, "turn-1");
  assert.match(String(exits[0]!.tail), /done/);
  assert.deepEqual(ex.drainNotices("someone-else"), []);
  const notices = ex.drainNotices("turn-1");
  assert.equal(notices.length, 1);
  assert.equal(notices[0]!.exitCode, 0);
  assert.deepEqual(ex.drainNotices("turn-1"), [], "each notice is delivered once");

  // The whole log went to disk once it went to the background, until cleanup.
  const logDir = fin.logDir!;
  assert.equal(readFileSync(`${logDir}/stdout.log`, "utf8"), "begin\ndone\n");
  assert.equal(JSON.parse(readFileSync(`${logDir}/meta.json`, "utf8")).status, "ok");
  assert.ok(await until(() => ex.list().length === 0 && !existsSync(logDir), 3000), "collected after cleanupMs");
  await assert.rejects(ex.log(r.id), /no exec session/);
  assert.equal(events.filter((e) => e.type === "exec.exit").length, 1, "still one notice after cleanup");
});

test("an empty successful background run notifies only with notifyOnExitEmptySuccess", async (t) => {
  const quiet = makeExec(t, { backgroundMs: 50 });
  const r1 = await quiet.ex.run({ argv: ["sleep", "0.2"], owner: "k" });
  assert.equal(r1.status, "running");
  await quiet.ex.wait(r1.id);
  assert.equal(quiet.events.filter((e) => e.type === "exec.exit").length, 0);
  assert.deepEqual(quiet.ex.drainNotices("k"), []);

  const loud = makeExec(t, { backgroundMs: 50, notifyOnExitEmptySuccess: true });
  const r2 = await loud.ex.run({ argv: ["sleep", "0.2"], owner: "k" });
  await loud.ex.wait(r2.id);
  assert.equal(loud.ex.drainNotices("k").length, 1);

  // A failure is always told, output or not.
  const r3 = await quiet.ex.run({ argv: ["sh", "-c", "sleep 0.2; exit 3"], owner: "k" });
  await quiet.ex.wait(r3.id);
  const n = quiet.ex.drainNotices("k");
  assert.equal(n.length, 1);
  assert.equal(n[0]!.exitCode, 3);
});

test("notifyOnExit false: no notice at all", async (t) => {
  const { ex, events } = makeExec(t, { backgroundMs: 50, notifyOnExit: false });
  const r = await ex.run({ argv: ["sh", "-c", "sleep 0.2; echo x"], owner: "k" });
  await ex.wait(r.id);
  assert.equal(events.filter((e) => e.type === "exec.exit").length, 0);
  assert.deepEqual(ex.drainNotices("k"), []);
});

test("exec kill stops a background session's group; close() kills every session", async (t) => {
  const { ex, events } = makeExec(t, { backgroundMs: 50 });
  const r = await ex.run({ argv: ["sleep", "30"], owner: "k" });
  assert.equal(r.status, "running");
  const k = await ex.kill(r.id);
  assert.equal(k.status, "aborted");
  assert.equal(k.signal, "SIGTERM");
  assert.equal(events.filter((e) => e.type === "exec.exit").length, 1, "a killed session still gets its one notice");
  const r2 = await ex.run({ argv: ["sleep", "30"] });
  const t0 = Date.now();
  await ex.close();
  assert.ok(Date.now() - t0 < 3000);
  assert.equal(ex.list().find((s) => s.id === r2.id)?.status, "aborted");
  await assert.rejects(ex.run({ argv: ["/bin/true"] }), /closed/);
});

test("log folders left by an earlier process are swept once older than cleanupMs; a live one is kept", async (t) => {
  const { mkdirSync, writeFileSync, utimesSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { ex, stateDir } = makeExec(t, { cleanupMs: 1000 });
  const old = new Date(Date.now() - 60_000);
  const mk = (id: string, meta: object) => {
    const d = join(stateDir, "exec", id);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "meta.json"), JSON.stringify(meta));
    writeFileSync(join(d, "stdout.log"), "x");
    for (const f of ["meta.json", "stdout.log", ""]) utimesSync(join(d, f), old, old);
    return d;
  };
  const dead = mk("xdead", { status: "ok", pid: 999999 });
  const { procStartTicks } = await import("../../runtime/exec/foreign.js");
  const live = mk("xlive", { status: "running", pid: process.pid, startTicks: procStartTicks(process.pid), background: true });
  const recycled = mk("xrecycled", { status: "running", pid: process.pid, startTicks: "1", background: true });
  await ex.run({ argv: ["/bin/true"] });
  await ex.sweepDone(); // the sweep runs beside the first run, off its path
  assert.equal(existsSync(dead), false);
  assert.equal(existsSync(live), true);
  assert.equal(existsSync(recycled), false, "a pid now used by another process is not the session's");
});

test("another process on the same state dir sees, reads and kills a background session (pid reuse checked)", async (t) => {
  const { ExecManager } = await import("../../runtime/exec/index.js");
  const a = makeExec(t, { backgroundMs: 100 });
  const r = await a.ex.run({ argv: ["sh", "-c", "echo hello-from-a; sleep 30"], owner: "k" });
  assert.equal(r.status, "running");
  // A second manager stands in for a terminal's CLI: it has no sessions of its own.
  const b = new ExecManager({ config: a.ex.config, workspace: a.workspace, stateDir: a.stateDir, emit: () => undefined });
  t.after(() => b.close());
  // Our own sessions are never listed twice; b sees a's only through the files, and only as "another process" when hostPid differs.
  const metaPath = `${r.logDir}/meta.json`;
  const { readFileSync: rf, writeFileSync: wf } = await import("node:fs");
  const meta = JSON.parse(rf(metaPath, "utf8"));
  assert.equal(meta.hostPid, process.pid);
  wf(metaPath, JSON.stringify({ ...meta, hostPid: 1 })); // pretend a was another process
  const seen = b.list();
  assert.deepEqual(seen.map((s) => [s.id, s.status, s.foreign]), [[r.id, "running", true]]);
  assert.match((await b.log(r.id)).stdout, /hello-from-a/);
  await assert.rejects(b.log("../../etc"), /no exec session/);
  const killed = await b.kill(r.id);
  assert.notEqual(killed.status, "running");
  const fin = await a.ex.wait(r.id);
  assert.equal(fin.status, "failed");
  assert.equal(fin.signal, "SIGTERM");
  assert.equal(a.ex.drainNotices("k").length, 1, "the owning process still tells its owner, once");
});
