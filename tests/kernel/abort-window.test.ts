/**
 * stop_on_error aborts the requests that were queued behind a failed cell when its error
 * reply went out, and nothing the client sent after reading that reply. The kernel runs in
 * a child process over a scripted in-memory wire: when the failed cell's execute_reply is
 * sent, the "client" sends its next cell at once (before the failed cell's idle), which is
 * exactly the window a real client hit in CI.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { ROOT, tmp } from "../helpers/index.js";
import { requireBuilt } from "./helpers.js";

const SCRIPT = `
import { writeSync } from "node:fs";
const { Kernel } = await import(process.env.KERNEL_JS);
let handler;
let n = 0;
const replies = [];
const request = (code) => ({
  identities: [], parent_header: {}, metadata: {}, buffers: [],
  header: { msg_id: "m" + ++n, msg_type: "execute_request", session: "s", username: "u", date: "", version: "5.3" },
  content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
});
let done;
const finished = new Promise((r) => (done = r));
const wire = {
  session: { id: "kernel-session", header: (t) => ({ msg_id: "k" + ++n, msg_type: t, session: "kernel-session", username: "k", date: "", version: "5.3" }) },
  dropped: {},
  events: {},
  listen(h) { handler = h; },
  async reply(_ch, parent, type, content) {
    if (type !== "execute_reply") return;
    replies.push({ id: parent.header.msg_id, status: content.status });
    // the client reads the error on its next turn and sends its next cell, before the failed cell's idle
    if (parent.header.msg_id === "m1") setImmediate(() => void handler(request("%openclaw help"), "shell"));
    if (replies.length === 3) done();
  },
  // a send takes a turn of the event loop, as a socket's does
  publish: () => new Promise((r) => setImmediate(r)),
  async drain() {},
  async close() {},
};
const kernel = new Kernel(wire, { cwd: process.cwd(), env: { ...process.env }, version: "test", log: () => {} });
kernel.start();
// m1 fails; m2 was queued behind it before its reply (aborted); m3 is sent on reading m1's error
void handler(request("%openclaw no-such-command"), "shell");
void handler(request("%openclaw help"), "shell");
await Promise.race([finished, new Promise((r) => setTimeout(r, 60000))]);
writeSync(3, JSON.stringify(replies));
process.exit(0);
`;

test("a cell sent after the failed cell's error reply runs; one queued before it is aborted", { timeout: 120_000 }, (t) => {
  requireBuilt();
  const dir = tmp(t, "oc-abort-window-");
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", SCRIPT], {
    cwd: dir,
    env: { ...process.env, KERNEL_JS: pathToFileURL(join(ROOT, "dist", "kernel", "kernel.js")).href, OPENCLAW_CONFIG: "", OPENCLAW_STATE_DIR: join(dir, "state"), HOME: dir },
    stdio: ["ignore", "ignore", "pipe", "pipe"],
    encoding: "utf8",
    timeout: 90_000,
  });
  const out = (r.output[3] as unknown as string) ?? "";
  assert.ok(out, `no result from the kernel process (status ${r.status}): ${r.stderr}`);
  const replies = JSON.parse(out) as Array<{ id: string; status: string }>;
  assert.deepEqual(replies, [
    { id: "m1", status: "error" },
    { id: "m2", status: "aborted" },
    { id: "m3", status: "ok" },
  ]);
});
