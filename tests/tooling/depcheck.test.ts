/**
 * The floors' rule check (scripts/depcheck.mjs, dependency-cruiser): a runtime/ file that imports
 * kernel/ fails the check, naming the file; without it the check passes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/index.js";

interface Report {
  ok: boolean;
  violations: { rule: string; path: string; from: string; to: string }[];
}

function depcheck(): { code: number | null; report: Report; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "depcheck.mjs"), "--json"], { cwd: ROOT, encoding: "utf8", timeout: 180_000 });
  assert.equal(r.error, undefined, String(r.error));
  return { code: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

test("a runtime/ file importing kernel/ fails the dependency check, naming the file; removed, the check passes", { timeout: 400_000 }, () => {
  const name = `depcheck-probe-${randomBytes(4).toString("hex")}.ts`;
  const probe = join(ROOT, "runtime", name);
  try {
    writeFileSync(probe, `// written by tests/tooling/depcheck.test.ts; removed by it\nimport { toJupyterError } from "../kernel/errors.js";\nexport const probe = toJupyterError;\n`);
    const bad = depcheck();
    assert.equal(bad.code, 1, bad.stderr);
    assert.equal(bad.report.ok, false);
    const hit = bad.report.violations.find((v) => v.from === `runtime/${name}`);
    assert.ok(hit, `no violation names runtime/${name}: ${JSON.stringify(bad.report.violations)}`);
    assert.equal(hit.rule, "runtime-points-up");
    assert.equal(hit.to, "kernel/errors.ts");
  } finally {
    rmSync(probe, { force: true });
  }
  const good = depcheck();
  assert.equal(good.code, 0, `${good.stderr}\n${JSON.stringify(good.report.violations)}`);
  assert.equal(good.report.ok, true);
  assert.deepEqual(good.report.violations, []);
});
