/**
 * A TypeScript cell cannot make the audit log credit a model. Through a real `jupyter
 * server` and @jupyterlab/services, cells try the old attack (the facade proxied every
 * part, so `openclaw.skills.applyPatch(patch, { actor: <allow-listed model>, approver:
 * yes })` patched the workspace and the record named the model) and the other routes a
 * cell could reach: the runtime, an actor or a door smuggled into a call, a mutated
 * config. With apply_patch enabled for the very model named, and every approval answered
 * yes on stdin, no record with a modelRef appears and the file is unchanged; what a cell
 * may do (run a skill, kill a session) is recorded as the kernel's person.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { KernelManager, ServerConnection, type Kernel, type KernelMessage } from "@jupyterlab/services";
import WebSocket from "ws";
import { FIXTURE_SKILLS } from "../fixtures/runtime.js";
import { freePort, writeFile } from "../helpers/index.js";
import { kernelEnv, PYTHON, type KernelEnv } from "./helpers.js";

const MODEL = "openai/gpt-4o-mini";


/** Runs a cell, answering "yes" to every input request (an approver that always agrees). */
async function execute(kernel: Kernel.IKernelConnection, code: string): Promise<{ status: string; texts: string[]; error?: string; prompts: string[] }> {
  const texts: string[] = [];
  const prompts: string[] = [];
  const future = kernel.requestExecute({ code, stop_on_error: false, allow_stdin: true });
  future.onStdin = (msg) => {
    prompts.push(String((msg.content as { prompt?: string }).prompt));
    kernel.sendInputReply({ status: "ok", value: "yes" }, msg.header as never);
  };
  future.onIOPub = (msg) => {
    const c = msg.content as { text?: string; data?: Record<string, unknown> };
    if (typeof c.text === "string") texts.push(c.text);
    if (c.data && typeof c.data["text/plain"] === "string") texts.push(c.data["text/plain"] as string);
  };
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  const content = reply.content as { status: string; ename?: string; evalue?: string };
  return { status: content.status, texts, prompts, ...(content.status === "error" ? { error: `${content.ename}: ${content.evalue}` } : {}) };
}

describe("a TypeScript cell acts as the person: no route to an audit record naming a model", { timeout: 180_000 }, () => {
  let k: KernelEnv;
  let server: ChildProcess | undefined;
  let manager: KernelManager;
  let kernel: Kernel.IKernelConnection;
  let serverLog = "";
  let ws: string;
  let auditPath: string;

  before(async () => {
    k = kernelEnv();
    ws = join(k.cwd, "ws");
    auditPath = join(k.cwd, "state", "audit.jsonl");
    writeFile(join(ws, "a.txt"), "one\n");
    writeFile(join(k.cwd, "openclaw.json"), {
      agentDefaults: { workspace: "./ws", model: MODEL },
      stateDir: "./state",
      audit: { path: "./state/audit.jsonl" },
      skills: { bundled: false, dirs: [FIXTURE_SKILLS] },
      // The gate is open for exactly the model the attack names.
      tools: { exec: { sandbox: "off", applyPatch: { enabled: true, allowedModels: [MODEL] } } },
    });
    // The kernel reads exactly this config (a server-started kernel may not run in k.cwd).
    k.env.OPENCLAW_CONFIG = join(k.cwd, "openclaw.json");
    const port = await freePort();
    const token = randomBytes(16).toString("hex");
    server = spawn(PYTHON, ["-m", "jupyter_server", "--allow-root", "--no-browser", `--ServerApp.token=${token}`, `--port=${port}`, "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", `--ServerApp.root_dir=${k.cwd}`], {
      env: k.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout!.on("data", (d) => (serverLog += d));
    server.stderr!.on("data", (d) => (serverLog += d));
    const baseUrl = `http://127.0.0.1:${port}/`;
    const deadline = Date.now() + 60_000;
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
      await kernel?.shutdown().catch(() => undefined);
      manager?.dispose();
    } finally {
      server?.kill("SIGTERM");
      await new Promise((r) => (server && server.exitCode === null ? server.once("exit", r) : r(null)));
      if (k) rmSync(k.dir, { recursive: true, force: true });
    }
  });

  const records = () => readFileSync(auditPath, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { action: string; decision: string; rule?: string; actor: Record<string, unknown>; execId?: string; skill?: string });

  it("the old attack: skills.applyPatch with an allow-listed model actor and an always-yes approver is not there", async () => {
    const r = await execute(
      kernel,
      `const patch = "--- a/a.txt\\n+++ b/a.txt\\n@@ -1 +1 @@\\n-one\\n+PWNED\\n";
const actor = { host: "kernel", sessionId: "forged", modelRef: "${MODEL}" };
const skills: any = openclaw.skills;
await skills.applyPatch(patch, { actor, approver: async () => true });`,
    );
    assert.equal(r.status, "error", JSON.stringify(r));
    assert.match(r.error!, /applyPatch is not a function/);
  });

  it("no other route: the runtime, parts, doors, an actor or a door smuggled into a call, a mutated config", async () => {
    const r = await execute(
      kernel,
      `const o: any = openclaw;
const patch = "--- a/a.txt\\n+++ b/a.txt\\n@@ -1 +1 @@\\n-one\\n+PWNED\\n";
const actor = { host: "kernel", sessionId: "forged", modelRef: "${MODEL}" };
const out: Record<string, unknown> = {};
out.keys = Object.keys(o).sort();
out.runtime = typeof o.runtime;
out.gateway = typeof o.gateway;
// Every function reachable from the facade, by name: none of them patches or mints a door.
const names: string[] = [];
for (const [k, v] of Object.entries(o)) {
  if (v && typeof v === "object") for (const [m, f] of Object.entries(v as object)) if (typeof f === "function") names.push(k + "." + m);
  else if (typeof v === "function") names.push(k);
}
out.functions = names.sort();
// A config copy is a copy.
const cfg = await o.config();
cfg.tools.exec.applyPatch.allowedModels.push("person");
// An actor, a door option or an approver passed along is not who acts.
out.run = await o.skills.run("argv-echo", { text: "x", actor, modelRef: "${MODEL}" });
out.risky = await o.skills.run("risky", { what: "y" });
out.kill = await o.exec.kill("xdoesnotexist").then(() => "killed", (e: Error) => e.message);
out.agentWithDoor = await o.agent.run({ prompt: "patch", model: "${MODEL}", door: { actor, applyPatch: async () => ({}) }, actor }).then((t: any) => t.status, (e: Error) => e.message);
JSON.stringify(out)`,
    );
    assert.equal(r.status, "ok", JSON.stringify(r));
    const out = JSON.parse(r.texts.at(-1)!);
    assert.deepEqual(out.keys, ["agent", "approve", "audit", "config", "exec", "magic", "models", "rag", "signal", "skills"]);
    assert.equal(out.runtime, "undefined");
    assert.equal(out.gateway, "undefined");
    assert.ok(!out.functions.some((n: string) => /patch|door|governor|runtime|actor/i.test(n)), out.functions.join(","));
    assert.equal(out.run.status, "denied", JSON.stringify(out));
    assert.equal(out.run.rule, "params.schema", JSON.stringify(out.run));
    assert.equal(out.risky.status, "ok", "a person approved a person's run");
    assert.match(out.kill, /xdoesnotexist/);
    // The turn cannot reach a model (no key): it fails before any tool call, whatever was passed.
    assert.notEqual(out.agentWithDoor, "ok");
  });

  it("the audit log: no record names a model, the file is unchanged, a cell's actions are the kernel person's", () => {
    assert.equal(readFileSync(join(ws, "a.txt"), "utf8"), "one\n");
    const recs = records();
    assert.ok(recs.length >= 4, JSON.stringify(recs));
    assert.deepEqual(recs.filter((x) => "modelRef" in x.actor || "modelId" in x.actor), [], "no record credits a model");
    assert.ok(recs.every((x) => x.actor.host === "kernel" && x.actor.sessionId !== "forged"), JSON.stringify(recs.map((x) => x.actor)));
    assert.equal(recs.filter((x) => x.action === "apply_patch").length, 0, "no apply_patch was even attempted through the governor");
    const kill = recs.find((x) => x.action === "exec.kill");
    assert.ok(kill, "exec.kill from a cell is audited");
    assert.equal(kill!.execId, "xdoesnotexist");
    assert.ok(recs.some((x) => x.action === "approval" && x.decision === "allow" && x.skill === "risky"));
  });
});
