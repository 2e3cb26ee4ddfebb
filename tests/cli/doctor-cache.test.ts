// Doctor's probe cache (runtime/doctor/probe-cache.ts): a passing probe is reused while the
// binary and settings it depends on are unchanged and it is young; a changed binary, an
// expired entry, a failing answer, a cache file others could write, or
// OPENCLAW_DOCTOR_CACHE=0 all probe again.
import assert from "node:assert/strict";
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { cachedProbe, fileStamp, processConfinement } from "../../runtime/doctor/probe-cache.js";
import { CLI, ROOT, cli, needsSystemTool, tmp, writeFile } from "../helpers/index.js";

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

test("probe cache: a change in this process's own confinement (seccomp, no_new_privs, capabilities, namespaces, LSM label) probes again", async (t) => {
  const d = tmp(t);
  const state = join(d, "state");
  mkdirSync(state, { mode: 0o700 });
  let confinement = "Seccomp: 0|NoNewPrivs: 0|CapEff: 0|user:[1]|mnt:[2]|pid:[3]|attr=-";
  let runs = 0;
  const probe = () => cachedProbe({ stateDir: state, env: {}, confinement: () => confinement }, "bwrap", "same binaries", () => ({ ok: true, n: ++runs }), (v) => v.ok);
  await probe();
  await probe();
  assert.equal(runs, 1, "same confinement: the cached answer");
  for (const next of ["Seccomp: 2", "NoNewPrivs: 1", "CapEff: 1", "user:[9]", "mnt:[9]", "pid:[9]", "attr=unconfined"]) {
    const field = next.split(/[:=[]/)[0]!;
    confinement = confinement.split("|").map((p) => (p.startsWith(field) ? next : p)).join("|");
    const before: number = runs;
    const r = await probe();
    assert.equal(runs, before + 1, `${next}: probed again`);
    assert.equal(r.cachedAt, undefined);
  }
  // the real reader sees a seccomp filter and no_new_privs set by a wrapper process
  const own = processConfinement();
  assert.match(own, /Seccomp: \d/);
  assert.match(own, /user:\[\d+\]/);
  const r = spawnSync("setpriv", ["--no-new-privs", process.execPath, "--input-type=module", "-e", `import { processConfinement } from ${JSON.stringify(pathToFileURL(join(ROOT, "dist", "runtime", "doctor", "probe-cache.js")).href)}; process.stdout.write(processConfinement());`], { encoding: "utf8" });
  if (r.error) t.diagnostic(`setpriv not run: ${r.error.message}`);
  else {
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /NoNewPrivs: 1/);
    if (/NoNewPrivs: 0/.test(own)) assert.notEqual(r.stdout, own);
  }
});

// A doctor under a seccomp filter that blocks namespaces (a container's default profile, systemd
// RestrictNamespaces=) cannot build a sandbox: it must say so, not repeat the outside's cached pass.
test("doctor through the CLI under a namespace-blocking seccomp filter does not reuse the sandbox pass cached outside it", (t) => {
  const d = tmp(t);
  const src = writeFile(join(d, "noclone.c"), NOCLONE_C);
  const bin = join(d, "noclone");
  const cc = spawnSync("cc", ["-O", "-o", bin, src], { encoding: "utf8" });
  const noCc = needsSystemTool(!cc.error && cc.status === 0, `a C compiler for the seccomp wrapper (${cc.error?.message ?? cc.stderr})`, "gcc");
  if (noCc) return t.skip(noCc);
  mkdirSync(join(d, "state"), { mode: 0o700 });
  mkdirSync(join(d, "ws"));
  const config = writeFile(join(d, "openclaw.json"), { stateDir: "./state", gateway: { bind: "127.0.0.1:0" }, agentDefaults: { workspace: "./ws" }, tools: { exec: { sandbox: "auto" } } });
  const sandbox = (r: { stdout: string }) => (JSON.parse(r.stdout).checks as Array<{ id: string; status: string; message: string }>).find((c) => c.id === "exec.sandbox.available")!;
  const outside = sandbox(cli(["doctor", "--json", "--config", config]));
  const noBwrap = needsSystemTool(outside.status === "ok", `a working bubblewrap (${outside.message})`, "bubblewrap");
  if (noBwrap) return t.skip(noBwrap);
  const r = spawnSync(bin, [process.execPath, CLI, "doctor", "--json", "--config", config], { cwd: ROOT, env: { ...process.env, OPENCLAW_CONFIG: "" }, encoding: "utf8", timeout: 60_000 });
  const inside = sandbox(r);
  assert.doesNotMatch(inside.message, /cached/, "the outside's pass was reused");
  assert.equal(inside.status, "warn", inside.message);
  assert.match(inside.message, /UNSANDBOXED/);
});

const NOCLONE_C = `#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stddef.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
int main(int argc, char **argv) {
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x7E020000, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog p = { sizeof(f) / sizeof(f[0]), f };
  if (argc < 2 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p)) { perror("seccomp"); return 1; }
  execvp(argv[1], argv + 1);
  perror("exec");
  return 127;
}
`;
