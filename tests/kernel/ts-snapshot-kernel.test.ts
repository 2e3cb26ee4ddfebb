/**
 * The real kernel process and the compiler snapshot: the first kernel in a folder warms the
 * compiler on a worker thread and builds the snapshot; the second kernel there starts the
 * compiler process from it, and a TypeScript cell still fails on a type error, completion on
 * `openclaw.rag.` still lists its members, and nothing is left running after shutdown.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { KernelClient } from "../../bench/client.js";
import type { ConnectionInfo } from "../../kernel/connection.js";
import { descendants } from "../../kernel/children.js";
import { CLI, tmp, writeFile } from "../helpers/index.js";
import { requireBuilt } from "./helpers.js";

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function kernel(dir: string, cwd: string, cache: string, n: number): Promise<{ proc: ChildProcess; client: KernelClient; stop(): Promise<void> }> {
  const info: ConnectionInfo = { transport: "ipc", ip: join(dir, `k${n}`), shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5, key: randomUUID(), signature_scheme: "hmac-sha256" };
  const file = writeFile(join(dir, `kernel-${n}.json`), info);
  const proc = spawn(process.execPath, [CLI, "kernel", "--connection-file", file], {
    cwd,
    env: { ...process.env, OPENCLAW_CONFIG: "", OPENCLAW_STATE_DIR: join(dir, "state"), HOME: dir, OPENCLAW_TS_CODE_CACHE: cache, OPENCLAW_TS_SNAPSHOT: "" },
    stdio: ["ignore", "ignore", "ignore"],
  });
  const client = new KernelClient(info);
  client.connect();
  const exited = new Promise((r) => proc.once("exit", r));
  const stop = async () => {
    client.request("control", "shutdown_request", { restart: false }, 10_000).reply.catch(() => undefined);
    const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
    client.close();
  };
  await client.request("shell", "kernel_info_request", {}, 60_000).reply;
  return { proc, client, stop };
}

test("a folder's second kernel checks TypeScript cells from the compiler snapshot, as strictly as the first", { timeout: 600_000 }, async (t) => {
  requireBuilt();
  const dir = tmp(t, "oc-ts-snapshot-kernel-");
  const cwd = join(dir, "work");
  mkdirSync(cwd);
  const cache = join(dir, "cache");
  const blobs = () => (existsSync(cache) ? readdirSync(cache).filter((f) => /^ts-snapshot-[0-9a-f]+\.blob$/.test(f)) : []);

  const first = await kernel(dir, cwd, cache, 1);
  try {
    assert.equal((await first.client.execute("1+1", 240_000).reply).content.status, "ok");
    // Its compiler is a worker thread (no process from a snapshot), and it builds one now.
    assert.ok(!descendants(first.proc.pid!).some((p) => cmdline(p).includes("--snapshot-blob") && !cmdline(p).includes("--build-snapshot")));
    await until("the snapshot build", () => blobs().length === 1, 300_000);
  } finally {
    await first.stop();
  }

  const second = await kernel(dir, cwd, cache, 2);
  let compilerPid: number | undefined;
  try {
    const pids = descendants(second.proc.pid!).filter((p) => cmdline(p).includes(`--snapshot-blob ${join(cache, blobs()[0]!)}`));
    assert.equal(pids.length, 1, "one compiler process from the snapshot");
    compilerPid = pids[0];
    const badRun = second.client.execute("const n: number = 'x';", 120_000);
    const bad = await badRun.reply;
    // the failed cell's idle first: requests sent while the kernel still aborts after an error are aborted, as in ipykernel
    await badRun.idle;
    assert.equal(bad.content.status, "error", "a type error still fails the cell");
    assert.match(JSON.stringify(bad.content), /TS2322/);
    const ok = second.client.execute("21 * 2", 120_000);
    assert.equal((await ok.reply).content.status, "ok");
    await ok.idle;
    const result = (second.client.iopubByParent.get(ok.msgId) ?? []).find((m) => m.header.msg_type === "execute_result");
    assert.equal((result?.content as { data?: Record<string, string> })?.data?.["text/plain"], "42");
    const code = "openclaw.rag.";
    const c = await second.client.request("shell", "complete_request", { code, cursor_pos: code.length }, 60_000).reply;
    const matches = (c.content as { matches: string[] }).matches;
    for (const m of ["query", "index", "status"]) assert.ok(matches.includes(m), `${m} in ${JSON.stringify(matches)}`);
    // A SIGINT to the kernel's process group (a terminal's Ctrl-C, a "signal" interrupt) is Stop, not the compiler's end.
    process.kill(compilerPid!, "SIGINT");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await second.client.execute("const m: string = 'ok'; m", 120_000).reply).content.status, "ok");
    assert.ok(existsSync(`/proc/${compilerPid}/stat`) && !/\) Z /.test(readFileSync(`/proc/${compilerPid}/stat`, "utf8")), "the same compiler process still serves");
  } finally {
    await second.stop();
  }
  await until("the compiler process to exit", () => !existsSync(`/proc/${compilerPid}/stat`) || /\) Z /.test(readFileSync(`/proc/${compilerPid}/stat`, "utf8")), 10_000);
});
