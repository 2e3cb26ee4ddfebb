/**
 * Issue 18: leftover session folders are swept beside the first run, not before it, and
 * `exec.list` pages newest first (`--limit`), reading only as many folders as it shows.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { makeExec } from "./setup.js";

test("10k-style leftovers: the first run does not wait for the sweep, which then collects them all", { timeout: 300_000 }, async (t) => {
  const { ex, stateDir } = makeExec(t, { cleanupMs: 1000 });
  const old = new Date(Date.now() - 3_600_000);
  const N = 3000;
  for (let i = 0; i < N; i++) {
    const d = join(stateDir, "exec", `xold${i}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "meta.json"), JSON.stringify({ status: "ok", pid: 999999 }));
    utimesSync(join(d, "meta.json"), old, old);
    utimesSync(d, old, old);
  }
  const r = await ex.run({ argv: ["/bin/true"] });
  assert.equal(r.status, "ok");
  // Without the fix the sweep ran synchronously inside run(): every folder was gone here.
  const left = readdirSync(join(stateDir, "exec")).filter((n) => n.startsWith("xold")).length;
  assert.ok(left > 0, `the run waited for the sweep (${N} folders already removed when it returned)`);
  await ex.sweepDone();
  assert.deepEqual(readdirSync(join(stateDir, "exec")).filter((n) => n.startsWith("xold")), []);
  assert.equal(existsSync(join(stateDir, "exec")), true);
});

test("exec list: newest first, --limit pages, and `more` says older ones were left out", { timeout: 120_000 }, async (t) => {
  const { ex, stateDir } = makeExec(t, { backgroundMs: 50 });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await ex.run({ argv: ["sleep", "30"], owner: "k" });
    assert.equal(r.status, "running");
    ids.push(r.id);
    await new Promise((res) => setTimeout(res, 5)); // distinct start times
  }
  // Sessions of another process on the same state dir (read from their files), interleaved in time.
  const foreign = (id: string, startedAt: string) => {
    const d = join(stateDir, "exec", id);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "meta.json"), JSON.stringify({ id, argv: ["x"], pid: null, status: "ok", startedAt, endedAt: startedAt, exitCode: 0, signal: null, timedOut: false, durationMs: 1, sandboxed: false, truncated: false, logDir: d, background: true, hostPid: 1 }));
  };
  const past = Date.now() - 3_600_000;
  const oldId = `x${past.toString(36)}00000000`;
  foreign(oldId, new Date(past).toISOString());
  const all = ex.list();
  assert.deepEqual(all.map((s) => s.id), [...ids].reverse().concat(oldId));
  assert.deepEqual(ex.list(2).map((s) => s.id), [ids[2], ids[1]]);

  const { execList } = await import("../../runtime/operations/table.js");
  const door = { execList: (limit?: number) => Promise.resolve(ex.list(limit)) };
  const call = (p: object) => (execList.handler as (p: object, ctx: object) => Promise<{ sessions: Array<{ id: string }>; count: number; more: boolean }>)(p, { door });
  const page = await call({ limit: 2 });
  assert.deepEqual(page.sessions.map((s) => s.id), [ids[2], ids[1]]);
  assert.equal(page.more, true);
  const whole = await call({ limit: 4 });
  assert.equal(whole.count, 4);
  assert.equal(whole.more, false);
  for (const id of ids) await ex.kill(id);
});
