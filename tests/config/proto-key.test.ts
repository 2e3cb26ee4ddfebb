// A "__proto__" key in openclaw.json is an ordinary (unknown) key, refused with its line: it
// never becomes the prototype of the config object (where validation would not see it and
// the runtime could read settings through it). The config is read by JSON.parse, which keeps
// the key as an own property; jsonc's parser assigned it and set the prototype.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { checkText } from "../../runtime/config/index.js";
import { cli, tmp, writeFile } from "../helpers/index.js";

test('"__proto__" keys are refused as unknown keys, at the top and nested, with their lines', (t) => {
  const d = tmp(t);
  const top = writeFile(join(d, "top.json"), '{\n  "gateway": { "bind": "127.0.0.1:18789" },\n  "__proto__": { "stateDir": "/tmp/elsewhere" }\n}\n');
  const r = cli(["config", "validate", "--config", top, "--json"]);
  assert.equal(r.code, 2, r.stdout);
  const errs = r.json().errors as Array<{ pointer: string; line: number }>;
  assert.deepEqual(errs.map((e) => [e.pointer, e.line]), [["/__proto__", 3]]);

  const nested = '{\n  "gateway": {\n    "bind": "127.0.0.1:18789",\n    "__proto__": { "maxFrameBytes": 1 }\n  }\n}\n';
  const c = checkText(nested, { path: join(d, "nested.json"), via: "--config", baseDir: d }, {});
  assert.equal(c.config, undefined, "refused");
  assert.deepEqual(c.issues.map((i) => [i.pointer, i.line]), [["/gateway/__proto__", 4]]);
});

test("valid JSON and JSON syntax errors read as before: values, and errors with line and column", (t) => {
  const d = tmp(t);
  const ok = checkText('{ "stateDir": "./s" }', { path: join(d, "a.json"), via: "--config", baseDir: d }, {});
  assert.deepEqual(ok.issues, []);
  assert.equal(ok.config!.stateDir, join(d, "s"));
  const bad = checkText('{\n  "stateDir": "./s",\n}', { path: join(d, "b.json"), via: "--config", baseDir: d }, {});
  assert.equal(bad.config, undefined);
  assert.match(bad.issues[0]!.message, /JSON syntax error at column \d+: (PropertyNameExpected|ValueExpected)/);
  assert.equal(bad.issues[0]!.line, 3);
});
