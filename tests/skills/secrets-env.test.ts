import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseSkill } from "../../runtime/skills/loader.js";
import { requiredEnv as skillEnv } from "../../runtime/policy/env.js";
import { makeRuntime } from "../fixtures/runtime.js";

const md = (front: string) => `---\n${front}\n---\nbody\n`;
const ENV = { PATH: process.env.PATH };
const load = (front: string, env: NodeJS.ProcessEnv) => parseSkill(md(front), { dir: "/x", path: "/x/SKILL.md", source: "workspace", env: { ...ENV, ...env } });

test("requires.env: secret-looking names or values are refused unless declared in requires.secrets", () => {
  const cases: Array<[string, string]> = [
    ["DATABASE_URL", "postgres://app:hunter2@db.local/app"],
    ["MYSQL_PWD", "hunter2"],
    ["GH_PAT", "ghp_abcdefghijklmnopqrstuvwxyz0123"],
    ["SENTRY_DSN", "https://abc@o1.ingest.sentry.io/1"],
    ["NPM_AUTH", "whatever"],
    ["MY_SETTING", "Zk9qL2xP8vR4tY7wQ1mN6bH3cJ5dF0gS"],
    ["UPSTREAM", "https://user:pa55word@example.com/x"],
  ];
  for (const [name, value] of cases) {
    const s = load(`name: a\ndescription: d\nexec: { cmd: /bin/echo hi }\nrequires: { env: [${name}] }`, { [name]: value });
    assert.match(s.blocked ?? "", new RegExp(`${name}.*requires\\.secrets`), name);
    assert.ok(!s.blocked!.includes(value), "the value is never shown");
  }
  // Harmless names and values still pass.
  assert.equal(load("name: a\ndescription: d\nexec: { cmd: /bin/echo hi }\nrequires: { env: [GIT_AUTHOR_NAME, MY_MODE] }", { GIT_AUTHOR_NAME: "Ada", MY_MODE: "fast" }).blocked, null);
  // Declared: loads, and needs approval on every run.
  const ok = load("name: a\ndescription: d\nexec: { cmd: /bin/echo hi }\nrequires: { secrets: [GH_PAT, DATABASE_URL] }", { GH_PAT: "ghp_abcdefghijklmnopqrstuvwxyz0123", DATABASE_URL: "postgres://a:b@c/d" });
  assert.equal(ok.blocked, null);
  assert.equal(ok.risk, "high");
  assert.deepEqual(skillEnv({ secrets: ["GH_PAT"] }, { GH_PAT: "x" }).secrets, ["GH_PAT"]);
  // Never the runtime's own variables, never code injection, even declared.
  assert.match(load("name: a\ndescription: d\nexec: { cmd: /bin/echo hi }\nrequires: { secrets: [OPENCLAW_GATEWAY_TOKEN] }", { OPENCLAW_GATEWAY_TOKEN: "t" }).blocked!, /never handed/);
  assert.match(load("name: a\ndescription: d\nexec: { cmd: /bin/echo hi }\nrequires: { secrets: [LD_PRELOAD] }", { LD_PRELOAD: "/x.so" }).blocked!, /code injection/);
});

test("a declared secret reaches the child only after approval, and the approval and audit name it without its value", async (t) => {
  const value = "ghp_abcdefghijklmnopqrstuvwxyz0123";
  const { rt } = makeRuntime(t, { env: { GH_PAT: value } });
  const reg = await rt.skills();
  await reg.register(md("name: gh\ndescription: d\nexec: { cmd: 'sh -c \"test -n \\\\\"$GH_PAT\\\\\" && echo has-secret\"' }\nrequires: { secrets: [GH_PAT] }"), { fromText: true });
  const door = rt.door();
  const denied = await door.invoke("gh", {});
  assert.equal(denied.status, "denied");
  assert.equal(denied.rule, "approval.none");
  const summaries: string[] = [];
  const r = await door.invoke("gh", {}, { approver: async (req) => (summaries.push(req.summary), true) });
  assert.equal(r.status, "ok", `${r.reason} ${r.stderr}`);
  assert.match(r.stdout, /has-secret/);
  assert.match(summaries[0]!, /secrets GH_PAT/);
  assert.ok(!summaries[0]!.includes(value));
  const recs = await door.auditTail(5);
  const run = recs.find((x) => x.action === "skill.invoke" && x.decision === "allow")!;
  assert.deepEqual((run.extra as { secrets?: string[] }).secrets, ["GH_PAT"]);
  const asked = recs.find((x) => x.action === "approval" && x.decision === "allow")!;
  assert.match(asked.reason!, /secrets GH_PAT/, "the approval's own record names the secret too");
  assert.ok(!readFileSync(rt.config.audit.path, "utf8").includes(value), "the value never reaches the audit log");
});
