import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { AuditLog, type AuditInput } from "../../runtime/audit/index.js";
import { check } from "../../runtime/config/schema.js";
import { ROOT, tmp } from "../helpers/index.js";

const actor = { host: "kernel" as const, sessionId: "s-1", modelRef: "openai/gpt-4o-mini", modelId: "gpt-4o-mini-2024-07-18" };
const input = (i: number): AuditInput => ({
  actor,
  action: "skill.invoke",
  skill: "local-rag",
  argv: ["python", "rag.py", "--query", `q${i}`],
  cwd: "/ws",
  decision: i % 3 ? "allow" : "deny",
  rule: i % 3 ? "skill.allowed" : "params.option_injection",
  exitCode: i % 3 ? 0 : null,
  signal: null,
  timedOut: false,
  durationMs: 1.5,
  stdout: { sha256: "a".repeat(64), bytes: 10 },
  stderr: { sha256: "b".repeat(64), bytes: 0 },
  execId: `x${i}`,
});

async function fresh(t: { after(fn: () => void): void }, n: number) {
  const path = join(tmp(t), "audit", "audit.jsonl");
  const log = new AuditLog({ path, fsync: true });
  for (let i = 1; i <= n; i++) await log.append(input(i));
  await log.close();
  return { path, lines: () => readFileSync(path, "utf8").split("\n").filter(Boolean), verify: () => new AuditLog({ path, fsync: true }).verify() };
}

test("records chain, validate against the schema, and the file and folder are private", async (t) => {
  const { path, lines, verify } = await fresh(t, 5);
  const recs = lines().map((l) => JSON.parse(l));
  assert.deepEqual(recs.map((r) => r.seq), [1, 2, 3, 4, 5]);
  assert.equal(recs[0].prevHash, "0".repeat(64));
  for (let i = 1; i < recs.length; i++) assert.equal(recs[i].prevHash, recs[i - 1].hash);
  for (const r of recs) assert.deepEqual(check("audit-record.schema.json", r), []);
  assert.equal(recs[1].actor.modelId, "gpt-4o-mini-2024-07-18");
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(path, "..")).mode & 0o777, 0o700);
  assert.deepEqual(await verify(), { ok: true, path, records: 5, firstBadSeq: null, tornLastLine: false, message: "5 records, chain intact" });
  const tail = await new AuditLog({ path, fsync: true }).tail(2);
  assert.deepEqual(tail.map((r) => r.seq), [4, 5]);
});

test("tamper: a modified record is named", async (t) => {
  const { path, lines, verify } = await fresh(t, 5);
  const l = lines();
  l[2] = l[2]!.replace('"exitCode":null', '"exitCode":0');
  writeFileSync(path, l.join("\n") + "\n");
  const v = await verify();
  assert.equal(v.ok, false);
  assert.equal(v.firstBadSeq, 3);
  assert.match(v.message, /modified/);
});

test("tamper: deleted, reordered and inserted records are named", async (t) => {
  const a = await fresh(t, 5);
  const l = a.lines();
  writeFileSync(a.path, [l[0], l[1], l[3], l[4]].join("\n") + "\n");
  assert.equal((await a.verify()).firstBadSeq, 3, "deleted");

  const b = await fresh(t, 5);
  const m = b.lines();
  writeFileSync(b.path, [m[0], m[2], m[1], m[3], m[4]].join("\n") + "\n");
  assert.equal((await b.verify()).firstBadSeq, 2, "reordered");

  const c = await fresh(t, 5);
  const n = c.lines();
  const forged = { ...JSON.parse(n[1]!), reason: "inserted" };
  writeFileSync(c.path, [n[0], n[1], JSON.stringify(forged), n[2], n[3], n[4]].join("\n") + "\n");
  const v = await c.verify();
  assert.equal(v.ok, false);
  assert.equal(v.firstBadSeq, 3, "inserted");
});

test("tamper: a cut tail is caught by the head file, even though the remaining chain is consistent", async (t) => {
  const { path, lines, verify } = await fresh(t, 5);
  writeFileSync(path, lines().slice(0, 3).join("\n") + "\n");
  const v = await verify();
  assert.equal(v.ok, false);
  assert.equal(v.firstBadSeq, 4);
  assert.match(v.message, /truncated/);
});

test("a torn last line is tolerated and reported; the next append sets it aside and the chain continues", async (t) => {
  const { path, verify } = await fresh(t, 3);
  appendFileSync(path, '{"actor":{"host":"cli","sessi');
  const v = await verify();
  assert.equal(v.ok, true);
  assert.equal(v.tornLastLine, true);
  assert.equal(v.records, 3);
  const log = new AuditLog({ path, fsync: true });
  const rec = await log.append(input(4));
  await log.close();
  assert.equal(rec.seq, 4);
  const after = await verify();
  assert.equal(after.ok, true);
  assert.equal(after.tornLastLine, false);
  assert.equal(after.records, 4);
  assert.match(readFileSync(`${path}.torn`, "utf8"), /"sessi/);
});

test("two writers (kernel and a CLI) on one file keep one chain", async (t) => {
  const path = join(tmp(t), "a.jsonl");
  const a = new AuditLog({ path, fsync: false });
  const b = new AuditLog({ path, fsync: false });
  for (let i = 0; i < 6; i++) await (i % 2 ? a : b).append(input(i));
  await a.close();
  await b.close();
  const v = await new AuditLog({ path, fsync: false }).verify();
  assert.equal(v.ok, true, v.message);
  assert.equal(v.records, 6);
});

test("no log yet: verify is ok with zero records; tail is empty and creates nothing", async (t) => {
  const path = join(tmp(t), "none", "audit.jsonl");
  const log = new AuditLog({ path, fsync: true });
  assert.deepEqual(await log.tail(), []);
  assert.equal((await log.verify()).records, 0);
  assert.equal(existsSync(path), false);
});

test("SIGKILL right after append() resolved: the record is on disk and the chain verifies", async (t) => {
  const path = join(tmp(t), "audit.jsonl");
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "tests", "audit", "crash-child.ts"), path], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => child.kill("SIGKILL"));
  const line = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d;
      if (buf.includes("\n")) {
        child.kill("SIGKILL");
        resolve(buf.trim());
      }
    });
    child.once("exit", (c) => reject(new Error(`child exited ${c} before appending`)));
  });
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("exit", r)));
  const [, seq, hash] = line.split(" ");
  const recs = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(recs.length, 1);
  assert.equal(String(recs[0].seq), seq);
  assert.equal(recs[0].hash, hash);
  assert.equal((await new AuditLog({ path, fsync: true }).verify()).ok, true);
});
