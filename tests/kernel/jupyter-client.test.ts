/**
 * The real kernel driven by Debian's jupyter_client (KernelManager + BlockingKernelClient)
 * through tests/kernel/driver.py: one kernel shared by every scenario, then shut down.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { filesContaining, kernelEnv, runDriver, type KernelEnv } from "./helpers.js";

const SECRET = "sk-oc-test-" + Math.random().toString(36).slice(2) + "Zq9";
const SCENARIOS = ["info", "magics", "typescript", "lines1000", "stop_on_error", "interrupt", "interrupt_sync", "interrupt_exec", "stdin", "skills", "complete", "signatures", "cells250", "shutdown"];

describe("kernel via jupyter_client", { timeout: 300_000 }, () => {
  let k: KernelEnv;
  let d: Record<string, any>;
  before(async () => {
    k = kernelEnv();
    d = await runDriver(k, SCENARIOS, { OC_SECRET: SECRET });
    for (const s of SCENARIOS) if (d[s]?.exception) throw new Error(`scenario ${s}: ${d[s].exception}`);
  });

  after(() => k && rmSync(k.dir, { recursive: true, force: true }));

  const types = (r: any) => r.msgs.map((m: any) => m.type);

  it("answers kernel_info as openclaw-kernel, TypeScript, protocol 5.3", () => {
    assert.deepEqual({ ...d.info, help_links: d.info.help_links > 0 }, { implementation: "openclaw-kernel", language: "typescript", protocol: "5.3", help_links: true });
  });

  it("runs %openclaw help, config validate and doctor with rich MIME bundles", () => {
    for (const code of ["%openclaw help", "%openclaw config validate", "%openclaw doctor"]) {
      const r = d.magics[code];
      assert.equal(r.status, "ok", code);
      assert.deepEqual(types(r), ["status", "execute_input", "display_data", "status"], code);
      const disp = r.msgs[2];
      assert.deepEqual(disp.mime, ["application/json", "text/html", "text/markdown", "text/plain"], code);
      assert.doesNotMatch(disp.html, /<script|src=["']?http/i, code);
    }
    assert.match(d.magics["%openclaw help"].msgs[2].plain, /%openclaw config validate/);
    assert.match(d.magics["%openclaw doctor"].msgs[2].html, /oc-doctor/);
  });

  it("runs several magic lines and then TypeScript in one cell", () => {
    const r = d.magics["%openclaw help\n%openclaw config validate\nconst fromTs: number = 7\nfromTs * 6"];
    assert.equal(r.status, "ok");
    assert.deepEqual(types(r), ["status", "execute_input", "display_data", "display_data", "execute_result", "status"]);
    assert.equal(r.msgs[4].plain, "42");
  });

  it("turns a bad magic into a Jupyter error with the fix and no internal stack", () => {
    const r = d.magics["%openclaw nope"];
    assert.equal(r.status, "error");
    assert.equal(r.ename, "UsageError");
    assert.ok(types(r).includes("error"));
    // The styled box carries the fix; the error itself is one short line (shown once, not twice).
    assert.ok(r.msgs.some((m: any) => m.type === "display_data" && /oc-error/.test(m.html) && /^fix:/m.test(m.plain)));
    assert.equal(r.traceback.length, 1);
    assert.match(r.traceback[0], /^UsageError: /);
    assert.ok(!r.traceback.some((l: string) => /^\s+at /.test(l)), "no stack frames for a user mistake");
  });

  it("runs TypeScript cells: output, declarations across cells, top-level await, imports, display helpers", () => {
    const [first, second, awaited, disp, typeErr, thrown, imported, facade] = d.typescript;
    assert.deepEqual(types(first), ["status", "execute_input", "stream", "execute_result", "status"]);
    assert.equal(first.msgs[2].text, "a=2\n");
    assert.equal(first.msgs[3].plain, "42");
    assert.equal(second.msgs.find((m: any) => m.type === "execute_result").plain, "3");
    assert.equal(awaited.msgs.find((m: any) => m.type === "execute_result").plain, "awaited");
    const shown = disp.msgs.filter((m: any) => m.type === "display_data" || m.type === "update_display_data");
    assert.deepEqual(shown.map((m: any) => [m.type, m.mime[0]]), [["display_data", "text/html"], ["display_data", "text/markdown"], ["display_data", "text/plain"], ["update_display_data", "text/plain"]]);
    assert.equal(shown[2].display_id, shown[3].display_id);
    assert.equal(typeErr.status, "error");
    assert.equal(typeErr.ename, "TypeScriptError");
    assert.match(typeErr.traceback[0], /^1:5 - Type 'number' is not assignable to type 'string'/);
    assert.equal(thrown.ename, "RangeError");
    assert.ok(thrown.traceback.every((l: string) => !l.includes("/kernel/")), "no kernel frames in a cell's traceback");
    assert.equal(imported.msgs.find((m: any) => m.type === "execute_result").plain, "y.txt");
    assert.equal(facade.msgs.find((m: any) => m.type === "execute_result").plain, "true");
  });

  it("delivers all 1000 lines of a cell, in order, then idle", () => {
    assert.deepEqual(d.lines1000, { status: "ok", idle: true, lines: 1000, in_order: true, last_is_idle: true });
  });

  it("gives each of 250 pipelined cells its output, reply and idle", () => {
    assert.deepEqual(d.cells250, { with_output: 250, idle: 250, replies_ok: 250 });
  });

  it("aborts only the cells queued behind a failure (stop_on_error)", () => {
    assert.deepEqual(d.stop_on_error, { first: "error", queued: "aborted", later: "ok", later_text: "sent later\n" });
  });

  /** Stop answered with AbortedError within seconds, and the next cell ran with the state kept. */
  function assertInterrupted(x: { status: string; ename: string; reply_s: number; after: string; after_plain: string[] }, expectAfter: string) {
    assert.equal(x.status, "error");
    assert.equal(x.ename, "AbortedError");
    assert.ok(x.reply_s < 5, `reply after ${x.reply_s}s`);
    assert.equal(x.after, "ok");
    assert.deepEqual(x.after_plain, [expectAfter]);
  }

  it("interrupts a long await within seconds and keeps the kernel and its state", () => {
    assertInterrupted(d.interrupt, "2");
  });

  it("interrupts a synchronous infinite loop (control runs on its own thread) and keeps the cells' state", () => {
    assert.equal(d.interrupt_sync.before, "ok");
    assertInterrupted(d.interrupt_sync, "10");
  });

  it("stops a governed exec (a skill running sleep) within seconds, leaving no child", () => {
    const x = d.interrupt_exec;
    assert.equal(x.register, "ok");
    assert.ok(x.was_running >= 1, "the sleep was running when Stop was pressed");
    assert.equal(x.status, "error");
    assert.equal(x.ename, "AbortedError");
    assert.ok(x.reply_s < 5, `reply after ${x.reply_s}s`);
    assert.deepEqual(x.left, []);
    assert.equal(x.after, "ok");
  });

  it("asks approvals through stdin, and denies without asking when stdin is not allowed", () => {
    const { yes, no_stdin } = d.stdin;
    assert.equal(yes.asked.length, 1);
    assert.equal(yes.asked[0].password, false);
    assert.match(yes.asked[0].prompt, /summary: "run ls"\n/);
    assert.match(yes.asked[0].prompt, /\napprove\? \[y\/N\] $/);
    assert.ok(yes.msgs.some((m: any) => m.text === "approved=true\n"));
    assert.equal(no_stdin.asked.length, 0);
    assert.ok(no_stdin.msgs.some((m: any) => m.text === "approved=false\n"));
  });

  it("registers a SKILL.md from a %%openclaw skill cell, runs it, and asks approval for a high-risk skill through stdin", () => {
    const sk = d.skills;
    const shown = (r: any) => r.msgs.filter((m: any) => m.type === "display_data").map((m: any) => m.plain).join("\n");
    assert.equal(sk.register.status, "ok");
    assert.match(shown(sk.register), /registered skill greet-test/);
    assert.ok(JSON.parse(shown(sk.listed)).skills.some((s: any) => s.name === "greet-test"));
    assert.equal(sk.ran.status, "ok");
    assert.match(shown(sk.ran), /Hello World/);
    assert.equal(sk.register_risky, "ok");
    assert.equal(sk.approved.status, "ok");
    assert.equal(sk.approved.asked.length, 1);
    assert.match(sk.approved.asked[0].prompt, /^approval needed: skill "risky-test" \(risk: high\) wants to run\n/);
    assert.match(shown(sk.approved), /ran after approval/);
    assert.equal(sk.denied.status, "error", "no stdin: denied without asking");
    assert.equal(sk.denied.asked.length, 0);
    assert.match(shown(sk.denied), /denied/);
    assert.doesNotMatch(shown(sk.denied), /ran after approval/);
    assert.deepEqual(sk.complete, ["greet-test"]);
    assert.equal(sk.inspect.found, true);
    assert.match(sk.inspect.plain, /greet-test/);
  });

  it("takes a secret through a password input_request; it reaches the runtime and nothing else (not even a cell)", () => {
    const { secret, listed, reach, child, nostdin_secret } = d.stdin;
    assert.equal(secret.status, "ok");
    assert.deepEqual(secret.asked, [{ prompt: "OC_TEST_SECRET: ", password: true }]);
    const rows = JSON.parse(listed.msgs.find((m: any) => m.type === "display_data").plain).secrets;
    assert.deepEqual(rows.find((r: any) => r.name === "OC_TEST_SECRET"), { name: "OC_TEST_SECRET", source: "prompt", set: true });
    // A cell has no runtime to read it from (the provider gets it: tests/kernel/configured.test.ts).
    assert.ok(reach.msgs.some((m: any) => m.text === "runtime=undefined env=absent\n"), JSON.stringify(reach.msgs));
    assert.equal(child.status, "ok");
    assert.equal(nostdin_secret.status, "error");
    assert.equal(d.stdin.secret_in_kernel_environ, false);
    assert.equal(d.secret_in_messages, 0, `secret seen in ${JSON.stringify(d.secret_hits)}`);
    assert.deepEqual(filesContaining(k.dir, SECRET), []);
  });

  it("completes magic subcommands and flags, TypeScript names; inspects magics; is_complete", () => {
    const c = d.complete;
    assert.deepEqual(c.group.matches, ["rag"]);
    assert.equal(c.group.start, "%openclaw ".length);
    assert.ok(c.sub.matches.includes("query") && c.sub.matches.includes("index"), JSON.stringify(c.sub));
    assert.deepEqual(c.flag.matches, ["--json"]);
    assert.ok(c.ts.matches.includes("abcdef"));
    assert.equal(c.inspect.found, true);
    assert.match(c.inspect.plain, /usage: %openclaw config validate/);
    assert.equal(c.open.status, "incomplete");
    assert.equal(c.closed.status, "complete");
    assert.equal(c.magic_closed.status, "complete");
    assert.equal(c.history, "ok");
    assert.equal(c.comm, "ok");
  });

  it("types `openclaw` from the facade's declarations: completion lists the real members", () => {
    const c = d.complete;
    for (const m of ["query", "index", "status"]) assert.ok(c.facade_rag.matches.includes(m), `openclaw.rag.${m}: ${JSON.stringify(c.facade_rag)}`);
    assert.equal(c.facade_rag.start, "openclaw.rag.".length);
    for (const m of ["skills", "rag", "models", "agent", "exec", "audit", "config", "magic"]) assert.ok(c.facade.matches.includes(m), `openclaw.${m}: ${JSON.stringify(c.facade)}`);
    assert.equal(c.facade_query.found, true);
    assert.match(c.facade_query.plain, /query\(question: string.*Promise<RagResult>/s, "the signature names the generated result type");
  });

  it("drops messages with a bad, missing or replayed signature and stays up", () => {
    assert.deepEqual(d.signatures, { bad_replied: false, good_replies: 1, alive: "ok" });
  });

  it("shuts down on request and leaves no child process", () => {
    assert.equal(d.shutdown.kernel_alive, false, JSON.stringify(d.shutdown));
    assert.equal(d.shutdown.child_alive, false, JSON.stringify(d.shutdown));
    assert.ok(d.shutdown.shutdown_s < 10);
  });
});
