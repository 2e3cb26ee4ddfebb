/** The host's private channel: JSON lines on stdio, malformed or oversized lines dropped, EOF ends the host. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { parseLine, StdioWire } from "../../kernel/stdio-wire.js";
import { CLI, tmp } from "../helpers/index.js";

const line = (o: object) => JSON.stringify(o) + "\n";
const exec = (id: string, code: string) => line({ channel: "shell", header: { msg_id: id, msg_type: "execute_request", session: "s" }, content: { code, allow_stdin: false } });

describe("parseLine", () => {
  it("accepts a request on shell, control or stdin", () => {
    const r = parseLine(JSON.stringify({ channel: "control", header: { msg_id: "a", msg_type: "interrupt_request", session: "s" } }));
    assert.ok("msg" in r);
    assert.equal(r.channel, "control");
    assert.equal(r.msg.header.msg_type, "interrupt_request");
    assert.deepEqual(r.msg.content, {});
  });
  it("names what is wrong with anything else", () => {
    const why = (s: string) => ("error" in parseLine(s) ? (parseLine(s) as { error: string }).error : "accepted");
    assert.match(why("{"), /invalid JSON/);
    assert.match(why("[1]"), /JSON object/);
    assert.match(why(JSON.stringify({ channel: "iopub", header: { msg_id: "a", msg_type: "x" } })), /unknown channel "iopub"/);
    assert.match(why(JSON.stringify({ channel: "shell", header: { msg_type: "x" } })), /msg_id and msg_type/);
  });
});

describe("StdioWire", () => {
  it("drops malformed and oversized lines, delivers the next good one, and reports EOF", async () => {
    const input = new PassThrough();
    const sent: string[] = [];
    let ended = 0;
    const prev = process.env.OPENCLAW_KERNEL_MAX_MESSAGE_BYTES;
    process.env.OPENCLAW_KERNEL_MAX_MESSAGE_BYTES = String(1024 * 1024);
    let wire: StdioWire;
    try {
      wire = new StdioWire({ input, write: (l, done) => (sent.push(l), done()), log: () => undefined, onEnd: () => ended++ });
    } finally {
      if (prev === undefined) delete process.env.OPENCLAW_KERNEL_MAX_MESSAGE_BYTES;
      else process.env.OPENCLAW_KERNEL_MAX_MESSAGE_BYTES = prev;
    }
    const got: string[] = [];
    wire.listen((m, ch) => void got.push(`${ch}:${m.header.msg_id}`));
    input.write("not json\n");
    // 2 MiB without a newline, in pieces, then its end and a good line in the same chunk.
    for (let i = 0; i < 4; i++) input.write("x".repeat(512 * 1024));
    input.write("tail of the big line\n" + exec("good", "%openclaw help"));
    input.end();
    await once(input, "end");
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, ["shell:good"]);
    assert.equal(wire.dropped.malformed, 1);
    assert.equal(wire.dropped["too-large"], 1);
    assert.equal(ended, 1);
    await wire.publish("stream", { name: "stdout", text: "hi" });
    const out = JSON.parse(sent.at(-1)!);
    assert.equal(out.channel, "iopub");
    assert.equal(out.header.msg_type, "stream");
    assert.equal(out.header.session, wire.session.id);
  });
});

describe("openclaw-kernel host", { timeout: 120_000 }, () => {
  it("answers on stdout, ignores garbage, and exits 0 once stdin closes", async (t) => {
    const dir = tmp(t, "openclaw-host-test-");
    const p = spawn(process.execPath, [CLI, "host"], { cwd: dir, env: { ...process.env, OPENCLAW_CONFIG: "", OPENCLAW_STATE_DIR: dir, HOME: dir }, stdio: ["pipe", "pipe", "pipe"] });
    t.after(() => p.kill("SIGKILL"));
    const msgs: any[] = [];
    const rl = createInterface({ input: p.stdout });
    const replied = new Promise<void>((resolve) =>
      rl.on("line", (l) => {
        msgs.push(JSON.parse(l));
        if (msgs.at(-1).header.msg_type === "execute_reply") resolve();
      }),
    );
    p.stdin.write("garbage\n" + exec("m1", "%openclaw help --json"));
    await replied;
    assert.equal(msgs[0].header.msg_type, "status");
    assert.equal(msgs[0].content.execution_state, "starting");
    const reply = msgs.find((m) => m.header.msg_type === "execute_reply");
    assert.equal(reply.channel, "shell");
    assert.equal(reply.parent_header.msg_id, "m1");
    assert.equal(reply.content.status, "ok");
    assert.ok(msgs.some((m) => m.channel === "iopub" && m.header.msg_type === "display_data" && m.parent_header.msg_id === "m1"));
    const exited = once(p, "exit");
    p.stdin.end();
    const [code] = await exited;
    assert.equal(code, 0);
  });

  it("takes no arguments", async () => {
    const p = spawn(process.execPath, [CLI, "host", "--port", "1"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    const [code] = await once(p, "exit");
    assert.equal(code, 2);
    assert.match(err, /host takes no arguments/);
  });
});
