/**
 * Approvals over stdin under abuse: forged input_replies (another client, another
 * input_request, a forged session from another connection) must not answer a pending
 * approval, and the prompt shows model-chosen text escaped, quoted and cut. The real
 * kernel, driven by jupyter_client (tests/kernel/driver.py); plus units of the matching rule.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { writeFile } from "../helpers/index.js";
import { describe, it } from "node:test";
import { mismatch } from "../../kernel/stdin.js";
import type { Message } from "../../kernel/session.js";
import { kernelEnv, runDriver } from "./helpers.js";

function msg(type: string, session: string, ident: string, parentId?: string): Message {
  return {
    identities: [Buffer.from(ident)],
    header: { msg_id: "m-" + Math.random(), msg_type: type, session, username: "u", date: "", version: "5.3" },
    parent_header: parentId === undefined ? {} : { msg_id: parentId },
    metadata: {},
    content: { value: "y" },
    buffers: [],
  };
}

describe("input_reply matching (units)", () => {
  const cell = msg("execute_request", "S", "client-1");
  const pending = { requestId: "REQ", parent: cell };
  it("accepts the cell's client naming our input_request, or naming none from the same connection", () => {
    assert.equal(mismatch(msg("input_reply", "S", "client-1", "REQ"), pending), undefined);
    assert.equal(mismatch(msg("input_reply", "S", "other-connection", "REQ"), pending), undefined, "JupyterLab through a server: the parent names our request");
    assert.equal(mismatch(msg("input_reply", "S", "client-1"), pending), undefined, "jupyter_client's input() names no parent");
  });
  it("refuses another session, another input_request, or no parent from another connection", () => {
    assert.match(mismatch(msg("input_reply", "OTHER", "client-1", "REQ"), pending)!, /another client session/);
    assert.match(mismatch(msg("input_reply", "S", "client-1", "OLD"), pending)!, /another input_request/);
    assert.match(mismatch(msg("input_reply", "S", "forger"), pending)!, /another connection/);
    assert.match(mismatch(msg("execute_request", "S", "client-1", "REQ"), pending)!, /on the stdin channel/);
  });
});

describe("kernel via jupyter_client: forged input_replies and hostile approval text", { timeout: 240_000 }, () => {
  it("drops every forged reply, takes the real client's answer, and shows the model's text escaped under a fixed prompt", async () => {
    const k = kernelEnv();
    try {
      const d = await runDriver(k, ["forged_input"]);
      const r = d.forged_input;
      assert.ok(!r.exception, r.exception);
      assert.equal(r.register, "ok");
      assert.equal(r.early_reply, null, "a forged input_reply ended the approval");
      assert.equal(r.denied, true, "the real client's no is what decided: " + r.output);
      assert.equal(r.ran, false, "the skill ran on a forged yes: " + r.output);
      assert.equal(r.after, "ok", "the kernel goes on");
      // The prompt: the model's text escaped and quoted, the only [y/N] at the end, ours.
      const prompt: string = r.prompt;
      assert.equal(r.password, false);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for a raw ESC on purpose
      assert.ok(!/[\u202E\u200B\u001B]/.test(prompt), "no raw bidi, zero-width or escape character reaches the person: " + JSON.stringify(prompt));
      assert.match(prompt, /\\u\{202E\}txt\.exe/);
      assert.match(prompt, /\\u\{1B\}\[31m/);
      assert.match(prompt, /\\u\{200B\}/);
      assert.match(prompt, /\[cut: \d+ chars, first \d+ shown\]/, "long values are cut with their length");
      const lines = prompt.split("\n");
      assert.equal(lines.at(-1), "approve? [y/N] ");
      for (const l of lines.slice(0, -1)) if (/\[y\/N\]/.test(l)) assert.match(l, /^\s+(\[\d+\]|summary:) "/, `a model's [y/N] sits inside an indented quoted value: ${l}`);
      assert.match(prompt, /^approval needed: skill "risky-arg-test" \(risk: high\) wants to run/);
    } finally {
      rmSync(k.dir, { recursive: true, force: true });
    }
  });
});

describe("kernel via jupyter_client: the gateway's generated token", { timeout: 240_000 }, () => {
  it("never appears in any message the kernel sends (magics, JSON, TypeScript results) nor in the gateway log", async () => {
    const k = kernelEnv();
    try {
      writeFile(join(k.cwd, "openclaw.json"), { gateway: { bind: "127.0.0.1:0", auth: "token" } });
      const d = await runDriver(k, ["gateway_token"]);
      const r = d.gateway_token;
      assert.ok(!r.exception, r.exception);
      assert.deepEqual(r.statuses, ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"]);
      assert.ok(r.token_len >= 32, "a token was generated");
      assert.equal(r.mode, 0o600);
      assert.equal(r.in_messages, false, "the token reached a notebook output");
      assert.equal(r.in_log, false, "the token reached the gateway log");
      assert.ok(r.log_lines >= 2, "started and stopped were logged");
      assert.equal(r.where_said, true, "the output says where the token file is");
      assert.match(r.start_text, /token: generated and saved \(mode 0600\) in .*`cat /);
    } finally {
      rmSync(k.dir, { recursive: true, force: true });
    }
  });
});
