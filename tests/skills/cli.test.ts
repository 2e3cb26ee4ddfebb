import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cli, tmp } from "../helpers/index.js";
import { FIXTURE_SKILLS } from "../fixtures/runtime.js";

function project(t: Parameters<typeof tmp>[0]) {
  const dir = tmp(t);
  const config = join(dir, "openclaw.json");
  writeFileSync(config, JSON.stringify({ skills: { bundled: false, dirs: [FIXTURE_SKILLS] }, tools: { exec: { sandbox: "off" } }, stateDir: "./state" }));
  return { dir, config, run: (...args: string[]) => cli(["--config", config, ...args], { cwd: dir }) };
}

test("CLI: skills run --json prints the one documented object; a refusal exits 78 with the reason", (t) => {
  const p = project(t);
  const ok = p.run("skills", "run", "local-rag", "query=How do we onboard? $(touch pwned)", "--json");
  assert.equal(ok.code, 0, ok.stderr);
  const data = ok.json();
  assert.deepEqual(Object.keys(data).sort(), ["argv", "durationMs", "exitCode", "id", "signal", "skill", "status", "stderr", "stdout", "timedOut", "truncated"]);
  assert.equal(data.status, "ok");
  assert.equal(JSON.parse(data.stdout).query, "How do we onboard? $(touch pwned)");

  const denied = p.run("skills", "run", "argv-echo", "text=--help", "--json");
  assert.equal(denied.code, 78);
  assert.equal(denied.json().status, "denied");
  assert.match(denied.json().reason, /option/);
  const text = p.run("skills", "run", "argv-echo", "text=-rf");
  assert.equal(text.code, 78);
  assert.match(text.stdout + text.stderr, /denied \(params\.option_injection\)/);
  const usage = p.run("skills", "run", "argv-echo", "novalue");
  assert.equal(usage.code, 2);
});

test("CLI: skills list/show, audit tail/verify (tamper -> exit 1 naming the record), exec list", (t) => {
  const p = project(t);
  const list = p.run("skills", "list", "--json");
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(list.json().skills.map((s: { name: string }) => s.name), ["argv-echo", "local-rag", "risky"]);
  const show = p.run("skills", "show", "local-rag");
  assert.match(show.stdout, /"--query","\{\{query\}\}"/);
  assert.equal(p.run("skills", "show", "nope").code, 2);

  for (const w of ["a", "b", "c"]) assert.equal(p.run("skills", "run", "argv-echo", `text=${w}`).code, 0);
  const tail = p.run("audit", "tail", "-n", "2", "--json");
  assert.equal(tail.code, 0, tail.stderr);
  assert.deepEqual(tail.json().records.map((r: { seq: number }) => r.seq), [2, 3]);
  const v = p.run("audit", "verify", "--json");
  assert.equal(v.code, 0);
  assert.deepEqual({ ...v.json(), message: undefined }, { ok: true, path: join(p.dir, "state", "audit", "audit.jsonl"), records: 3, firstBadSeq: null, tornLastLine: false, message: undefined });

  const log = join(p.dir, "state", "audit", "audit.jsonl");
  writeFileSync(log, readFileSync(log, "utf8").replace('"--text","b"', '"--text","B"'));
  const bad = p.run("audit", "verify", "--json");
  assert.equal(bad.code, 1);
  assert.equal(bad.json().ok, false);
  assert.equal(bad.json().firstBadSeq, 2);
  assert.match(p.run("audit", "verify").stdout, /TAMPERED.*record 2/);

  const ex = p.run("exec", "list", "--json");
  assert.equal(ex.code, 0);
  assert.deepEqual(ex.json(), { sessions: [], count: 0, more: false });
  assert.equal(p.run("exec", "log", "x123").code, 1);
});

test("CLI: a wrong parameter name is a usage error (exit 2) naming the right one, not a safety refusal (issue 13)", (t) => {
  const p = project(t);
  const typo = p.run("skills", "run", "argv-echo", "txt=hello");
  assert.equal(typo.code, 2, typo.stdout + typo.stderr);
  assert.match(typo.stderr, /argv-echo has no parameter "txt"; did you mean "text"\?/);
  assert.doesNotMatch(typo.stdout + typo.stderr, /denied/);
  const missing = p.run("skills", "run", "argv-echo");
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /argv-echo needs text=/);
  // a value its schema refuses is also the caller's to fix: 2, with the reason
  const long = p.run("skills", "run", "local-rag", `query=${"q".repeat(4097)}`);
  assert.equal(long.code, 2, long.stdout + long.stderr);
  assert.match(long.stdout + long.stderr, /params\.schema/);
  // option injection stays a safety refusal
  assert.equal(p.run("skills", "run", "argv-echo", "text=-rf").code, 78);
});

test("CLI: skills list and doctor flag a skill that runs model-chosen code (bash -c {{script}}) (issue 13)", (t) => {
  const p = project(t);
  const dir = join(p.dir, "extra", "shell");
  mkdirSync(dir, { recursive: true });
  writeFileSync(p.config, JSON.stringify({ skills: { bundled: false, dirs: [FIXTURE_SKILLS, join(p.dir, "extra")] }, tools: { exec: { sandbox: "off" } }, stateDir: "./state" }));
  writeFileSync(join(dir, "SKILL.md"), "---\nname: shell\ndescription: runs a script\nexec:\n  cmd: bash -c {{script}}\n---\n");
  const list = p.run("skills", "list", "--json");
  assert.equal(list.code, 0, list.stderr);
  const shell = list.json().skills.find((s: { name: string }) => s.name === "shell");
  assert.match(shell.runsModelCode, /bash -c runs the code in \{\{script\}\}/);
  assert.equal(list.json().skills.find((s: { name: string }) => s.name === "argv-echo").runsModelCode, null);
  assert.match(p.run("skills", "list").stdout, /shell .*RUNS MODEL-CHOSEN CODE/);
  const doc = p.run("doctor", "--json");
  const check = doc.json().checks.find((c: { id: string }) => c.id === "skills.model_code");
  assert.ok(check, JSON.stringify(doc.json().checks.map((c: { id: string }) => c.id)));
  assert.equal(check.status, "warn");
  assert.match(check.message, /shell runs model-chosen code/);
});
