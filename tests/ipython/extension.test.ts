/**
 * The %openclaw magics in a Python kernel: Debian's ipykernel loads openclaw_kernel_ext
 * (installed by `openclaw-kernel install --ipython --user`), driven by jupyter_client.
 * One kernel runs every scenario in order, as a notebook would; a second one is killed -9.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { filesContaining, ipyEnv, runDriver, type IPyEnv } from "./helpers.js";

const SECRET = "sk-ipython-" + Math.random().toString(36).slice(2) + "Z9q";
const SCENARIOS = ["load", "doctor", "gateway", "rag", "agent", "approval", "secret", "interrupt", "interrupt_prompt", "host_crash", "error", "kill9", "shutdown"];

describe("IPython extension on a real Python kernel", { timeout: 1_200_000 }, () => {
  let k: IPyEnv;
  let d: Record<string, any>;

  before(async () => {
    k = ipyEnv();
    d = await runDriver(k, SCENARIOS, { OC_SECRET: SECRET });
    for (const s of SCENARIOS) if (d[s]?.exception) throw new Error(`${s}: ${d[s].exception}`);
  });

  after(() => {
    if (k) rmSync(k.dir, { recursive: true, force: true });
  });

  it("%load_ext registers the magics; the first command starts one host and shows the full MIME bundle", () => {
    assert.equal(d.load.load, "ok");
    assert.equal(d.load.help, "ok");
    assert.deepEqual(d.load.help_mime, ["application/json", "text/html", "text/markdown", "text/plain"]);
    assert.ok(d.load.host_pid > 0);
  });

  it("doctor renders as HTML and text", () => {
    assert.equal(d.doctor.status, "ok");
    const shown = d.doctor.msgs.find((m: any) => m.type === "display_data");
    assert.match(shown.html, /oc-doctor/);
    assert.match(shown.plain, /gateway\.bind\s+binds 127\.0\.0\.1:0 \(loopback only\)/);
  });

  it("gateway start, status, stop", () => {
    // `gateway status` exits 1 when no gateway answers: a failed check fails its cell, like doctor's (issue 13).
    assert.deepEqual(d.gateway.statuses, ["ok", "ok", "ok", "ok", "error"]);
    assert.match(d.gateway.texts[0], /gateway running at http:\/\/127\.0\.0\.1:\d+\//);
    assert.equal(JSON.parse(d.gateway.json[2]).running, true);
    assert.equal(JSON.parse(d.gateway.json[4]).running, false);
  });

  it("rag index, then a query shown as HTML citation cards", () => {
    assert.equal(d.rag.index, "ok", JSON.stringify(d.rag.index_tb));
    assert.equal(d.rag.query, "ok");
    const shown = d.rag.msgs.find((m: any) => m.type === "display_data");
    assert.deepEqual(shown.mime, ["application/json", "text/html", "text/markdown", "text/plain"]);
    assert.match(shown.html, /class="oc-citation"/);
    assert.match(shown.html, /onboarding\.md/);
    assert.match(shown.plain, /\[1\] onboarding\.md:\d+-\d+/);
  });

  it("an agent turn is one live display: display_data, then update_display_data with the same display_id", () => {
    const a = d.agent;
    assert.equal(a.status, "ok", `${a.ename}: ${a.evalue}`);
    const shown = a.msgs.filter((m: any) => m.type === "display_data" || m.type === "update_display_data");
    assert.ok(shown.length >= 2, JSON.stringify(a.msgs));
    assert.equal(shown[0].type, "display_data");
    assert.ok(shown[0].display_id);
    assert.ok(shown.slice(1).every((m: any) => m.type === "update_display_data" && m.display_id === shown[0].display_id), "one display, updated in place");
    assert.match(shown.at(-1).plain, /Hello from the scripted model\./);
    assert.match(shown[0].plain, /SCRIPTED/);
  });

  it("a risk-high skill asks through the Python kernel's stdin: y runs it, n refuses, no stdin means nobody could answer", () => {
    const a = d.approval;
    assert.equal(a.register, "ok");
    assert.equal(a.yes.status, "ok");
    assert.equal(a.yes.asked.length, 1);
    assert.equal(a.yes.asked[0].password, false);
    assert.match(a.yes.asked[0].prompt, /approval needed: skill "risky-ipy" \(risk: high\)[\s\S]*approve\? \[y\/N\] $/);
    assert.match(a.yes.text, /ran-after-approval/);
    assert.equal(a.no.asked.length, 1);
    assert.equal(a.no.status, "error");
    assert.doesNotMatch(a.no.text, /<pre[^>]*>ran-after-approval/);
    assert.equal(a.headless.asked.length, 0, "allow_stdin false: no question");
    assert.equal(a.headless.status, "error");
    assert.match(a.headless.text, /approval\.none|no one|nobody/i);
  });

  it("a secret goes through a password input_request, stays in the host's memory and is in no message or file", () => {
    const s = d.secret;
    assert.equal(s.status, "ok");
    assert.deepEqual(s.asked, [{ prompt: "OC_IPY_SECRET: ", password: true }]);
    assert.match(s.listed, /"name": "OC_IPY_SECRET",\s*"source": "prompt",\s*"set": true/);
    assert.match(s.env, /in-python-env=False/);
    assert.equal(d.secret_in_messages, 0, `secret seen in ${JSON.stringify(d.secret_hits)}`);
    assert.deepEqual(filesContaining(k.dir, SECRET), []);
  });

  it("Stop during a governed exec returns within a second, kills the child, and the extension stays usable", () => {
    const i = d.interrupt;
    assert.equal(i.register, "ok");
    assert.ok(i.was_running >= 1, "sleep 37 was running when Stop came");
    assert.equal(i.status, "error");
    assert.equal(i.ename, "KeyboardInterrupt");
    assert.ok(i.reply_s < 1, `reply after ${i.reply_s}s`);
    assert.deepEqual(i.left, [], "the exec child is gone");
    assert.equal(i.after, "ok");
    assert.equal(i.same_host, true, "the same host went on");
  });

  it("Stop while an approval waits on stdin cancels the command within a second; nothing runs", () => {
    const i = d.interrupt_prompt;
    assert.match(i.asked, /^approval needed: skill "risky-ipy"/);
    assert.equal(i.status, "error");
    assert.equal(i.ename, "KeyboardInterrupt");
    assert.ok(i.reply_s < 1, `reply after ${i.reply_s}s`);
    assert.equal(i.ran, false);
    assert.equal(i.after, "ok");
  });

  it("a host killed mid-command fails that cell with HostError at once; the next command starts a new host", () => {
    const c = d.host_crash;
    assert.equal(c.status, "error");
    assert.equal(c.ename, "HostError");
    assert.match(c.evalue, /host stopped .*Run the magic again/);
    assert.ok(c.reply_s < 5, `reply after ${c.reply_s}s`);
    assert.equal(c.after, "ok");
    assert.equal(c.new_host, true);
  });

  it("an error raises in the cell with the typed name and fix hint, and Run All stops there", () => {
    const e = d.error;
    assert.equal(e.status, "error");
    assert.equal(e.ename, "UsageError");
    assert.equal(e.evalue, 'unknown command "nope"');
    // The fix is in the error's rich display; the raised error is its one short line (shown once).
    assert.match(JSON.stringify(e.msgs), /fix: commands: help/);
    assert.equal(e.first, "error");
    assert.equal(e.first_ename, "ConfigError");
    assert.equal(e.queued, "aborted", "the cell queued behind the failed one did not run");
  });

  it("kill -9 of the Python kernel: the host and its children (a background sleep) are gone", () => {
    const x = d.kill9;
    assert.equal(x.gateway, "ok");
    assert.equal(x.background, "ok", x.bg_text);
    assert.ok(x.sleeping >= 1, `a background run was alive: ${x.bg_text}`);
    assert.equal(x.host_alive, false);
    assert.deepEqual(x.left, []);
  });

  it("shutdown of the Python kernel stops the host", () => {
    assert.equal(d.shutdown.host_alive, false);
    assert.deepEqual(d.shutdown.left, []);
  });
});
