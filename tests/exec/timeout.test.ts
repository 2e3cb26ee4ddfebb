import assert from "node:assert/strict";
import { test } from "node:test";
import { findProcs, makeExec, until } from "./setup.js";

// A marker no other process has, so the /proc scan sees only this test's tree.
const marker = (n: number) => `${30 + n}.${process.pid}${Math.floor(Math.random() * 1000)}`;

test("timeoutSec kills the whole process tree: no child or grandchild survives", async (t) => {
  const { ex } = makeExec(t, { timeoutSec: 1 });
  const m = marker(1);
  const t0 = Date.now();
  // sh starts two grandchildren and waits; execa-style kill of the direct child alone would orphan them.
  const r = await ex.run({ argv: ["sh", "-c", `sleep ${m} & sleep ${m} & wait`] });
  assert.equal(r.status, "timeout");
  assert.equal(r.timedOut, true);
  assert.ok(Date.now() - t0 < 5000, "killed within the timeout plus grace");
  assert.ok(await until(() => findProcs(m).length === 0, 3000), `survivors: ${findProcs(m).join(", ")}`);
});

test("a tree that ignores SIGTERM is SIGKILLed after the grace period", async (t) => {
  const { ex } = makeExec(t, { timeoutSec: 1 });
  const m = marker(2);
  const r = await ex.run({ argv: ["sh", "-c", `trap '' TERM; sleep ${m} & sleep ${m}; wait`] });
  assert.equal(r.status, "timeout");
  assert.ok(await until(() => findProcs(m).length === 0, 4000), `survivors: ${findProcs(m).join(", ")}`);
});

// Regression: with backgroundMs falling inside the kill grace, a timed-out run went to the
// background instead of being reported as a timeout.
test("a run whose timeout fired is never moved to the background during its kill grace", async (t) => {
  const { ex } = makeExec(t, { timeoutSec: 1, backgroundMs: 1200, sandbox: "off" });
  const m = marker(4);
  const r = await ex.run({ argv: ["sh", "-c", `trap '' TERM; sleep ${m}; wait`] });
  assert.equal(r.status, "timeout");
  assert.equal(r.timedOut, true);
  assert.equal(ex.list().length, 0, "no background session was made");
  assert.ok(await until(() => findProcs(m).length === 0, 4000), `survivors: ${findProcs(m).join(", ")}`);
});

test("when the leader exits, what it left in its group is killed too", async (t) => {
  const { ex } = makeExec(t);
  const m = marker(3);
  const r = await ex.run({ argv: ["sh", "-c", `sleep ${m} >/dev/null 2>&1 & echo started`] });
  assert.equal(r.status, "ok");
  assert.equal(r.stdout, "started\n");
  assert.ok(await until(() => findProcs(m).length === 0, 3000), `orphan left: ${findProcs(m).join(", ")}`);
});

test("an AbortSignal stops a foreground run and leaves the host alive", async (t) => {
  const { ex } = makeExec(t);
  const m = marker(4);
  const ac = new AbortController();
  // Abort once the run's process is there (not after a guessed delay).
  void until(() => findProcs(m).length > 0, 10_000).then(() => ac.abort());
  const r = await ex.run({ argv: ["sh", "-c", `sleep ${m}`], signal: ac.signal });
  assert.equal(r.status, "aborted");
  assert.equal(r.signal, "SIGTERM");
  assert.ok(await until(() => findProcs(m).length === 0, 3000));
  const again = await ex.run({ argv: ["/bin/echo", "still alive"] });
  assert.equal(again.stdout, "still alive\n");
});

test("output over maxOutputBytes keeps the tail, marks truncated, hashes everything and logs it all to disk", async (t) => {
  const { ex } = makeExec(t, { maxOutputBytes: 1024 });
  const r = await ex.run({ argv: [process.execPath, "-e", "for (let i = 0; i < 500; i++) process.stdout.write(String(i).padStart(9, '0') + '\\n')"] });
  assert.equal(r.status, "ok");
  assert.equal(r.truncated, true);
  assert.equal(r.stdoutBytes, 5000);
  assert.ok(Buffer.byteLength(r.stdout) <= 1024);
  assert.ok(r.stdout.endsWith("000000499\n"));
  const full = Array.from({ length: 500 }, (_, i) => String(i).padStart(9, "0") + "\n").join("");
  const { createHash } = await import("node:crypto");
  assert.equal(r.stdoutSha256, createHash("sha256").update(full).digest("hex"));
  const { readFileSync } = await import("node:fs");
  assert.ok(r.logDir);
  assert.equal(readFileSync(`${r.logDir}/stdout.log`, "utf8"), full);
});

test("argv only: no shell interprets the arguments, and a missing program is a failed run with the reason", async (t) => {
  const { ex, workspace } = makeExec(t);
  const r = await ex.run({ argv: ["/bin/echo", "$(touch pwned)", "`id`", "a;b|c&&d"] });
  assert.equal(r.stdout, "$(touch pwned) `id` a;b|c&&d\n");
  const { existsSync } = await import("node:fs");
  assert.equal(existsSync(`${workspace}/pwned`), false);
  const miss = await ex.run({ argv: ["/nonexistent/program"] });
  assert.equal(miss.status, "failed");
  assert.match(miss.error ?? "", /ENOENT/);
});

test("cwd outside the workspace is refused", async (t) => {
  const { ex } = makeExec(t);
  await assert.rejects(ex.run({ argv: ["/bin/true"], cwd: "/" }), (e: Error & { rule?: string }) => e.rule === "exec.cwd");
  await assert.rejects(ex.run({ argv: ["/bin/true"], cwd: "../state" }), (e: Error & { rule?: string }) => e.rule === "exec.cwd");
});
