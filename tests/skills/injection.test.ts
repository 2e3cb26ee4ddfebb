import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { makeRuntime } from "../fixtures/runtime.js";

// Classic shell-injection payloads: each must arrive as one literal argument.
const CORPUS = [
  '"; rm -rf ~ #',
  "'; rm -rf ~ #",
  "$(touch pwned)",
  "`touch pwned`",
  "a\ntouch pwned\n",
  "x; touch pwned",
  "x && touch pwned",
  "x | touch pwned",
  "$[ x='a[$(touch F)]', x ]",
  "x='a[$(touch F)]'; echo $((x))",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion the skill runner must pass through literally
  "${IFS}touch${IFS}pwned",
  "~ * ? [a-z] {a,b}",
  "> pwned",
  "\\\"; touch pwned; \\\"",
  "{{text}}",
  "",
];

test("injection corpus through a real skill: literal argv, no shell, no file created", async (t) => {
  const { rt, ws, dir } = makeRuntime(t);
  const door = rt.door();
  for (const payload of CORPUS) {
    const r = await door.invoke("argv-echo", { text: payload });
    assert.equal(r.status, "ok", `${JSON.stringify(payload)}: ${r.reason ?? r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), ["--text", payload, "--tag", "none"], JSON.stringify(payload));
    assert.equal(r.argv[0], "node", "the program is the skill's, not a shell");
    assert.equal(r.argv[3], payload);
  }
  for (const d of [ws, dir, process.cwd()]) {
    assert.ok(!existsSync(join(d, "pwned")) && !existsSync(join(d, "F")), `a file was created in ${d}: ${readdirSync(d).join(", ")}`);
  }
});

test("the seed's local-rag SKILL.md gets an injection payload as its --query value, verbatim", async (t) => {
  const { rt, ws } = makeRuntime(t);
  const door = rt.door();
  const payload = '"; rm -rf ~ # $(touch pwned) `touch pwned`';
  const r = await door.invoke("local-rag", { query: payload });
  assert.equal(r.status, "ok", r.stderr);
  assert.equal(JSON.parse(r.stdout).query, payload);
  assert.equal(existsSync(join(ws, "pwned")), false);
});

test("property: any string without NUL or a leading dash arrives as exactly one identical argument", async (t) => {
  const { rt } = makeRuntime(t);
  const door = rt.door();
  await fc.assert(
    fc.asyncProperty(
      fc.string({ unit: "grapheme", maxLength: 200 }).filter((s) => !s.startsWith("-") && !s.includes("\0")),
      async (s) => {
        const r = await door.invoke("argv-echo", { text: s, tag: "t" });
        assert.equal(r.status, "ok", r.reason);
        assert.deepEqual(JSON.parse(r.stdout), ["--text", s, "--tag", "t"]);
      },
    ),
    { numRuns: 25 },
  );
});

test("option injection: a value starting with '-' is refused (and audited); NUL is refused", async (t) => {
  const { rt } = makeRuntime(t);
  const door = rt.door();
  for (const v of ["-rf", "--output=/etc/passwd", "-", "--"]) {
    const r = await door.invoke("argv-echo", { text: v });
    assert.equal(r.status, "denied", v);
    assert.equal(r.rule, "params.option_injection");
    assert.equal(r.id, null, "nothing ran");
  }
  const nul = await door.invoke("argv-echo", { text: "a\0b" });
  assert.equal(nul.status, "denied");
  assert.equal(nul.rule, "params.nul");
  // Unknown, missing and over-long parameters are schema refusals.
  assert.equal((await door.invoke("argv-echo", { text: "x", extra: "y" })).rule, "params.schema");
  assert.equal((await door.invoke("argv-echo", {})).rule, "params.schema");
  assert.equal((await door.invoke("argv-echo", { text: "x", tag: "t".repeat(65) })).rule, "params.schema");
  assert.equal((await door.invoke("local-rag", { query: "q".repeat(4097) })).rule, "params.schema");
  const records = await door.auditTail(100);
  const denials = records.filter((r) => r.decision === "deny");
  assert.equal(denials.length, 9);
  assert.ok(denials.every((r) => r.action === "skill.invoke" && r.rule && r.reason));
});

test("a skill may allow a leading dash for a parameter it declares so", async (t) => {
  const { rt } = makeRuntime(t);
  const door = rt.door();
  const reg = await rt.skills();
  await reg.register(
    `---\nname: dash-ok\ndescription: allows negative offsets\nexec:\n  cmd: /bin/echo {{offset}}\nparameters:\n  properties:\n    offset: { type: integer, allowLeadingDash: true }\n---\n`,
    { fromText: true },
  );
  const r = await door.invoke("dash-ok", { offset: -5 });
  assert.equal(r.status, "ok", r.reason);
  assert.equal(r.stdout, "-5\n");
  assert.equal((await door.invoke("dash-ok", { offset: "x" })).rule, "params.schema");
});
