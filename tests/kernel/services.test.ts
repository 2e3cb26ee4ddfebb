/**
 * The kernel through a real `jupyter server` (Debian's jupyter-server 1.23) driven by
 * @jupyterlab/services over its WebSocket, as JupyterLab would: magics and TypeScript,
 * message types and MIME keys, interrupt, shutdown.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { KernelManager, ServerConnection, type Kernel, type KernelMessage } from "@jupyterlab/services";
import WebSocket from "ws";
import { freePort } from "../helpers/index.js";
import { kernelEnv, PYTHON, type KernelEnv } from "./helpers.js";


interface Seen {
  types: string[];
  mimes: string[][];
  texts: string[];
  reply: KernelMessage.IExecuteReplyMsg["content"];
}

async function execute(kernel: Kernel.IKernelConnection, code: string): Promise<Seen> {
  const seen: Omit<Seen, "reply"> = { types: [], mimes: [], texts: [] };
  const future = kernel.requestExecute({ code, stop_on_error: false });
  future.onIOPub = (msg) => {
    seen.types.push(msg.header.msg_type);
    const c = msg.content as { data?: Record<string, unknown>; text?: string };
    if (c.data) seen.mimes.push(Object.keys(c.data).sort());
    if (typeof c.text === "string") seen.texts.push(c.text);
  };
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  return { ...seen, reply: reply.content };
}

describe("kernel via jupyter server + @jupyterlab/services", { timeout: 120_000 }, () => {
  let k: KernelEnv;
  let server: ChildProcess | undefined;
  let manager: KernelManager;
  let kernel: Kernel.IKernelConnection;
  let serverLog = "";

  before(async () => {
    k = kernelEnv();
    const port = await freePort();
    const token = randomBytes(16).toString("hex");
    server = spawn(PYTHON, ["-m", "jupyter_server", "--allow-root", "--no-browser", `--ServerApp.token=${token}`, `--port=${port}`, "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", `--ServerApp.root_dir=${k.cwd}`], {
      env: k.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout!.on("data", (d) => (serverLog += d));
    server.stderr!.on("data", (d) => (serverLog += d));
    const baseUrl = `http://127.0.0.1:${port}/`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const r = await fetch(`${baseUrl}api/kernelspecs?token=${token}`);
        if (r.ok) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`jupyter server did not start:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const serverSettings = ServerConnection.makeSettings({ baseUrl, wsUrl: `ws://127.0.0.1:${port}/`, token, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
    manager = new KernelManager({ serverSettings });
    await manager.ready;
    kernel = await manager.startNew({ name: "openclaw-test" });
  });

  after(async () => {
    try {
      manager?.dispose();
    } finally {
      server?.kill("SIGTERM");
      await new Promise((r) => (server && server.exitCode === null ? server.once("exit", r) : r(null)));
      if (k) rmSync(k.dir, { recursive: true, force: true });
    }
  });

  it("lists the kernelspec and reports kernel_info", async () => {
    const info = await kernel.info;
    assert.equal(info.implementation, "openclaw-kernel");
    assert.equal(info.language_info.name, "typescript");
    assert.equal(info.protocol_version, "5.3");
  });

  it("runs %openclaw help and doctor as rich displays", async () => {
    const help = await execute(kernel, "%openclaw help");
    assert.equal(help.reply.status, "ok");
    assert.deepEqual(help.types, ["status", "execute_input", "display_data", "status"]);
    assert.deepEqual(help.mimes[0], ["application/json", "text/html", "text/markdown", "text/plain"]);
    const doctor = await execute(kernel, "%openclaw doctor");
    assert.equal(doctor.reply.status, "ok");
    assert.ok(doctor.types.includes("display_data"));
  });

  it("runs TypeScript with stream output and an execute_result", async () => {
    const r = await execute(kernel, 'const n: number = 20;\nconsole.log("n", n);\nn + 22');
    assert.equal(r.reply.status, "ok");
    assert.deepEqual(r.types, ["status", "execute_input", "stream", "execute_result", "status"]);
    assert.deepEqual(r.texts, ["n 20\n"]);
    assert.deepEqual(r.mimes, [["text/plain"]]);
  });

  it("interrupts a long cell through the server and keeps going", async () => {
    const future = kernel.requestExecute({ code: "await new Promise(r => setTimeout(r, 60000));" });
    // Interrupt once the cell runs (its execute_input is out), not after a guessed delay.
    await new Promise<void>((resolve) => {
      future.onIOPub = (msg) => {
        if (msg.header.msg_type === "execute_input") resolve();
      };
    });
    const t0 = Date.now();
    await kernel.interrupt();
    const reply = (await future.done.catch((e: unknown) => e)) as KernelMessage.IExecuteReplyMsg;
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(reply.content?.status, "error");
    const r = await execute(kernel, "n * 2");
    assert.equal(r.reply.status, "ok");
  });

  it("asks for approval through the server's stdin channel", async () => {
    const prompts: string[] = [];
    const future = kernel.requestExecute({ code: 'const ok = await openclaw.approve("delete nothing");\nconsole.log("approved=" + ok)', allow_stdin: true });
    future.onStdin = (msg) => {
      prompts.push(String((msg.content as { prompt?: string }).prompt));
      kernel.sendInputReply({ status: "ok", value: "yes" }, msg.header as never);
    };
    const texts: string[] = [];
    future.onIOPub = (msg) => {
      if (msg.header.msg_type === "stream") texts.push((msg.content as { text: string }).text);
    };
    const reply = await future.done;
    assert.equal(reply?.content.status, "ok");
    assert.equal(prompts.length, 1);
    assert.match(prompts[0]!, /summary: "delete nothing"\napprove\? \[y\/N\] $/);
    assert.deepEqual(texts, ["approved=true\n"]);
  });

  it("shuts the kernel down", async () => {
    await kernel.shutdown();
    assert.equal(kernel.isDisposed || kernel.status === "dead", true);
  });
});
