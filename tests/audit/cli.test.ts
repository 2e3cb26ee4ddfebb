import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { AuditLog } from "../../runtime/audit/index.js";
import { checkConfig } from "../../runtime/config/index.js";
import { cli, tmp } from "../helpers/index.js";

test("CLI: audit head prints an anchor; audit verify --anchor finds it, refuses a bad one, and fails once the anchor is gone", async (t) => {
  const dir = tmp(t);
  mkdirSync(join(dir, "workspace"));
  const configPath = join(dir, "openclaw.json");
  writeFileSync(configPath, JSON.stringify({ stateDir: "./state", agentDefaults: { workspace: "./workspace" } }));
  const c = checkConfig({ configPath, env: {} }).config!;
  const log = new AuditLog(c.audit);
  for (let i = 0; i < 4; i++) await log.append({ actor: { host: "cli", sessionId: "s" }, action: "skill.invoke", skill: `s${i}`, decision: "allow" });
  await log.close();
  const run = (...args: string[]) => cli(["--config", configPath, ...args]);

  const h = run("audit", "head", "--json");
  assert.equal(h.code, 0, h.stderr);
  const head = h.json();
  assert.equal(head.seq, 4);
  assert.match(head.anchor, /^[0-9a-f]{64}:4$/);
  assert.match(run("audit", "head").stdout, new RegExp(`${head.anchor}\\n.*audit verify --anchor`));

  const v = run("audit", "verify", "--anchor", head.anchor, "--json");
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.equal(v.json().anchor.found, true);
  const wrongSeq = run("audit", "verify", "--anchor", `${head.hash}:3`, "--json");
  assert.equal(wrongSeq.code, 1);
  assert.equal(wrongSeq.json().anchor.found, false);
  const usage = run("audit", "verify", "--anchor", "nothex");
  assert.equal(usage.code, 2, usage.stdout + usage.stderr);
  assert.match(usage.stderr + usage.stdout, /--anchor takes HASH or HASH:SEQ/);

  // cut the last record and put back the old head: the head's MAC holds, so it is the truncation that shows
  const lines = readFileSync(c.audit.path, "utf8").split("\n").filter(Boolean);
  writeFileSync(c.audit.path, lines.slice(0, 3).join("\n") + "\n");
  const cut = run("audit", "verify", "--anchor", head.anchor);
  assert.equal(cut.code, 1);
  assert.match(cut.stdout, /TAMPERED.*truncated/);
  appendFileSync(c.audit.path, lines[3] + "\n");
  assert.equal(run("audit", "verify").code, 0);
});
