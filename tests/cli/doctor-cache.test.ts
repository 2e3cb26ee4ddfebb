// Doctor's probe cache (runtime/doctor/probe-cache.ts): a passing probe is reused while the
// binary and settings it depends on are unchanged and it is young; a changed binary, an
// expired entry, a failing answer, a cache file others could write, or
// OPENCLAW_DOCTOR_CACHE=0 all probe again.
import assert from "node:assert/strict";
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cachedProbe, fileStamp } from "../../runtime/doctor/probe-cache.js";
import { cli, tmp, writeFile } from "../helpers/index.js";

test("probe cache: reused while the binary is unchanged; a changed or replaced binary probes again", async (t) => {
  const d = tmp(t);
  const state = join(d, "state");
  mkdirSync(state, { mode: 0o700 });
  const bin = writeFile(join(d, "fake-bwrap"), "#!/bin/sh\nexit 0\n");
  let runs = 0;
  const probe = () => cachedProbe({ stateDir: state, env: {} }, "fake", fileStamp([bin]), () => ({ n: ++runs, ok: true }), (v) => v.ok);

  const a = await probe();
  assert.equal(runs, 1);
  assert.equal(a.cachedAt, undefined, "the first answer is fresh");
  const file = join(state, "cache", "doctor-probes.json");
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(join(state, "cache")).mode & 0o777, 0o700);
  const b = await probe();
  assert.equal(runs, 1, "unchanged binary: the cached answer");
  assert.deepEqual(b.value, a.value);
  assert.equal(typeof b.cachedAt, "number");

  appendFileSync(bin, "# upgraded\n");
  const c = await probe();
  assert.equal(runs, 2, "a changed binary is probed again");
  assert.equal(c.cachedAt, undefined);

  // Same size, new mtime (a reinstall of the same build): probed again too.
  await probe();
  assert.equal(runs, 2);
  const later = new Date(Date.now() + 5000);
  utimesSync(bin, later, later);
  await probe();
  assert.equal(runs, 3, "a touched binary is probed again");

  // Removed: probed again (and the answer is whatever the probe says now).
  const other = writeFile(join(d, "other-bwrap"), "x");
  const gone = () => cachedProbe({ stateDir: state, env: {} }, "gone", fileStamp([other]), () => ++runs, () => true);
  await gone();
  await gone();
  assert.equal(runs, 4);
  rmSync(other);
  await gone();
  assert.equal(runs, 5, "a removed binary is probed again");
});

test("probe cache: failures are never kept, entries expire, a loose cache file is ignored, OPENCLAW_DOCTOR_CACHE=0 and a missing state dir turn it off", async (t) => {
  const d = tmp(t);
  const state = join(d, "state");
  mkdirSync(state, { mode: 0o700 });
  let runs = 0;
  let now = 1_000_000;
  const opts = { stateDir: state, env: {}, ttlMs: 60_000, now: () => now };

  await cachedProbe(opts, "p", "k", () => ({ ok: false, n: ++runs }), (v) => v.ok);
  await cachedProbe(opts, "p", "k", () => ({ ok: false, n: ++runs }), (v) => v.ok);
  assert.equal(runs, 2, "a failing answer is probed every time");

  await cachedProbe(opts, "p", "k", () => ({ ok: true, n: ++runs }), (v) => v.ok);
  const hit = await cachedProbe(opts, "p", "k", () => ({ ok: true, n: ++runs }), (v) => v.ok);
  assert.equal(runs, 3);
  assert.deepEqual(hit.value, { ok: true, n: 3 });
  await cachedProbe(opts, "p", "other key", () => ({ ok: true, n: ++runs }), (v) => v.ok);
  assert.equal(runs, 4, "another key is another answer");

  now += 61_000;
  await cachedProbe(opts, "p", "other key", () => ({ ok: true, n: ++runs }), (v) => v.ok);
  assert.equal(runs, 5, "an expired entry is probed again");

  // A cache file others may write is not believed (it could claim a sandbox that does not work).
  const file = join(state, "cache", "doctor-probes.json");
  chmodSync(file, 0o666);
  await cachedProbe(opts, "p", "other key", () => ({ ok: true, n: ++runs }), (v) => v.ok);
  assert.equal(runs, 6, "a group/world-writable cache file is ignored");
  chmodSync(file, 0o600);
  writeFileSync(file, "{not json");
  await cachedProbe(opts, "p", "other key", () => ({ ok: true, n: ++runs }), (v) => v.ok);
  assert.equal(runs, 7, "a damaged cache file is ignored (and rewritten)");
  assert.equal(JSON.parse(readFileSync(file, "utf8")).v, 1);

  await cachedProbe({ ...opts, env: { OPENCLAW_DOCTOR_CACHE: "0" } }, "p", "other key", () => ({ ok: true, n: ++runs }), (v) => v.ok);
  assert.equal(runs, 8, "OPENCLAW_DOCTOR_CACHE=0 always probes");

  const missing = join(d, "no-state");
  await cachedProbe({ ...opts, stateDir: missing }, "p", "k", () => ({ ok: true, n: ++runs }), (v) => v.ok);
  await cachedProbe({ ...opts, stateDir: missing }, "p", "k", () => ({ ok: true, n: ++runs }), (v) => v.ok);
  assert.equal(runs, 10);
  assert.equal(existsSync(missing), false, "doctor does not create the state dir");
});

test("doctor through the CLI: the second run reuses the passing Jupyter and sandbox probes and says so", (t) => {
  const d = tmp(t);
  mkdirSync(join(d, "state"), { mode: 0o700 });
  mkdirSync(join(d, "ws"));
  const config = writeFile(join(d, "openclaw.json"), { stateDir: "./state", gateway: { bind: "127.0.0.1:0" }, agentDefaults: { workspace: "./ws" } });
  const run = () => {
    const r = cli(["doctor", "--json", "--config", config]);
    return Object.fromEntries((r.json().checks as Array<{ id: string; status: string; message: string }>).map((c) => [c.id, c]));
  };
  const first = run();
  assert.equal(first.jupyter!.status, "ok", first.jupyter!.message);
  assert.doesNotMatch(first.jupyter!.message, /cached/);
  const second = run();
  assert.equal(second.jupyter!.status, "ok");
  assert.match(second.jupyter!.message, /^jupyter_client \S+ and nbclient importable \(probed \d+ s ago, cached\)$/);
  const sb = first["exec.sandbox.available"]!;
  if (sb.status === "ok") assert.match(second["exec.sandbox.available"]!.message, /works here: .* \(probed \d+ s ago, cached\)$/);
  else assert.doesNotMatch(second["exec.sandbox.available"]!.message, /cached/, "an unavailable sandbox is probed every run");
  // OPENCLAW_DOCTOR_CACHE=0: fresh probes.
  const r = cli(["doctor", "--json", "--config", config], { env: { OPENCLAW_DOCTOR_CACHE: "0" } });
  for (const c of r.json().checks as Array<{ message: string }>) assert.doesNotMatch(c.message, /cached\)$/);
});
