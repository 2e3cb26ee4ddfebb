// The `gateway` commands from a notebook: start/status/logs/stop run in-process through
// the same grammar the kernel uses.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { dispatch } from "../../magics/dispatch.js";
import { makeContext } from "../../magics/commands/context.js";
import { tmp, writeFile } from "../helpers/index.js";

test("kernel: gateway start -> status -> logs -> stop, in-process, with text/HTML/JSON renderings", async (t) => {
  const dir = tmp(t);
  writeFile(join(dir, "openclaw.json"), { gateway: { bind: "127.0.0.1:0", auth: "token", control: { ui: true, deviceAuth: true } }, stateDir: "./state" });
  const events: any[] = [];
  const ctx = makeContext({ host: "kernel", cwd: dir, env: {}, emit: (e) => events.push(e) });
  t.after(() => ctx.closeAll());
  const start = (await dispatch("gateway start --json", ctx)).result as any;
  assert.equal(start.exitCode, 0);
  assert.equal(start.data.running, true);
  assert.ok(start.data.port > 0);
  assert.ok(start.data.generatedToken, "a fresh token is shown once");
  assert.match(start.text, /token \(shown once/);
  assert.match(start.text, /pairing code/);
  assert.match(start.html, /oc-gateway/);
  assert.doesNotMatch(start.html, /<script/i);
  const h = await fetch(`http://127.0.0.1:${start.data.port}/health`);
  assert.equal(((await h.json()) as { service: string }).service, "openclaw-kernel");
  const again = (await dispatch("gateway start", ctx)).result as any;
  assert.equal(again.data.alreadyRunning, true);
  assert.doesNotMatch(again.text, /token \(shown once/, "the token is not shown twice");
  const status = (await dispatch("gateway status", ctx)).result as any;
  assert.equal(status.exitCode, 0);
  assert.equal(status.data.where, "this process");
  assert.match(status.data.pairingCode, /^[2-9A-Z]{4}-[2-9A-Z]{4}$/, "the pairing code is shown where the gateway runs");
  const logs = (await dispatch("gateway logs -n 5", ctx)).result as any;
  assert.equal(logs.exitCode, 0);
  assert.equal(logs.data.lines[0].msg, "gateway started");
  const stop = (await dispatch("gateway stop", ctx)).result as any;
  assert.equal(stop.data.stopped, true);
  await assert.rejects(fetch(`http://127.0.0.1:${start.data.port}/health`));
  const after = (await dispatch("gateway status", ctx)).result as any;
  assert.equal(after.exitCode, 1);
  assert.equal(after.data.running, false);
});

test("kernel: `gateway` alone and `gateway run` are CLI-only; bad -n is a usage error", async (t) => {
  const dir = tmp(t);
  const ctx = makeContext({ host: "kernel", cwd: dir, env: {} });
  t.after(() => ctx.closeAll());
  await assert.rejects(dispatch("gateway", ctx), (e: any) => e.exitCode === 2 && /needs a subcommand/.test(e.message));
  await assert.rejects(dispatch("gateway run", ctx), (e: any) => e.exitCode === 2);
  await assert.rejects(dispatch("gateway logs -n -3", ctx), (e: any) => e.exitCode === 2);
});

test("kernel: gateway logs --follow streams new lines until Stop", async (t) => {
  const dir = tmp(t);
  writeFile(join(dir, "openclaw.json"), { gateway: { bind: "127.0.0.1:0" }, stateDir: "./state" });
  const events: any[] = [];
  const ac = new AbortController();
  const ctx = makeContext({ host: "kernel", cwd: dir, env: {}, emit: (e) => events.push(e), signal: ac.signal });
  t.after(() => ctx.closeAll());
  const start = (await dispatch("gateway start --json", ctx)).result as any;
  const follow = dispatch("gateway logs -n 0 --follow", ctx);
  await new Promise((r) => setTimeout(r, 100));
  await fetch(`http://127.0.0.1:${start.data.port}/health`, { headers: { Origin: "http://evil.example" } });
  for (let i = 0; i < 60 && !events.some((e) => e.type === "gateway.log" && /refused by guard/.test(e.message)); i++) await new Promise((r) => setTimeout(r, 50));
  ac.abort();
  const r = (await follow).result as any;
  assert.equal(r.data.followed, true);
  assert.ok(events.some((e) => e.type === "gateway.log" && /refused by guard/.test(e.message)), "the new line was streamed");
});
