// The `gateway` commands from a notebook: start/status/logs/stop run in-process through
// the same grammar the kernel uses.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { dispatch } from "../../magics/dispatch.js";
import { toJson, toMimeBundle, toText } from "../../magics/render/mime.js";
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
  assert.equal(start.data.tokenGenerated, true);
  assert.match(start.text, /token: generated and saved \(mode 0600\) in .*gateway\/token/);
  assert.match(start.text, /pairing code/);
  assert.match(start.html, /oc-gateway/);
  assert.doesNotMatch(start.html, /<script/i);
  const h = await fetch(`http://127.0.0.1:${start.data.port}/health`);
  assert.equal(((await h.json()) as { service: string }).service, "openclaw-kernel");
  const again = (await dispatch("gateway start", ctx)).result as any;
  assert.equal(again.data.alreadyRunning, true);
  assert.doesNotMatch(again.text, /token: generated/, "said once, on the start that generated it");
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

test("kernel: a generated gateway token is in no output (text, HTML, Markdown, JSON), no event and no log line", async (t) => {
  const dir = tmp(t);
  writeFile(join(dir, "openclaw.json"), { gateway: { bind: "127.0.0.1:0", auth: "token", control: { ui: true } }, stateDir: "./state" });
  const events: any[] = [];
  const ctx = makeContext({ host: "kernel", cwd: dir, env: {}, emit: (e) => events.push(e) });
  t.after(() => ctx.closeAll());
  const outputs: string[] = [];
  const show = (r: any) => outputs.push(JSON.stringify(toMimeBundle(r)), toText(r), toJson(r), JSON.stringify(r));
  const start = (await dispatch("gateway start", ctx)).result as any;
  show(start);
  show((await dispatch("gateway start --json", ctx)).result);
  const file = join(dir, "state", "gateway", "token");
  const token = readFileSync(file, "utf8").trim();
  assert.ok(token.length >= 32);
  assert.equal(start.data.tokenFile, file);
  // Where it is and how to read it are said; the value is not.
  assert.ok(toText(start).includes(file) && /cat /.test(toText(start)), toText(start));
  const bundle = toMimeBundle(start) as Record<string, unknown>;
  for (const mime of ["text/plain", "text/html", "text/markdown", "application/json"]) assert.ok(mime in bundle, `${mime} rendered`);
  // The token works, so the gateway really uses it; failures and successes get logged.
  const h = await fetch(`http://127.0.0.1:${start.data.port}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(h.status, 200);
  await fetch(`http://127.0.0.1:${start.data.port}/metrics`, { headers: { Authorization: "Bearer wrong-wrong-wrong-wrong" } });
  show((await dispatch("gateway status", ctx)).result);
  show((await dispatch("gateway status --json", ctx)).result);
  show((await dispatch("gateway logs -n 100", ctx)).result);
  show((await dispatch("gateway stop", ctx)).result);
  const log = readFileSync(join(dir, "state", "gateway", "gateway.log"), "utf8");
  assert.ok(log.split("\n").length > 3, "the log has lines to check");
  for (const [i, o] of outputs.entries()) assert.ok(!o.includes(token), `output ${i} carries the token`);
  assert.ok(!JSON.stringify(events).includes(token), "no event carries the token");
  assert.ok(!log.includes(token), "no log line carries the token");
});
