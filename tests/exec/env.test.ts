import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { childEnv, refusedEnvName } from "../../runtime/exec/index.js";
import { makeExec } from "./setup.js";

// Where an attacker's preload files would be: an empty private folder of this run (never a fixed /tmp path).
const EVIL = mkdtempSync(join(tmpdir(), "openclaw-env-test-"));
after(() => rmSync(EVIL, { recursive: true, force: true }));

const HOST = {
  PATH: process.env.PATH,
  HOME: "/home/someone",
  LANG: "C.UTF-8",
  OPENAI_API_KEY: "sk-test-abcdefghijklmnopqrstuvwxyz012345",
  OPENCLAW_GATEWAY_TOKEN: "gw-token-value",
  AWS_SECRET_ACCESS_KEY: "aws-secret",
  GITHUB_TOKEN: "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  LD_PRELOAD: join(EVIL, "evil.so"),
  NODE_OPTIONS: `--require ${join(EVIL, "evil.js")}`,
  BASH_ENV: join(EVIL, "evil.sh"),
  MY_SETTING: "visible-if-allowed",
  DB_PASSWORD: "hunter2",
};

test("children get only the allow-list: no keys, tokens, secrets, LD_*, NODE_OPTIONS, BASH_ENV", async (t) => {
  const { ex } = makeExec(t, { env: ["MY_SETTING", "DB_PASSWORD", "LD_PRELOAD"] }, { hostEnv: HOST });
  const r = await ex.run({ argv: ["/usr/bin/env"] });
  assert.equal(r.status, "ok");
  const got = Object.fromEntries(r.stdout.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  // OPENCLAW_EXEC_ID: the run's id (not a secret), the mark that lets timeout and close find setsid'd descendants unsandboxed.
  assert.deepEqual(Object.keys(got).sort(), ["HOME", "LANG", "MY_SETTING", "OPENCLAW_EXEC_ID", "PATH"]);
  assert.equal(got.OPENCLAW_EXEC_ID, r.id);
  for (const secret of ["sk-test", "gw-token", "aws-secret", "ghp_", "hunter2", "evil"]) assert.ok(!r.stdout.includes(secret), `leaked ${secret}`);
});

test("a request naming a secret or injecting variable is refused before anything runs", async (t) => {
  const { ex } = makeExec(t, {}, { hostEnv: HOST });
  for (const name of ["OPENAI_API_KEY", "OPENCLAW_GATEWAY_TOKEN", "LD_PRELOAD", "NODE_OPTIONS", "BASH_ENV", "MY_SECRET"]) {
    await assert.rejects(ex.run({ argv: ["/usr/bin/env"], env: { [name]: "x" } }), (e: Error & { rule?: string }) => e.rule === "exec.env", name);
  }
  // A harmless name whose value looks like a key is refused too.
  await assert.rejects(ex.run({ argv: ["/usr/bin/env"], env: { CONFIG_VALUE: "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789" } }), /looks like/);
  const ok = await ex.run({ argv: ["/usr/bin/env"], env: { RAG_MODE: "lexical" } });
  assert.match(ok.stdout, /^RAG_MODE=lexical$/m);
});

test("refusedEnvName and childEnv are pure and explain themselves", () => {
  assert.equal(refusedEnvName("PATH"), null);
  assert.match(refusedEnvName("LD_LIBRARY_PATH")!, /injection/);
  assert.match(refusedEnvName("SLACK_BOT_TOKEN")!, /secret/);
  assert.deepEqual(childEnv({ PATH: "/bin", TERM: "xterm", OTHER: "x" }, []), { PATH: "/bin", TERM: "xterm" });
});
