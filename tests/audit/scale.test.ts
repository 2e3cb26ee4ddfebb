import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { AuditLog } from "../../runtime/audit/index.js";
import { checkConfig } from "../../runtime/config/index.js";
import { checks as auditChecks } from "../../runtime/doctor/checks/audit.js";
import { ROOT } from "../helpers/index.js";
import { generateChain } from "./gen.js";

const N = 200_000;
let dir = "";
let path = "";
let keyPath = "";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "openclaw-test-audit-scale-"));
  path = join(dir, "state", "audit", "audit.jsonl");
  keyPath = join(dir, "state", "audit", "audit.key");
  await generateChain(path, N, keyPath);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test(`scale: ${N / 1000}k records verify in a child whose heap is far smaller than the log`, { timeout: 300_000 }, () => {
  const size = statSync(path).size;
  const heapMb = 40;
  assert.ok(size > 1.5 * heapMb * 1024 * 1024, `the log (${size} B) must be bigger than the heap`);
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, "--import", "tsx", join(ROOT, "tests", "audit", "verify-child.ts"), path, keyPath], { cwd: ROOT, encoding: "utf8", timeout: 280_000 });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.ok, true, rep.message);
  assert.equal(rep.records, N);
});

test("scale: doctor's audit check keeps the event loop turning, then checks only records after its keyed checkpoint", { timeout: 300_000 }, async () => {
  const configPath = join(dir, "openclaw.json");
  writeFileSync(configPath, JSON.stringify({ stateDir: "./state", agentDefaults: { workspace: "./workspace" } }));
  const ctx = { checked: checkConfig({ configPath, env: {} }), env: {} };
  assert.equal(ctx.checked.config!.audit.path, path);
  const chainCheck = async () => (await auditChecks(ctx)).find((c) => c.id === "audit.chain")!;

  let last = performance.now();
  let maxGap = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 5);
  const t0 = performance.now();
  const first = await chainCheck();
  const total = performance.now() - t0;
  clearInterval(tick);
  assert.equal(first.status, "ok", first.message);
  assert.match(first.message, new RegExp(`${N} records, chain intact`));
  assert.ok(maxGap < Math.max(200, total / 4), `the event loop stalled ${maxGap.toFixed(0)} ms during a ${total.toFixed(0)} ms walk`);

  const second = await chainCheck();
  assert.equal(second.status, "ok", second.message);
  assert.match(second.message, new RegExp(`records 1\\.\\.${N} were verified before.*; 0 new checked`));

  const log = new AuditLog({ path, fsync: false, keyPath });
  for (let i = 0; i < 3; i++) await log.append({ actor: { host: "cli", sessionId: "s" }, action: "skill.invoke", skill: `new${i}`, decision: "allow" });
  await log.close();
  const third = await chainCheck();
  assert.equal(third.status, "ok", third.message);
  assert.match(third.message, new RegExp(`${N + 3} records, chain intact \\(records 1\\.\\.${N} were verified before.*; 3 new checked`));

  // a record after the checkpoint changed: caught; the one at the checkpoint changed: the checkpoint is dropped and the full walk catches it
  const more = new AuditLog({ path, fsync: false, keyPath });
  for (let i = 0; i < 2; i++) await more.append({ actor: { host: "cli", sessionId: "s" }, action: "skill.invoke", skill: `more${i}`, decision: "allow" });
  await more.close();
  const text = readFileSync(path, "utf8");
  writeFileSync(path, text.replace('"skill":"more0"', '"skill":"MORE0"'));
  let bad = await chainCheck();
  assert.equal(bad.status, "fail");
  assert.match(bad.message, new RegExp(`record ${N + 4}:`));
  writeFileSync(path, text.replace('"skill":"new2"', '"skill":"NEW2"'));
  bad = await chainCheck();
  assert.equal(bad.status, "fail");
  assert.match(bad.message, new RegExp(`record ${N + 3}:`));
  // earlier records are vouched for by the checkpoint (doctor stays fast); the full walk, `audit verify`, still reads them
  writeFileSync(path, text);
  // (the default 64 MiB rotation has moved the generated records to audit.jsonl.000001 by now; either way works)
  const holder = [`${path}.000001`, path].find((f) => existsSync(f) && readFileSync(f, "utf8").includes(`"q${N - 5}"`))!;
  const old = readFileSync(holder, "utf8");
  writeFileSync(holder, old.replace(`"q${N - 5}"`, `"Q${N - 5}"`));
  assert.equal((await chainCheck()).status, "ok");
  const full = await new AuditLog({ path, fsync: false, keyPath }).verify();
  assert.equal(full.ok, false);
  assert.equal(full.firstBadSeq, N - 5);
  writeFileSync(holder, old);
});
