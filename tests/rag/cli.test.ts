// The front doors: the compiled CLI and the bundled local-rag skill script (build first).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { check } from "../../runtime/config/schema.js";
import { ROOT, SEED, cli, needsSystemTool, tmp, writeFile } from "../helpers/index.js";

const SKILL_DIR = join(ROOT, "skills", "local-rag");
const Q = "How do we onboard new hires for product training?";

function setup(t: { after(fn: () => void): void }) {
  const root = tmp(t, "openclaw-rag-cli-");
  const workspace = join(root, "ws");
  cpSync(join(ROOT, "workspace"), workspace, { recursive: true });
  const stateDir = join(root, "state");
  const config = writeFile(join(root, "openclaw.json"), { agentDefaults: { workspace }, stateDir });
  return { root, workspace, stateDir, config };
}

const minimalEnv = (stateDir: string) => ({ PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8", OPENCLAW_STATE_DIR: stateDir });
const stable = (r: { tookMs?: number }) => ({ ...r, tookMs: 0 });

test("CLI: rag index, query --json (schema-valid, seed's shape), status; the skill script prints the same JSON", async (t) => {
  const { workspace, stateDir, config } = setup(t);
  const idx = cli(["rag", "index", "--config", config]);
  assert.equal(idx.code, 0, idx.stderr);
  assert.match(idx.stdout, /indexed [1-9]\d* files/);
  assert.match(idx.stderr, /indexing \d+\/\d+/); // progress on stderr

  const q = cli(["rag", "query", Q, "--topk", "5", "--json", "--config", config]);
  assert.equal(q.code, 0, q.stderr);
  const data = q.json();
  assert.deepEqual(check("rag-result.schema.json", data), []);
  assert.equal(data.query, Q);
  assert.equal(data.results.length, 5);
  assert.equal(data.results[0].source, "onboarding.md");
  assert.equal(typeof data.summary, "string");

  const text = cli(["rag", "query", Q, "--config", config]);
  assert.match(text.stdout, /^\[1\] onboarding\.md:\d+-\d+/m);

  const st = cli(["rag", "status", "--json", "--config", config]);
  assert.equal(st.json().fresh, true);
  assert.equal(st.json().chunks > 0, true);

  // the skill: argv only, cwd = workspace, minimal env, no config
  const s = spawnSync(process.execPath, [join(SKILL_DIR, "rag.mjs"), "--query", Q, "--topk", "5"], { cwd: workspace, env: minimalEnv(stateDir), encoding: "utf8", timeout: 60_000 });
  assert.equal(s.status, 0, s.stderr);
  assert.deepEqual(stable(JSON.parse(s.stdout)), stable(data));
});

test("CLI errors: usage exits 2; pull fails cleanly (exit 1) with the way out; --json prints the error", (t) => {
  const { config, stateDir } = setup(t);
  const bad = cli(["rag", "query", "x", "--topk", "0", "--config", config]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--topk must be an integer from 1 to 100/);
  assert.equal(cli(["rag", "query", "x", "--mode", "fuzzy", "--config", config]).code, 2);

  const pull = cli(["rag", "pull", "Xenova/all-MiniLM-L6-v2", "--json", "--config", config], { env: { HF_ENDPOINT: "http://127.0.0.1:9" } });
  assert.equal(pull.code, 1, pull.stderr);
  const err = pull.json();
  assert.equal(err.code, "rag_pull_failed");
  assert.match(err.message, /cannot download Xenova\/all-MiniLM-L6-v2/);
  assert.match(err.fix, /use-lite/);
  assert.ok(err.details.some((d: string) => d.includes(join(stateDir, "models", "Xenova", "all-MiniLM-L6-v2"))));
  assert.equal(cli(["rag", "pull", "../../etc/passwd", "--config", config]).code, 2);
});

test("skill script: bad arguments give a usage error as JSON; an empty workspace says what to do", (t) => {
  const root = tmp(t);
  const run = (args: string[]) => spawnSync(process.execPath, [join(SKILL_DIR, "rag.mjs"), ...args], { cwd: root, env: minimalEnv(join(root, "state")), encoding: "utf8", timeout: 60_000 });
  const u = run(["--bogus"]);
  assert.equal(u.status, 2);
  assert.equal(JSON.parse(u.stdout).error, "UsageError");
  const e = run(["--query", "anything"]);
  assert.equal(e.status, 1);
  assert.equal(JSON.parse(e.stdout).code, "rag_empty_workspace");
  assert.match(e.stderr, /fix: add Markdown/);
});

test("SKILL.md keeps the seed's shape and validates against the skill schema", () => {
  const md = readFileSync(join(SKILL_DIR, "SKILL.md"), "utf8");
  const fm = parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(md)![1]!);
  assert.deepEqual(check("skill.schema.json", fm), []);
  assert.equal(fm.name, "local-rag");
  assert.equal(fm.exec.cmd, 'node rag.mjs --query "{{query}}" --topk 5');
  assert.equal(fm.exec.timeoutSec, 600);
  const seed = readFileSync(join(SEED, "local-rag", "SKILL.md"), "utf8");
  assert.equal(fm.description, parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(seed)![1]!).description);
});

test("skill script inside the exec sandbox (read-only root, state dir hidden, no network)", async (t) => {
  const { probeSandbox, sandboxArgv } = await import("../../runtime/exec/sandbox.js");
  const sb = probeSandbox();
  const skip = needsSystemTool(sb.available, `bubblewrap cannot sandbox here (${sb.reason})`, "bubblewrap");
  if (skip) return t.skip(skip);
  const { workspace, stateDir } = setup(t);
  // the state dir is hidden (an empty tmpfs): the script indexes in there, then answers
  const argv = sandboxArgv(sb.path!, { workspace, cwd: workspace, hide: [stateDir], readOnly: [ROOT, SKILL_DIR] } /* as the skills registry does: the package stays visible even under /tmp */, [process.execPath, join(SKILL_DIR, "rag.mjs"), "--query", Q, "--topk", "3"]);
  const r = spawnSync(sb.path!, argv, { env: minimalEnv(stateDir), encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const data = JSON.parse(r.stdout);
  assert.deepEqual(check("rag-result.schema.json", data), []);
  assert.equal(data.results[0].source, "onboarding.md");
});
