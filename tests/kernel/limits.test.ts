/**
 * The kernel under abuse on its ZeroMQ sockets: a 300 MB frame with a bad signature must
 * not be read into memory (the signature can only be checked once the whole message is
 * in), and the kernel stays responsive. Runs the real kernel process (the CLI's `kernel`).
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as zmq from "zeromq";
import { KernelClient } from "../../bench/client.js";
import { endpoint, type ConnectionInfo } from "../../kernel/connection.js";
import { DEFAULT_MAX_MESSAGE_BYTES, maxMessageBytes } from "../../kernel/wire.js";
import { CLI, tmp, writeFile } from "../helpers/index.js";
import { requireBuilt } from "./helpers.js";

/** Peak and current resident memory of a process, in MB. */
function memory(pid: number): { hwm: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { hwm: kb("VmHWM") / 1024, rss: kb("VmRSS") / 1024 };
}

async function startKernel(t: { after(fn: () => unknown): void }, env: NodeJS.ProcessEnv = {}): Promise<{ proc: ChildProcess; info: ConnectionInfo; client: KernelClient; stderr: () => string }> {
  requireBuilt();
  const dir = tmp(t, "oc-kernel-limits-");
  // ipc: no TCP ports to race other tests for (ZeroMQ's frame limit is the same on every transport).
  const info: ConnectionInfo = { transport: "ipc", ip: join(dir, "k"), shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5, key: randomUUID(), signature_scheme: "hmac-sha256" };
  const file = writeFile(join(dir, "kernel.json"), info);
  const proc = spawn(process.execPath, [CLI, "kernel", "--connection-file", file], {
    cwd: dir,
    env: { ...process.env, OPENCLAW_CONFIG: "", OPENCLAW_STATE_DIR: join(dir, "state"), HOME: dir, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr!.on("data", (d) => (stderr += d));
  const client = new KernelClient(info);
  t.after(() => {
    client.close();
    proc.kill("SIGKILL");
  });
  client.connect();
  await client.request("shell", "kernel_info_request", {}, 60_000).reply;
  return { proc, info, client, stderr: () => stderr };
}

test("maxMessageBytes: 64 MiB by default, the env can change it, nonsense falls back with a warning", () => {
  assert.equal(DEFAULT_MAX_MESSAGE_BYTES, 64 * 1024 * 1024);
  assert.equal(maxMessageBytes({}), DEFAULT_MAX_MESSAGE_BYTES);
  assert.equal(maxMessageBytes({ OPENCLAW_KERNEL_MAX_MESSAGE_BYTES: "134217728" }), 134217728);
  const warned: string[] = [];
  assert.equal(maxMessageBytes({ OPENCLAW_KERNEL_MAX_MESSAGE_BYTES: "lots" }, (l) => warned.push(l)), DEFAULT_MAX_MESSAGE_BYTES);
  assert.equal(maxMessageBytes({ OPENCLAW_KERNEL_MAX_MESSAGE_BYTES: "10" }, (l) => warned.push(l)), DEFAULT_MAX_MESSAGE_BYTES, "below 1 MiB is refused");
  assert.equal(warned.length, 2);
  assert.match(warned[0]!, /OPENCLAW_KERNEL_MAX_MESSAGE_BYTES/);
});

test("a 300 MB frame with a bad signature is refused by the socket, not read into memory; the kernel keeps answering", { timeout: 180_000 }, async (t) => {
  const { proc, info, client, stderr } = await startKernel(t);
  // The TypeScript compiler warms up on its own thread after kernel_info: let it finish (one
  // TypeScript cell waits for it) so its memory is in the baseline, not counted as the frame's.
  assert.equal((await client.execute("0").reply).content.status, "ok");
  const before = memory(proc.pid!);
  const attacker = new zmq.Dealer({ routingId: "attacker", linger: 0, sendTimeout: 60_000 });
  t.after(() => attacker.close());
  // The disconnect ZeroMQ makes when a peer's frame is over the limit, seen from the sender.
  const disconnected = (async () => {
    for await (const e of attacker.events) if (e.type === "disconnect") return true;
    return false;
  })();
  attacker.connect(endpoint(info, "shell"));
  const header = JSON.stringify({ msg_id: randomUUID(), msg_type: "execute_request", session: "x", username: "x", date: new Date().toISOString(), version: "5.3" });
  const big = Buffer.alloc(300 * 1024 * 1024, 0x61);
  await attacker.send(["<IDS|MSG>", "0".repeat(64), header, "{}", "{}", big]);
  // Without the limit the kernel reads all of it, then logs the bad signature; with it, the peer is cut off.
  const dropped = new Promise<false>((resolve) => {
    const timer = setInterval(() => {
      if (/dropped a message on shell/.test(stderr())) {
        clearInterval(timer);
        resolve(false);
      }
    }, 100);
    t.after(() => clearInterval(timer));
  });
  const cutOff = await Promise.race([disconnected, dropped]);
  const after = memory(proc.pid!);
  assert.equal(cutOff, true, `the oversized frame was read and then dropped: ${stderr().slice(-500)}`);
  assert.ok(after.hwm - before.hwm < 64, `peak memory grew by ${Math.round(after.hwm - before.hwm)} MB for a 300 MB frame (before ${Math.round(before.hwm)} MB)`);
  const r = await client.request("shell", "kernel_info_request", {}, 30_000).reply;
  assert.equal((r.content as { implementation?: string }).implementation, "openclaw-kernel", "the kernel still answers");
  const ran = client.execute("40 + 2");
  assert.equal((await ran.reply).content.status, "ok");
});
