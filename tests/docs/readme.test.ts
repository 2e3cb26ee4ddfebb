import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/index.js";

test("README's command and config references match the code (scripts/gen-docs.mjs --check)", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "scripts/gen-docs.mjs"), "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

test("README names the two set-up commands and every seed troubleshooting topic", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  assert.match(readme, /npm ci && npm start/);
  assert.match(readme, /npm test/);
  for (const topic of ["Schema validation failures", "OPENAI_API_KEY", "Port 18789", "Python dependency errors"]) assert.ok(readme.includes(topic), topic);
});
