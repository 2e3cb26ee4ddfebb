import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseSkill, parseTemplate } from "../../runtime/skills/index.js";
import { SEED, tmp } from "../helpers/index.js";
import { FIXTURE_SKILLS, makeRuntime } from "../fixtures/runtime.js";

const ENV = { PATH: process.env.PATH };
const load = (text: string, dir = "/nonexistent-skill-dir", env: NodeJS.ProcessEnv = ENV) => parseSkill(text, { dir, path: join(dir, "SKILL.md"), source: "config", env });
const md = (front: string) => `---\n${front}\n---\nbody\n`;

test("the seed's SKILL.md loads unchanged; rag.py resolves against the skill's folder", (t) => {
  const dir = join(tmp(t), "local-rag");
  mkdirSync(dir);
  copyFileSync(join(SEED, "local-rag", "SKILL.md"), join(dir, "SKILL.md"));
  copyFileSync(join(FIXTURE_SKILLS, "local-rag", "rag.py"), join(dir, "rag.py"));
  const text = readFileSync(join(dir, "SKILL.md"), "utf8");
  assert.equal(text, readFileSync(join(SEED, "local-rag", "SKILL.md"), "utf8"));
  const s = load(text, dir);
  assert.equal(s.name, "local-rag");
  assert.deepEqual(s.argvTemplate, ["python", "rag.py", "--query", "{{query}}", "--topk", "5"]);
  assert.deepEqual(s.slots[1], [{ lit: join(dir, "rag.py") }]);
  assert.deepEqual((s.parameters as { required: string[] }).required, ["query"]);
  assert.equal(s.front.exec.timeoutSec, 600);
});

test("without rag.py beside it the seed skill is blocked, with the reason", () => {
  const s = load(readFileSync(join(SEED, "local-rag", "SKILL.md"), "utf8"), "/nonexistent-skill-dir");
  assert.match(s.blocked ?? "", /script rag\.py is missing beside SKILL\.md/);
});

test("`python` missing while `python3` exists: blocked, says so, and the command is not rewritten", (t) => {
  const bin = tmp(t);
  symlinkSync("/usr/bin/python3", join(bin, "python3"));
  const dir = join(tmp(t), "s");
  mkdirSync(dir);
  writeFileSync(join(dir, "rag.py"), "print(1)\n");
  const s = load(readFileSync(join(SEED, "local-rag", "SKILL.md"), "utf8"), dir, { PATH: bin });
  assert.match(s.blocked ?? "", /needs `python` on PATH \(python3 is there: write python3 in exec\.cmd/);
  assert.equal(s.argvTemplate[0], "python");
});

test("requires: missing bins, env and os block the skill; a secret env is never passed", () => {
  assert.match(load(md("name: a\ndescription: d\nexec: { cmd: /bin/echo hi }\nrequires: { bins: [no-such-tool-xyz] }")).blocked!, /needs `no-such-tool-xyz` on PATH/);
  assert.match(load(md("name: a\ndescription: d\nexec: { cmd: /bin/echo hi }\nrequires: { env: [SOME_UNSET_VAR_X] }")).blocked!, /SOME_UNSET_VAR_X/);
  assert.match(load(md("name: a\ndescription: d\nexec: { cmd: /bin/echo hi }\nrequires: { env: [OPENAI_API_KEY] }"), "/x", { ...ENV, OPENAI_API_KEY: "sk-x" }).blocked!, /secret/);
  const other = process.platform === "linux" ? "darwin" : "linux";
  assert.match(load(md(`name: a\ndescription: d\nexec: { cmd: /bin/echo hi }\nrequires: { os: [${other}] }`)).blocked!, /runs on/);
  assert.equal(load(md("name: a\ndescription: d\nexec: { cmd: /bin/echo hi }\nrequires: { bins: [sh] }")).blocked, null);
});

test("load errors: schema, unknown/unused placeholders, malformed templates", () => {
  const bad: Array<[string, RegExp]> = [
    ["name: A B\ndescription: d\nexec: { cmd: /bin/echo }", /name/],
    ["name: a\ndescription: d\nexec: { cmd: /bin/echo, shell: true }", /SKILL\.md:4 \/exec\/shell: unknown key \(shell\); allowed keys: cmd, timeoutSec/],
    ["name: a\ndescription: d", /exec/],
    ["name: a\ndescription: d\nexec: { cmd: '/bin/echo {{q}}' }\nparameters: { properties: { x: { type: string } } }", /placeholder \{\{q\}\} is not declared/],
    ["name: a\ndescription: d\nexec: { cmd: '/bin/echo {{q}}' }\nparameters: { properties: { q: { type: string }, z: { type: string } } }", /"z" is declared but/],
    ["name: a\ndescription: d\nexec: { cmd: '/bin/echo {{ q-x }}' }", /malformed placeholder/],
    ["name: a\ndescription: d\nexec: { cmd: '{{prog}} x' }", /program \(first word\) must be fixed/],
    ["name: a\ndescription: d\nexec: { cmd: '/bin/echo \"unclosed' }", /unclosed/],
    ["name: a\ndescription: d\nexec: { cmd: \"/bin/echo '{{q}}'\" }", /single quotes/],
    ["name: a\ndescription: d\nexec: { cmd: '/bin/echo {{q}}' }\nparameters: { properties: { q: { type: array } } }", /parameters/],
  ];
  for (const [front, re] of bad) assert.throws(() => load(md(front)), (e: Error & { code?: string }) => e.code === "skill_invalid" && re.test(e.message), front);
  assert.throws(() => load("no frontmatter"), /no YAML frontmatter/);
});

test("templates split into argv without any expansion", () => {
  const slots = parseTemplate(`tool --a "x y" 'lit $HOME' --q={{q}} "{{q}}-suffix" a\\ b`);
  assert.deepEqual(slots, [[{ lit: "tool" }], [{ lit: "--a" }], [{ lit: "x y" }], [{ lit: "lit $HOME" }], [{ lit: "--q=" }, { param: "q" }], [{ param: "q" }, { lit: "-suffix" }], [{ lit: "a b" }]]);
});

test("folders: a workspace skill overrides one of the same name and says so; broken skills are reported, not fatal", async (t) => {
  const { rt, ws } = makeRuntime(t);
  mkdirSync(join(ws, "skills", "risky"), { recursive: true });
  writeFileSync(join(ws, "skills", "risky", "SKILL.md"), md("name: risky\ndescription: workspace version\nexec: { cmd: /bin/echo ws }"));
  mkdirSync(join(ws, "skills", "broken"), { recursive: true });
  writeFileSync(join(ws, "skills", "broken", "SKILL.md"), md("name: broken\ndescription: d\nexec: { cmd: '{{x}}' }"));
  const reg = await rt.skills();
  const risky = reg.get("risky")!;
  assert.equal(risky.source, "workspace");
  assert.equal(risky.description, "workspace version");
  assert.equal(risky.overrides, join(FIXTURE_SKILLS, "risky", "SKILL.md"));
  // Found in review: a skill run could plant a copy without risk: high and skip the approval.
  assert.equal(risky.risk, "high", "an override never lowers the risk of what it shadows");
  assert.equal(reg.get("argv-echo")!.overrides, null);
  assert.equal(reg.errors().length, 1);
  assert.match(reg.errors()[0]!.path, /broken/);
  assert.equal(reg.get("broken"), undefined);
});

test("tools(): unblocked skills as JSON-Schema tools; apply_patch only for a model whose exact ref is allow-listed", async (t) => {
  const { rt, governor } = makeRuntime(t, { config: { tools: { exec: { applyPatch: { enabled: true, allowedModels: ["openai/gpt-4o-mini"] } } } } });
  const reg = await rt.skills();
  await reg.register(md("name: needs-tool\ndescription: d\nexec: { cmd: no-such-tool-xyz }"), { fromText: true });
  const gov = await governor();
  const names = async (modelRef?: string) => (await gov.tools({ host: "cli", sessionId: "t", ...(modelRef ? { modelRef } : {}) })).map((x) => x.name).sort();
  assert.deepEqual(await names(), ["argv-echo", "local-rag", "risky"], "a person is never offered apply_patch");
  assert.deepEqual(await names("openai/gpt-4o-mini"), ["apply_patch", "argv-echo", "local-rag", "risky"]);
  assert.deepEqual(await names("openai/gpt-4o"), ["argv-echo", "local-rag", "risky"]);
  assert.deepEqual(await names("openai/gpt-4o-mini-2024-07-18"), ["argv-echo", "local-rag", "risky"], "exact match only");
  assert.deepEqual((await rt.door().tools()).map((x) => x.name).sort(), ["argv-echo", "local-rag", "risky"], "the runtime's own door is a person's, and a blocked skill is no tool");
  assert.deepEqual(reg.tools().map((x) => x.name).sort(), ["argv-echo", "local-rag", "risky"], "blocked skills are not tools");
  const echo = reg.tools().find((x) => x.name === "argv-echo")!;
  assert.deepEqual(echo.parameters, { type: "object", properties: { text: { type: "string", description: "any text", maxLength: 4096 }, tag: { type: "string", maxLength: 64, default: "none" } }, required: ["text"], additionalProperties: false });
});

test("SKILL.md errors name file:line and the JSON pointer, with did-you-mean like config errors (issue 13)", () => {
  const err = (front: string) => {
    try {
      load(md(front), "/sk");
    } catch (e) {
      return (e as Error).message;
    }
    assert.fail(`loaded: ${front}`);
  };
  // line 1 is the opening ---, so the frontmatter's third line is SKILL.md:4
  assert.match(err("name: a\ndescription: d\nexec:\n  cmd: /bin/echo hi\n  timeout: 5"), /^\/sk\/SKILL\.md:6 \/exec\/timeout: unknown key \(timeout\); did you mean "timeoutSec"\?/);
  assert.match(err("name: a\ndescription: d\nexec: { cmd: /bin/echo }\nrequire: { bins: [x] }"), /SKILL\.md:5 \/require: unknown key \(require\); did you mean "requires"\?/);
  assert.match(err("name: a\ndescription: d\nexec:\n  cmd: '/bin/echo {{qurey}}'\nparameters:\n  properties:\n    query: { type: string }"), /SKILL\.md:5 \/exec\/cmd: placeholder \{\{qurey\}\} is not declared in parameters; did you mean \{\{query\}\}\?/);
  assert.match(err("name: a\ndescription: d\nexec:\n  cmd: /bin/echo\nparameters:\n  properties:\n    z: { type: string }"), /SKILL\.md:8 \/parameters\/properties\/z: parameter "z" is declared but/);
  assert.match(err("name: a\ndescription: d\nexec:\n  cmd: '/bin/echo \"open'"), /SKILL\.md:5 \/exec\/cmd: unclosed/);
  assert.match(err("name: a\ndescription: d\nexec: [unclosed"), /SKILL\.md:\d+: frontmatter is not valid YAML/);
  assert.match(err("name: a\ndescription: d"), /SKILL\.md:1 \/: missing "exec"/);
});

test("a skill whose command runs code its caller chooses is flagged; ordinary templates are not (issue 13)", () => {
  const risk = (cmd: string) => load(md(`name: a\ndescription: d\nexec:\n  cmd: ${JSON.stringify(cmd)}`)).runsModelCode;
  for (const cmd of ["bash -c {{script}}", "/bin/sh -c {{script}}", "sh -c \"echo {{x}}\"", "python3 -c {{code}}", "node -e {{js}}", "node --eval={{js}}", "perl -e{{code}}", "env FOO=1 bash -c {{s}}", "timeout 5 sh -c {{s}}", "python3 {{file}}", "bash {{file}} --flag", "xargs {{cmd}}", "awk {{prog}} data.txt", "find . -exec {{cmd}} ;"]) {
    assert.match(risk(cmd) ?? "", /model|chooses/, cmd);
  }
  for (const cmd of ["/bin/echo Hello {{name}}", "python3 rag.py --query {{query}}", "node rag.mjs --query {{q}} --topk 5", "grep -c {{pattern}} file.txt", "bash -c 'fixed script' {{arg}}"]) {
    assert.equal(risk(cmd), null, cmd);
  }
  assert.match(risk("bash -c {{script}}")!, /bash -c runs the code in \{\{script\}\}/);
});
