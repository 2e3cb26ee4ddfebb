/**
 * The truth of a cell (issue 13), through the real kernel and Debian's jupyter_client
 * (tests/kernel/steps.py), and through the real CLI:
 * - a command whose result is a failure (doctor FAIL, a failed audit verify, an agent turn
 *   that did not end ok) ends its cell in error, after its output, shown once;
 * - a turn that timed out or was stopped is not ok anywhere: --json status, exit code,
 *   execute_reply, transcript badge.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it, test } from "node:test";
import { CLI, pythonJson, ROOT, tmp, writeFile } from "../helpers/index.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/models/openai-server.js";
import { kernelEnv, type KernelEnv } from "./helpers.js";

const STEPS = join(ROOT, "tests", "kernel", "steps.py");

/** Runs steps.py on one kernel; resolves with what each step observed. */
export async function runSteps(k: KernelEnv, steps: object[], extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): Promise<any[]> {
  const { value, stderr } = await pythonJson([STEPS], { env: { ...k.env, ...extraEnv, OC_STEPS: JSON.stringify(steps) }, timeoutMs, what: "steps.py" });
  for (const [i, s] of (value as any[]).entries()) if (s?.exception) throw new Error(`step ${i}: ${s.exception}\n${stderr.slice(-3000)}`);
  return value;
}

/** The real CLI, asynchronously (the fake model server lives in this process). */
function cliAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, OPENCLAW_CONFIG: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const KEY = "sk-test-truth-0123456789abcdef";

test("agent --json: a streaming turn cut by turnTimeoutSec is status timeout with exit 1, not a truncated ok", async (t) => {
  const srv = await startFakeOpenAI();
  t.after(() => srv.close());
  srv.slowMs = 6000;
  const dir = tmp(t);
  const cfg = writeFile(join(dir, "openclaw.json"), {
    agentDefaults: { workspace: "./workspace", turnTimeoutSec: 1 },
    models: { providers: { openai: { baseURL: srv.url, maxRetries: 0 } } },
    skills: { bundled: false },
    stateDir: "./state",
  });
  writeFile(join(dir, "workspace", ".keep"), "");
  const r = await cliAsync(["agent", "hi", "--model", "openai/slow-stream", "--json", "--config", cfg], { OPENAI_API_KEY: KEY });
  const d = JSON.parse(r.stdout);
  assert.ok((srv.hits["slow-stream"] ?? 0) >= 1, "the slow streaming server was asked");
  assert.equal(d.status, "timeout", r.stdout);
  assert.equal(r.code, 1);
  assert.match(d.error, /turnTimeoutSec/);
  const end = d.events.find((e: any) => e.type === "turn.end");
  assert.equal(end.status, "timeout");
});

describe("the truth of a cell, through jupyter_client", { timeout: 300_000 }, () => {
  let k: KernelEnv;
  let srv: FakeOpenAI;
  let r: any[];

  before(async () => {
    srv = await startFakeOpenAI();
    srv.slowMs = 20_000;
    k = kernelEnv();
    writeFile(join(k.cwd, "openclaw.json"), {
      agentDefaults: { turnTimeoutSec: 2 },
      models: { providers: { openai: { baseURL: srv.url, maxRetries: 0 } } },
      skills: { bundled: false },
    });
    writeFile(join(k.cwd, "workspace", ".keep"), "");
    // A log the chain check refuses: doctor FAILs and audit verify fails.
    const log = writeFile(join(k.env.OPENCLAW_STATE_DIR!, "audit", "audit.jsonl"), '{"seq":1,"junk":true}\n');
    chmodSync(log, 0o600);
    r = await runSteps(
      k,
      [
        { op: "run", code: "%openclaw doctor" },
        { op: "run", code: "%openclaw audit verify\nconsole.log('not reached')" },
        { op: "run", code: "%openclaw agent --model openai/slow-stream hi", timeout: 60 },
        { op: "run", code: "%openclaw agent --model openai/err-401 hi", timeout: 60 },
        { op: "stop", code: "%openclaw agent --model openai/slow-stream hi", when: "update", count: 2 },
        { op: "run", code: "%openclaw help" },
      ],
      { OPENAI_API_KEY: KEY },
    );
  });

  after(async () => {
    await srv?.close();
    if (k) rmSync(k.dir, { recursive: true, force: true });
  });

  const errors = (x: any) => x.msgs.filter((m: any) => m.type === "error");
  const displays = (x: any) => x.msgs.filter((m: any) => m.type === "display_data" || m.type === "update_display_data");

  it("doctor FAIL fails the cell after its table, with a short error shown once", () => {
    const [doc] = r;
    assert.equal(doc.status, "error");
    assert.equal(doc.ename, "DoctorFailed");
    assert.match(doc.evalue, /^1 check failed; see above$/);
    assert.equal(doc.traceback.length, 1);
    assert.ok(displays(doc).some((m: any) => /oc-doctor/.test(m.html)), "the doctor table is shown first");
    assert.equal(errors(doc).length, 1);
    assert.ok(!displays(doc).some((m: any) => /oc-error/.test(m.html)), "no styled error box besides the table");
  });

  it("a failed audit verify fails the cell and stops the rest of it", () => {
    const v = r[1];
    assert.equal(v.status, "error");
    assert.equal(v.ename, "AuditVerifyFailed");
    assert.match(v.evalue, /does not verify/);
    assert.ok(!v.msgs.some((m: any) => m.type === "stream" && /not reached/.test(m.text)));
  });

  it("a timed-out streaming turn: execute_reply error AgentTimeout, transcript badge timeout, never ok", () => {
    const a = r[2];
    assert.equal(a.status, "error");
    assert.equal(a.ename, "AgentTimeout");
    assert.equal(a.traceback.length, 1);
    const last = displays(a).at(-1);
    assert.match(last.html, /oc-badge oc-timeout/);
    assert.doesNotMatch(last.html, /oc-badge oc-ok/);
    assert.match(last.plain, /timeout/);
  });

  it("a 401 fails the cell with AgentError, its fix shown once in the transcript", () => {
    const a = r[3];
    assert.equal(a.status, "error");
    assert.equal(a.ename, "AgentError");
    assert.equal(errors(a).length, 1);
    assert.equal(errors(a)[0].traceback.length, 1);
  });

  it("Stop during a streaming turn: AbortedError within a second, the transcript says aborted", () => {
    const s = r[4];
    assert.ok(s.fired, "the turn streamed before Stop");
    assert.equal(s.status, "error", JSON.stringify({ reply_s: s.reply_s, plain: s.msgs.map((m: any) => m.plain ?? m.text ?? m.type) }));
    assert.equal(s.ename, "AbortedError");
    assert.ok(s.reply_s < 1, `reply ${s.reply_s}s after Stop`);
    const last = displays(s)
      .filter((m: any) => !/oc-error/.test(m.html))
      .at(-1);
    assert.match(last.html, /oc-badge oc-aborted/);
    assert.doesNotMatch(last.html, /oc-badge oc-ok/);
    assert.equal(r[5].status, "ok", "the kernel runs the next cell");
  });
});

describe("rag index in a notebook: live progress, Stop within a second, the next run resumes", { timeout: 600_000 }, () => {
  let k: KernelEnv;
  let r: any[];
  let stoppedQuery: any;
  const FILES = 200;

  before(async () => {
    k = kernelEnv();
    writeFile(join(k.cwd, "openclaw.json"), { agentDefaults: { workspace: "./workspace" }, skills: { bundled: false } });
    const words = "onboarding training product demo session recorded hire manager schedule review policy security laptop account access badge office remote weekly team".split(" ");
    for (let i = 0; i < FILES; i++) {
      const text = Array.from({ length: 50 }, (_, j) => words[(i * 7 + j * 3 + (j % 5)) % words.length]).join(" ");
      writeFile(join(k.cwd, "workspace", `doc${String(i).padStart(3, "0")}.md`), `# Note ${i}\n\n${text}\n`);
    }
    const all = await runSteps(k, [
      // The first query builds the index: Stop lands there too.
      { op: "stop", code: '%openclaw rag query "onboarding training"', when: "update", count: 2, contains: "embed ", timeout: 300 },
      { op: "stop", code: "%openclaw rag index", when: "update", count: 3, contains: "embed ", timeout: 300 },
      { op: "run", code: "%openclaw rag index --json", timeout: 500 },
      { op: "run", code: '%openclaw rag query "onboarding training" --topk 2 --json', timeout: 120 },
    ]);
    stoppedQuery = all[0];
    r = all.slice(1);
  });

  after(() => {
    if (k) rmSync(k.dir, { recursive: true, force: true });
  });

  it("shows a live progress display with counts, rate and time left", () => {
    const updates = r[0].msgs.filter((m: any) => m.type === "update_display_data");
    assert.ok(updates.length >= 3, `${updates.length} updates`);
    assert.ok(updates.some((m: any) => /embed \d+\/\d+ \([\d.]+\/s, \d+ (s|min) left\)/.test(m.plain)), JSON.stringify(updates.map((m: any) => m.plain)));
    const full = r[1].msgs.filter((m: any) => m.type === "update_display_data").length;
    assert.ok(full >= 3, `the resumed run updated its display ${full} times`);
  });

  it("Stop lands within a second, as AbortedError, saying the next run resumes", () => {
    const s = r[0];
    assert.ok(s.fired, "indexing was under way");
    assert.equal(s.status, "error", JSON.stringify({ reply_s: s.reply_s, plain: s.msgs.map((m: any) => m.plain ?? m.text ?? m.type) }));
    assert.equal(s.ename, "AbortedError");
    assert.ok(s.reply_s < 1, `reply ${s.reply_s}s after Stop`);
    assert.match(s.evalue, /indexing stopped after \d+ of \d+ new chunks; .*the next `rag index` resumes/);
  });

  it("Stop lands within a second in the first rag query, which builds the index", () => {
    assert.ok(stoppedQuery.fired, "the query was indexing");
    assert.equal(stoppedQuery.ename, "AbortedError");
    assert.ok(stoppedQuery.reply_s < 1, `reply ${stoppedQuery.reply_s}s after Stop`);
  });

  it("the next rag index resumes: it embeds only what the stopped run had not finished, and queries work", () => {
    const rep = JSON.parse(r[1].msgs.filter((m: any) => m.mime?.includes("application/json")).at(-1).plain);
    assert.equal(r[1].status, "ok");
    assert.equal(rep.files, FILES);
    assert.ok(rep.unchangedFiles > 0, `resumed: ${rep.unchangedFiles} files kept from the stopped run`);
    assert.ok(rep.embeddedChunks < rep.chunks, `${rep.embeddedChunks} of ${rep.chunks} embedded again`);
    assert.equal(r[2].status, "ok");
  });
});

describe("the kernel as an editor expects it: is_complete, history across restarts, completion; gateway logs --follow", { timeout: 300_000 }, () => {
  let k: KernelEnv;
  let r: any[];

  before(async () => {
    k = kernelEnv();
    const { writeSkill } = await import("../fixtures/models/runtime.js");
    writeSkill(join(k.cwd, "skills"), "greet", "/bin/echo {{name}} {{greeting}}", { name: { type: "string", description: "who" }, greeting: { type: "string", description: "how" } });
    writeFile(join(k.cwd, "scripts", "hello-script.json"), { description: "t", turns: [{ content: "hi" }] });
    writeFile(join(k.cwd, "models", "tiny-test.gguf"), "GGUF");
    writeFile(join(k.cwd, "openclaw.json"), {
      skills: { dirs: ["./skills"], bundled: false },
      models: { providers: { scripted: { scriptsDir: "./scripts" }, llamacpp: { modelsDir: "./models" } } },
      gateway: { bind: "127.0.0.1:0" },
    });
    const gatewayLog = join(k.env.OPENCLAW_STATE_DIR!, "gateway", "gateway.log");
    const unique = `unique_${Date.now()}`;
    r = await runSteps(k, [
      { op: "is_complete", code: '%openclaw rag query "how do we onboard' },
      { op: "is_complete", code: "%openclaw skills run greet name=`uname" },
      { op: "is_complete", code: "%%openclaw agent" },
      { op: "is_complete", code: "%%openclaw agent\nHow do we onboard?" },
      { op: "is_complete", code: '%openclaw rag query "how do we onboard?"' },
      { op: "run", code: `const ${unique} = 1;` },
      { op: "run", code: "%openclaw help --json" },
      { op: "history", hist_access_type: "tail", n: 5 },
      { op: "restart" },
      { op: "history", hist_access_type: "tail", n: 5 },
      { op: "history", hist_access_type: "search", pattern: `const ${unique}*`, n: 3 },
      { op: "history", hist_access_type: "range", session: -1, start: 1 },
      { op: "complete", code: "%openclaw skills run greet " },
      { op: "complete", code: "%openclaw skills run greet name=bob g" },
      { op: "complete", code: "%openclaw agent hi --model scripted/" },
      { op: "complete", code: "%openclaw agent hi --model llamacpp/" },
      { op: "complete", code: "display." },
      { op: "run", code: "%openclaw gateway start" },
      { op: "stop", code: "%openclaw gateway logs --follow", when: "stream", append: [gatewayLog, '{"msg":"appended-by-the-test"}'], timeout: 60 },
      { op: "run", code: "%openclaw gateway stop" },
    ]);
    r.push(unique);
  });

  after(() => {
    if (k) rmSync(k.dir, { recursive: true, force: true });
  });

  it("is_complete: an open quote or backtick and a bodiless %%openclaw agent are incomplete", () => {
    assert.deepEqual(r.slice(0, 5).map((x) => x.status), ["incomplete", "incomplete", "incomplete", "complete", "complete"]);
  });

  it("history is kept across a kernel restart: tail, search and range", () => {
    const unique = r.at(-1);
    const before = r[7].history;
    assert.deepEqual(before.map((h: any) => h[2]), [`const ${unique} = 1;`, "%openclaw help --json"]);
    const after = r[9].history;
    assert.deepEqual(after, before, "the restarted kernel answers with the same entries");
    assert.deepEqual(r[10].history.map((h: any) => h[2]), [`const ${unique} = 1;`]);
    assert.deepEqual(r[11].history, before, "range over the previous session");
  });

  it("completes skill parameters as name=, model files for scripted/ and llamacpp/, and display's helpers", () => {
    assert.deepEqual(r[12].matches, ["greeting=", "name="]);
    assert.deepEqual(r[13].matches, ["greeting="]);
    assert.ok(r[14].matches.includes("scripted/hello-script.json"), JSON.stringify(r[14]));
    assert.ok(r[15].matches.includes("llamacpp/tiny-test.gguf"), JSON.stringify(r[15]));
    const d = r[16].matches;
    for (const h of ["html", "markdown", "newDisplay", "json"]) assert.ok(d.includes(h), JSON.stringify(d));
    for (const f of ["apply", "bind", "call"]) assert.ok(!d.includes(f), `${f} offered: ${JSON.stringify(d)}`);
  });

  it("gateway logs --follow streams lines into the cell until Stop, with no transcript box", () => {
    assert.equal(r[17].status, "ok");
    const f = r[18];
    assert.ok(f.fired, JSON.stringify(f.msgs));
    const text = f.msgs.filter((m: any) => m.type === "stream").map((m: any) => m.text).join("");
    assert.match(text, /appended-by-the-test/, "a line written while following was streamed");
    assert.ok(!f.msgs.some((m: any) => /agent turn|oc-transcript/.test(m.html ?? "")), "no empty agent transcript");
    assert.equal(f.ename, "AbortedError");
    assert.ok(f.reply_s < 1, `reply ${f.reply_s}s after Stop`);
    assert.equal(r[19].status, "ok");
  });
});
