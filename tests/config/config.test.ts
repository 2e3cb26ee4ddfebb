import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { checkConfig, checkText, loadConfig, formatIssue, looksLikeSecret, didYouMean } from "../../runtime/config/index.js";
import { ConfigError, SafetyError } from "../../runtime/errors.js";
import { ROOT, SEED, tmp, writeFile } from "../helpers/index.js";

const seedPath = join(SEED, "openclaw.json");
const src = (path = "/x/openclaw.json") => ({ path, via: "--config" as const, baseDir: "/x" });
const issuesOf = (doc: unknown) => checkText(JSON.stringify(doc, null, 2), src()).issues.map(formatIssue);

test("the seed openclaw.json validates unchanged and its values are the defaults", (t) => {
  const seeded = checkConfig({ configPath: seedPath, env: {} });
  assert.deepEqual(seeded.issues, []);
  const defaults = checkConfig({ cwd: tmp(t), env: {} });
  assert.equal(defaults.source.via, "defaults");
  const raw = JSON.parse(readFileSync(seedPath, "utf8"));
  // Every value the seed shows equals the default a config without it gets.
  const s = seeded.config!, d = defaults.config!;
  assert.equal(d.gateway.mode, raw.gateway.mode);
  assert.equal(d.gateway.bind, raw.gateway.bind);
  assert.deepEqual(d.gateway.auth, { mode: raw.gateway.auth });
  assert.deepEqual(d.gateway.control, raw.gateway.control);
  assert.equal(d.agentDefaults.model, raw.agentDefaults.model);
  assert.equal(d.agentDefaults.workspace.endsWith("/workspace"), true);
  assert.deepEqual({ ...d.tools.exec, sandbox: undefined, maxOutputBytes: undefined, maxLogBytes: undefined, env: undefined }, { ...raw.tools.exec, sandbox: undefined, maxOutputBytes: undefined, maxLogBytes: undefined, env: undefined });
  assert.deepEqual(s.tools.exec, d.tools.exec);
  assert.deepEqual(s.gateway, d.gateway);
});

test("relative paths resolve against the config file's folder", (t) => {
  const dir = tmp(t);
  const p = writeFile(join(dir, "sub", "openclaw.json"), { agentDefaults: { workspace: "./ws" }, skills: { dirs: ["../more"] } });
  const c = loadConfig({ configPath: p, env: {} }).config;
  assert.equal(c.agentDefaults.workspace, join(dir, "sub", "ws"));
  assert.deepEqual(c.skills.dirs, [join(dir, "more")]);
});

test("found by --config, then $OPENCLAW_CONFIG, then ./openclaw.json", (t) => {
  const dir = tmp(t);
  const a = writeFile(join(dir, "a.json"), { agentDefaults: { model: "openai/a-1" } });
  const b = writeFile(join(dir, "b.json"), { agentDefaults: { model: "openai/b-1" } });
  writeFile(join(dir, "openclaw.json"), { agentDefaults: { model: "openai/c-1" } });
  assert.equal(loadConfig({ configPath: a, env: { OPENCLAW_CONFIG: b }, cwd: dir }).config.agentDefaults.model, "openai/a-1");
  assert.equal(loadConfig({ env: { OPENCLAW_CONFIG: b }, cwd: dir }).config.agentDefaults.model, "openai/b-1");
  assert.equal(loadConfig({ env: {}, cwd: dir }).config.agentDefaults.model, "openai/c-1");
  assert.throws(() => loadConfig({ configPath: join(dir, "missing.json"), env: {} }), /config file not found/);
});

test("an unknown key close to an allowed sibling says which one was meant, with file and line", () => {
  const text = readFileSync(seedPath, "utf8").replace('"allowedModels"', '"allowModels"');
  const r = checkText(text, src("/p/openclaw.json"));
  assert.equal(r.issues.length, 1);
  const line = text.split("\n").findIndex((l) => l.includes("allowModels")) + 1;
  assert.equal(formatIssue(r.issues[0]!), `/p/openclaw.json:${line} /tools/exec/applyPatch/allowModels: unknown key; did you mean "allowedModels"?`);
});

test("every error is reported at once, each with its JSON path", () => {
  const issues = issuesOf({ gateway: { bind: "localhost", mode: "remote", control: { ui: "yes" } }, tools: { exec: { timeoutSec: "1800", backgroundMs: -1, notifyOnExit: 1 } }, agentDefault: {} });
  const joined = issues.join("\n");
  assert.match(joined, /\/gateway\/bind: "localhost" is not valid \(host:port/);
  assert.match(joined, /\/gateway\/mode: must be one of "local", got "remote"/);
  assert.match(joined, /\/gateway\/control\/ui: must be boolean, got string "yes"/);
  assert.match(joined, /\/tools\/exec\/timeoutSec: must be integer, got string "1800"/);
  assert.match(joined, /\/tools\/exec\/backgroundMs: must be >= 0/);
  assert.match(joined, /\/tools\/exec\/notifyOnExit: must be boolean/);
  assert.match(joined, /\/agentDefault: unknown key; did you mean "agentDefaults"\?/);
  assert.equal(issues.length, 7);
});

test("wrong auth shapes get one plain message", () => {
  assert.match(issuesOf({ gateway: { auth: "password" } }).join(), /\/gateway\/auth: must be "none", "token", "mtls"/);
  assert.match(issuesOf({ gateway: { auth: { mode: "mtls", cert: "c.pem" } } }).join(), /mtls needs file paths for key, ca/);
  assert.match(issuesOf({ gateway: { auth: { mode: "token", token: "abc" } } }).join(), /token never lives in openclaw.json/);
  assert.deepEqual(issuesOf({ gateway: { auth: { mode: "token", tokenEnv: "MY_TOKEN" }, bind: "0.0.0.0:9" } }), []);
});

test("secret-looking values and secret-holding keys are refused, naming the env var", () => {
  const a = issuesOf({ agentDefaults: { systemPrompt: "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789" } }).join();
  assert.match(a, /\/agentDefaults\/systemPrompt: looks like an OpenAI-style API key.*OPENAI_API_KEY/);
  assert.ok(!a.includes("abcdefghijklmnop"), "the secret itself is never echoed");
  assert.match(issuesOf({ models: { providers: { openai: { apiKey: "x" } } } }).join(), /\/models\/providers\/openai\/apiKey: unknown key; secrets never live in openclaw.json.*OPENAI_API_KEY/);
  assert.match(issuesOf({ stateDir: "Zk9qL2xP8vR4tY7wQ1mN6bH3cJ5dF0gS" }).join(), /high-entropy/);
  const url = issuesOf({ models: { providers: { openai: { baseURL: "http://admin:Sup3rS3cretPassw0rd@127.0.0.1:9/v1" } } } }).join();
  assert.match(url, /\/models\/providers\/openai\/baseURL: holds credentials/);
  assert.ok(!url.includes("Sup3rS3cret"), "the password is never echoed");
  assert.equal(looksLikeSecret("./workspace"), undefined);
  assert.equal(looksLikeSecret("openai/gpt-4o-mini"), undefined);
  assert.equal(looksLikeSecret("/home/someone/projects/openclaw-kernel/workspace"), undefined);
});

test("a non-loopback bind without auth is refused for safety (SafetyError, exit 78)", (t) => {
  const dir = tmp(t);
  const p = writeFile(join(dir, "openclaw.json"), { gateway: { bind: "0.0.0.0:18789" } });
  assert.throws(() => loadConfig({ configPath: p, env: {} }), (e: unknown) => e instanceof SafetyError && e.exitCode === 78 && /use token or mtls|"token" or "mtls"/.test(e.details.join() + e.fix));
  for (const bind of ["127.0.0.1:1", "127.5.6.7:2", "[::1]:18789", "localhost:80"]) assert.deepEqual(issuesOf({ gateway: { bind } }), [], bind);
  assert.match(issuesOf({ gateway: { bind: "[::]:1" } }).join(), /not a loopback address/);
});

test("floating model aliases cannot be allow-listed for applyPatch", () => {
  assert.match(issuesOf({ tools: { exec: { applyPatch: { enabled: true, allowedModels: ["openai/gpt-4o-latest"] } } } }).join(), /floating alias/);
});

test("JSON syntax errors name the line", () => {
  const r = checkText('{\n  "gateway": {\n    "bind": \n  }\n}', src());
  assert.ok(r.issues.length >= 1);
  assert.equal(r.issues[0]!.line, 4);
  assert.match(r.issues[0]!.message, /JSON syntax error/);
});

test("did-you-mean picks close words only", () => {
  assert.equal(didYouMean("allowModels", ["enabled", "allowedModels"]), "allowedModels");
  assert.equal(didYouMean("tmeoutSec", ["timeoutSec", "backgroundMs"]), "timeoutSec");
  assert.equal(didYouMean("zzz", ["timeoutSec", "backgroundMs"]), undefined);
});

test("property: any JSON document either loads or fails with a ConfigError/SafetyError, never anything else", (t) => {
  const dir = tmp(t);
  const p = join(dir, "openclaw.json");
  // Bias the generator toward the real keys so it reaches deep into the schema.
  const key = fc.oneof(fc.constantFrom("gateway", "bind", "auth", "mode", "tools", "exec", "timeoutSec", "applyPatch", "allowedModels", "agentDefaults", "model", "workspace", "control", "ui"), fc.string());
  const doc = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie("value"), { maxLength: 3 }), fc.dictionary(key, tie("value"), { maxKeys: 4 })),
  })).value;
  fc.assert(
    fc.property(doc, (v) => {
      writeFile(p, JSON.stringify(v));
      try {
        loadConfig({ configPath: p, env: {} });
      } catch (e) {
        if (!(e instanceof ConfigError || e instanceof SafetyError)) throw e;
      }
    }),
    { numRuns: 300 },
  );
});

test("secrets are found anywhere in a value (prose, URL query, user:password@), and the repository's configs still validate", () => {
  const prompt = issuesOf({ agentDefaults: { systemPrompt: "You are terse. When calling the API use sk-proj-abcdefghijklmnopqrstuvwxyz0123456789 please." } }).join();
  assert.match(prompt, /\/agentDefaults\/systemPrompt: looks like an OpenAI-style API key/);
  assert.ok(!prompt.includes("abcdefghijklmnop"), "the secret itself is never echoed");
  for (const baseURL of ["http://127.0.0.1:9/v1?api_key=abc123def456ghi", "http://127.0.0.1:9/v1?x=1&token=Zm9vYmFyYmF6cXV4", "http://127.0.0.1:9/v1#access_token=0123456789abcdef"]) {
    const r = issuesOf({ models: { providers: { openai: { baseURL } } } }).join();
    assert.match(r, /\/models\/providers\/openai\/baseURL: looks like a secret-named parameter/, baseURL);
    assert.ok(!r.includes("abc123def456") && !r.includes("Zm9vYmFy"), "never echoed");
  }
  assert.match(issuesOf({ agentDefaults: { systemPrompt: "db at postgres://app:hunter2hunter2@db.local/x" } }).join(), /user:password@/);
  assert.match(issuesOf({ agentDefaults: { systemPrompt: "the key is Zk9qL2xP8vR4tY7wQ1mN6bH3cJ5dF0gS, keep it" } }).join(), /high-entropy/);
  // No false positives on prose, digests inside URLs, or placeholders.
  for (const v of ["Answer in French. Cite files as path:line.", "https://huggingface.co/o/r/resolve/0123456789abcdef0123456789abcdef01234567/m.gguf", "token=${TOKEN}", "see https://x.org/?page=2&sort=asc"]) assert.equal(looksLikeSecret(v), undefined, v);
  for (const p of [join(ROOT, "openclaw.json"), join(ROOT, "notebooks", "openclaw.json"), join(SEED, "openclaw.json"), "/work/shared/seed/openclaw.json"]) {
    let text: string;
    try {
      text = readFileSync(p, "utf8");
    } catch {
      continue; // the shared seed lives beside the main checkout only
    }
    assert.deepEqual(checkText(text, src(p)).issues.map(formatIssue), [], p);
  }
});
