/**
 * The extension's protocol core on the oldest Python it supports (3.9), without IPython:
 * command() starts a host, gets a result as data, raises typed errors, and the host stops at exit.
 * Skipped where no Python 3.9 is installed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CLI, ROOT } from "../helpers/index.js";
import { ipyEnv } from "./helpers.js";

const PY39 = ["/usr/bin/python3.9", "/root/.pyenv/versions/3.9.18/bin/python3.9"].find((p) => existsSync(p));

const SCRIPT = `
import json, os, sys
sys.path.insert(0, sys.argv[1])
import openclaw_kernel_ext as oc
r = oc.command("config validate")
print("VALID", r["ok"])
try:
    oc.command("nope")
except oc.OpenClawError as e:
    print("RAISED", type(e).__name__, e)
try:
    oc.command("help\\nconsole.log(1)")
except oc.OpenClawError as e:
    print("REFUSED", type(e).__name__)
print("HOST", oc._host.proc.pid, flush=True)
`;

test("Python 3.9 without IPython: command() round trip, typed errors, host gone at exit", { timeout: 180_000, skip: PY39 ? false : "no Python 3.9 here" }, (t) => {
  const k = ipyEnv(t);
  const r = spawnSync(PY39!, ["-c", SCRIPT, join(ROOT, "python")], { cwd: k.cwd, env: { ...k.env, OPENCLAW_KERNEL_CLI: CLI, PYTHONDONTWRITEBYTECODE: "1" }, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^VALID True$/m);
  assert.match(r.stdout, /^RAISED UsageError unknown command "nope"$/m);
  assert.match(r.stdout, /^REFUSED UsageError$/m);
  const pid = Number(/^HOST (\d+)$/m.exec(r.stdout)![1]);
  const stat = existsSync(`/proc/${pid}/stat`);
  assert.equal(stat, false, "the host exited with the Python process");
});
