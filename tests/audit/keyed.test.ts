import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { AuditLog, canonical, type AuditInput } from "../../runtime/audit/index.js";
import { ROOT, tmp } from "../helpers/index.js";

const input = (i: number): AuditInput => ({ actor: { host: "cli", sessionId: "k" }, action: "skill.invoke", skill: `s${i}`, argv: ["echo", String(i)], decision: "allow", exitCode: 0 });

async function chain(t: { after(fn: () => void): void }, n: number, extra: { rotateBytes?: number } = {}) {
  const dir = tmp(t);
  const path = join(dir, "audit", "audit.jsonl");
  const keyPath = join(dir, "state", "audit", "audit.key");
  const log = new AuditLog({ path, fsync: false, keyPath, ...extra });
  for (let i = 1; i <= n; i++) await log.append(input(i));
  await log.close();
  const open = () => new AuditLog({ path, fsync: false, keyPath, ...extra });
  return { dir, path, keyPath, open, verify: (o = {}) => open().verify(o), lines: () => readFileSync(path, "utf8").split("\n").filter(Boolean) };
}

/** What an attacker without the key can do: recompute sha256 over the canonical record (the old scheme). */
function forge(rec: Record<string, unknown>): string {
  const { hash: _h, ...rest } = rec;
  return JSON.stringify({ ...rest, hash: createHash("sha256").update(canonical(rest)).digest("hex") });
}

test("keyed: the key is created 0600 in the state dir, the MAC is the line's last member, and the chain verifies", async (t) => {
  const c = await chain(t, 3);
  assert.equal(statSync(c.keyPath).mode & 0o777, 0o600);
  assert.match(readFileSync(c.keyPath, "utf8"), /^[0-9a-f]{64}\n$/);
  for (const l of c.lines()) assert.match(l, /,"hash":"[0-9a-f]{64}"\}$/);
  const v = await c.verify();
  assert.equal(v.ok, true, v.message);
  assert.equal(v.records, 3);
});

test("keyed: rewriting every record with recomputed sha256 hashes and a matching head is detected", async (t) => {
  const c = await chain(t, 4);
  let prev = "0".repeat(64);
  const forged = c.lines().map((l) => {
    const r = { ...JSON.parse(l), prevHash: prev, skill: "rewritten" };
    const line = forge(r);
    prev = JSON.parse(line).hash;
    return line;
  });
  writeFileSync(c.path, forged.join("\n") + "\n");
  writeFileSync(`${c.path}.head`, JSON.stringify({ seq: 4, hash: prev }));
  const v = await c.verify();
  assert.equal(v.ok, false);
  assert.equal(v.firstBadSeq, 1);
  assert.match(v.message, /record 1: .*(key|keyed)/);
});

test("keyed: one record appended with a recomputed hash, head left alone, is detected", async (t) => {
  const c = await chain(t, 3);
  const last = JSON.parse(c.lines().at(-1)!);
  appendFileSync(c.path, forge({ ...input(9), seq: 4, ts: new Date().toISOString(), prevHash: last.hash }) + "\n");
  const v = await c.verify();
  assert.equal(v.ok, false);
  assert.equal(v.firstBadSeq, 4);
});

test("keyed: a deleted head file is a failure, not 'truncation detection off'", async (t) => {
  const c = await chain(t, 3);
  unlinkSync(`${c.path}.head`);
  const v = await c.verify();
  assert.equal(v.ok, false);
  assert.match(v.message, /head file .* is missing/);
  // and a cut tail with the head rewritten to match (without the key) is caught by the head's MAC
  const c2 = await chain(t, 3);
  const keep = c2.lines().slice(0, 2);
  writeFileSync(c2.path, keep.join("\n") + "\n");
  writeFileSync(`${c2.path}.head`, JSON.stringify({ seq: 2, hash: JSON.parse(keep[1]!).hash, mac: "0".repeat(64) }));
  const v2 = await c2.verify();
  assert.equal(v2.ok, false);
  assert.match(v2.message, /head file .*MAC/);
});

test("keyed: a head left blank by a crash right after record 1 is tolerated; a wiped head under more records is not", async (t) => {
  const one = await chain(t, 1);
  writeFileSync(`${one.path}.head`, " ".repeat(199) + "\n");
  assert.equal((await one.verify()).ok, true);
  const three = await chain(t, 3);
  writeFileSync(`${three.path}.head`, "");
  const v = await three.verify();
  assert.equal(v.ok, false);
  assert.match(v.message, /head file .* is empty while the log has 3 records/);
});

test("keyed: a missing key is an error that says so, for verify, head and append", async (t) => {
  const c = await chain(t, 2);
  rmSync(c.keyPath);
  const v = await c.verify();
  assert.equal(v.ok, false);
  assert.match(v.message, /audit key .* is missing/);
  await assert.rejects(c.open().head(), /audit key .* is missing/);
  await assert.rejects(c.open().append(input(3)), (e: Error & { code?: string }) => e.code === "audit_key_missing" && /has records/.test(e.message));
  assert.equal(existsSync(c.keyPath), false, "append must not mint a new key for an old chain");
  // a key others can read is refused
  const d = await chain(t, 1);
  const { chmodSync } = await import("node:fs");
  chmodSync(d.keyPath, 0o644);
  const vd = await d.verify();
  assert.equal(vd.ok, false);
  assert.match(vd.message, /mode 644/);
});

test("upgrade: a log written by the unkeyed version is moved aside whole and a keyed chain starts; a keyed log without its key is not", async (t) => {
  const dir = tmp(t);
  const path = join(dir, "audit", "audit.jsonl");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(dir, "audit"));
  // two records as the earlier version wrote them: canonical JSON with hash among the sorted keys
  let prev = "0".repeat(64);
  const old = [1, 2].map((seq) => {
    const rest = { ...input(seq), seq, ts: "2026-01-01T00:00:00.000Z", prevHash: prev };
    prev = createHash("sha256").update(canonical(rest)).digest("hex");
    return canonical({ ...rest, hash: prev });
  });
  writeFileSync(path, old.join("\n") + "\n");
  writeFileSync(`${path}.head`, JSON.stringify({ seq: 2, hash: prev }));
  const before = await new AuditLog({ path, fsync: false }).verify();
  assert.equal(before.ok, false);
  assert.match(before.message, /written by an earlier version without one/);
  const log = new AuditLog({ path, fsync: false });
  const rec = await log.append(input(3));
  await log.close();
  assert.equal(rec.seq, 1);
  assert.ok(log.movedAside && readFileSync(log.movedAside, "utf8") === old.join("\n") + "\n");
  assert.ok(existsSync(`${log.movedAside}.head`));
  assert.equal((await new AuditLog({ path, fsync: false }).verify()).ok, true);
});

test("anchor: audit head's hash:seq is found by verify --anchor; a chain rebuilt with the key is caught only by the anchor", async (t) => {
  const c = await chain(t, 5);
  const h = await c.open().head();
  assert.equal(h.seq, 5);
  assert.equal(h.hash, JSON.parse(c.lines().at(-1)!).hash);
  let v = await c.verify({ anchor: { hash: h.hash, seq: h.seq } });
  assert.equal(v.ok, true, v.message);
  assert.deepEqual(v.anchor, { hash: h.hash, seq: 5, found: true, foundSeq: 5 });
  // one who holds the key starts the chain over with other content: intact, but the anchor is gone
  for (const f of readdirSync(join(c.path, ".."))) rmSync(join(c.path, "..", f));
  const log = c.open();
  for (let i = 1; i <= 6; i++) await log.append({ ...input(i), skill: "other" });
  await log.close();
  assert.equal((await c.verify()).ok, true);
  v = await c.verify({ anchor: { hash: h.hash, seq: 5 } });
  assert.equal(v.ok, false);
  assert.match(v.message, /anchor .* is not in the chain/);
  assert.equal(v.anchor?.found, false);
});

test("lock: two processes appending at once leave one chain with unique seqs", { timeout: 120_000 }, async (t) => {
  const dir = tmp(t);
  const path = join(dir, "audit", "audit.jsonl");
  const N = 2000; // enough overlap that the unlocked writer of before forked the chain in every run tried
  // A fresh key first, so the two children do not race to create it (they would agree anyway: link is atomic).
  await new AuditLog({ path, fsync: false }).ready();
  const kids = ["a", "b"].map((who) => spawn(process.execPath, ["--import", "tsx", join(ROOT, "tests", "audit", "append-child.ts"), path, String(N), who], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] }));
  t.after(() => kids.forEach((k) => k.kill("SIGKILL")));
  const said = (k: (typeof kids)[0], word: string) =>
    new Promise<void>((resolve, reject) => {
      let buf = "";
      const on = (d: Buffer) => {
        buf += d;
        if (buf.includes(word + "\n")) {
          k.stdout!.off("data", on);
          resolve();
        }
      };
      k.stdout!.on("data", on);
      k.once("exit", (code) => reject(new Error(`child exited ${code} before "${word}"`)));
    });
  await Promise.all(kids.map((k) => said(k, "ready")));
  const done = kids.map((k) => said(k, "done"));
  for (const k of kids) k.stdin!.write("go\n");
  await Promise.all(done);
  const recs = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(recs.length, 2 * N);
  assert.equal(new Set(recs.map((r) => r.seq)).size, 2 * N, "duplicate seqs");
  assert.equal(recs.filter((r) => r.actor.sessionId === "a").length, N);
  const v = await new AuditLog({ path, fsync: false }).verify();
  assert.equal(v.ok, true, v.message);
  assert.equal(v.records, 2 * N);
  assert.throws(() => statSync(`${path}.lock`), /ENOENT/, "the lock is released");
});

test("lock: a lock left by a dead process is broken; a live one is waited for", async (t) => {
  const c = await chain(t, 1);
  symlinkSync(`999999999 ${(await import("node:os")).hostname()}`, `${c.path}.lock`); // no such pid
  const log = c.open();
  const rec = await log.append(input(2));
  await log.close();
  assert.equal(rec.seq, 2);
  assert.throws(() => readlinkSync(`${c.path}.lock`), /ENOENT/);
  // a live owner (our parent process, on this host) is waited for, then named
  const { FileLock } = await import("../../runtime/audit/lock.js");
  symlinkSync(`${process.ppid} ${(await import("node:os")).hostname()}`, `${c.path}.lock`);
  const lock = new FileLock(`${c.path}.lock`, 300);
  assert.throws(() => lock.acquire(), (e: Error & { code?: string }) => e.code === "audit_locked" && e.message.includes(String(process.ppid)));
  unlinkSync(`${c.path}.lock`);
  lock.acquire();
  lock.release();
});

test("rotation: files roll over by size, the chain continues across them, tail reaches back, and a missing file is caught", async (t) => {
  const c = await chain(t, 40, { rotateBytes: 2000 });
  const rotated = readdirSync(join(c.path, "..")).filter((f) => /^audit\.jsonl\.\d{6}$/.test(f)).sort();
  assert.ok(rotated.length >= 3, `rotated: ${rotated}`);
  for (const f of rotated) assert.ok(statSync(join(c.path, "..", f)).size <= 2000);
  let v = await c.verify();
  assert.equal(v.ok, true, v.message);
  assert.equal(v.records, 40);
  assert.equal(v.files, rotated.length + 1);
  const first = JSON.parse(readFileSync(join(c.path, "..", rotated[1]!), "utf8").split("\n")[0]!);
  assert.ok(first.seq > 1 && first.prevHash !== "0".repeat(64), "the second file continues the chain");
  const tail = await c.open().tail(5);
  assert.deepEqual(tail.map((r) => r.seq), [36, 37, 38, 39, 40]);
  // another writer that opened before a rotation follows it (inode changed)
  const a = c.open();
  const b = c.open();
  for (let i = 0; i < 20; i++) await (i % 2 ? a : b).append(input(100 + i));
  await a.close();
  await b.close();
  v = await c.verify();
  assert.equal(v.ok, true, v.message);
  assert.equal(v.records, 60);
  // a rotated file taken out of the middle
  unlinkSync(join(c.path, "..", rotated[1]!));
  v = await c.verify();
  assert.equal(v.ok, false);
  assert.match(v.message, /deleted, reordered or inserted/);
});
