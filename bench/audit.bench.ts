/**
 * Audit figures, each beside a peer measured in the same run:
 * - appends/s with fsync (keyed hash chain, canonical JSON, head, cross-process lock) vs
 *   a bare appendFileSync + fsyncSync loop writing lines of the same size. Rounds of
 *   ours and bare alternate so load on a shared machine hits both alike; medians.
 * - verify of VERIFY_N records (streamed, keyed) vs a floor: read the file, split lines,
 *   JSON.parse and sha256 each line.
 * - with OPENCLAW_BENCH_AUDIT_1M=1: verify of 1M records (time and peak RSS growth).
 */
import { appendFileSync, closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { AuditLog, type AuditInput } from "../runtime/audit/index.js";
import type { BenchRow } from "./types.js";

const N = 500;
const ROUNDS = 5;
const VERIFY_N = 100_000;

const input: AuditInput = {
  actor: { host: "kernel", sessionId: "bench-session", modelRef: "openai/gpt-4o-mini" },
  action: "skill.invoke",
  skill: "local-rag",
  argv: ["python", "/skills/local-rag/rag.py", "--query", "How do we onboard new hires?", "--topk", "5"],
  cwd: "/home/user/workspace",
  decision: "allow",
  rule: "skill.allowed",
  exitCode: 0,
  signal: null,
  timedOut: false,
  durationMs: 123.4,
  stdout: { sha256: "a".repeat(64), bytes: 512 },
  stderr: { sha256: "b".repeat(64), bytes: 0 },
  execId: "xbench",
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `min ${Math.min(...xs).toFixed(0)} / median ${median(xs).toFixed(0)} / max ${Math.max(...xs).toFixed(0)}`;

/** A log of n records written without fsync (fast to build). */
async function build(path: string, n: number): Promise<void> {
  const log = new AuditLog({ path, fsync: false });
  for (let i = 0; i < n; i++) log.appendSync(input);
  await log.close();
}

/** The chain's files: rotated ones (name.000001, …) then the log itself. */
function files(path: string): string[] {
  const base = basename(path);
  const rotated = readdirSync(dirname(path)).filter((f) => f.startsWith(base + ".") && /^\d{6,}$/.test(f.slice(base.length + 1))).sort();
  return [...rotated.map((f) => join(dirname(path), f)), path];
}

/** The floor: read each file (in one go: it is the fastest way), parse and sha256 each line. */
function floor(path: string): number {
  const t0 = performance.now();
  let n = 0;
  for (const f of files(path)) n += floorFile(f);
  if (n === 0) throw new Error("empty floor");
  return performance.now() - t0;
}

function floorFile(path: string): number {
  const text = readFileSync(path, "utf8");
  let n = 0;
  let start = 0;
  for (;;) {
    const end = text.indexOf("\n", start);
    if (end < 0) break;
    const line = text.slice(start, end);
    JSON.parse(line);
    createHash("sha256").update(line).digest("hex");
    n++;
    start = end + 1;
  }
  return n;
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-bench-audit-"));
  try {
    const log = new AuditLog({ path: join(dir, "audit", "audit.jsonl"), fsync: true });
    const sample = await log.append(input);
    const lineBytes = JSON.stringify(sample).length + 1;
    const fd = openSync(join(dir, "bare.jsonl"), "a", 0o600);
    const line = "x".repeat(lineBytes - 1) + "\n";
    const ours: number[] = [];
    const bare: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let t0 = performance.now();
      for (let i = 0; i < N; i++) await log.append(input);
      ours.push(N / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      for (let i = 0; i < N; i++) {
        appendFileSync(fd, line);
        fsyncSync(fd);
      }
      bare.push(N / ((performance.now() - t0) / 1000));
    }
    closeSync(fd);
    await log.close();
    const v = await log.verify();
    if (!v.ok || v.records !== N * ROUNDS + 1) throw new Error(`chain broken after the bench: ${v.message}`);

    const noSync = new AuditLog({ path: join(dir, "nosync", "audit.jsonl"), fsync: false });
    const ns: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      for (let i = 0; i < N * 4; i++) await noSync.append(input);
      ns.push((N * 4) / ((performance.now() - t0) / 1000));
    }
    await noSync.close();

    const rows: BenchRow[] = [
      { name: "audit appends/s (fsync, keyed chain, lock)", value: median(ours), unit: "rec/s", peer: "bare appendFileSync+fsyncSync loop", peerValue: median(bare), ratio: median(ours) / median(bare), target: ">= 0.63x floor (0.70x before the keyed chain, minus 10%)", pass: median(ours) / median(bare) >= 0.63, note: `${lineBytes} B records; ${ROUNDS} alternating rounds of ${N}: ours ${spread(ours)}, bare ${spread(bare)}` },
      { name: "audit appends/s (fsync off)", value: median(ns), unit: "rec/s", note: `hashing + canonical JSON + lock cost alone; ${spread(ns)}` },
    ];

    const vpath = join(dir, "verify", "audit.jsonl");
    await build(vpath, VERIFY_N);
    const vlog = new AuditLog({ path: vpath, fsync: false });
    const vt: number[] = [];
    const ft: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      const rep = await vlog.verify();
      vt.push(performance.now() - t0);
      if (!rep.ok || rep.records !== VERIFY_N) throw new Error(`verify of the generated log failed: ${rep.message}`);
      ft.push(floor(vpath));
    }
    const mb = files(vpath).reduce((a, f) => a + statSync(f).size, 0) / 1e6;
    rows.push({ name: `audit verify ${VERIFY_N / 1000}k records`, value: median(vt), unit: "ms", peer: "read+parse+sha256 floor", peerValue: median(ft), ratio: median(vt) / median(ft), target: "<= 2x floor", pass: median(vt) / median(ft) <= 2, note: `${mb.toFixed(0)} MB; ours ${spread(vt)} ms, floor ${spread(ft)} ms` });

    if (process.env.OPENCLAW_BENCH_AUDIT_1M === "1") {
      const big = join(dir, "big", "audit.jsonl");
      // Written by the test generator (same line format and key; no lock or fsync): 1M appends would take minutes.
      const { generateChain } = await import("../tests/audit/gen.js");
      await generateChain(big, 1_000_000);
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const t0 = performance.now();
      const rep = await new AuditLog({ path: big, fsync: false }).verify();
      const ms = performance.now() - t0;
      clearInterval(timer);
      if (!rep.ok || rep.records !== 1_000_000) throw new Error(`1M verify failed: ${rep.message}`);
      rows.push({ name: "audit verify 1M records", value: ms, unit: "ms", note: `${(files(big).reduce((a, f) => a + statSync(f).size, 0) / 1e6).toFixed(0)} MB; RSS grew ${((peak - rss0) / 1e6).toFixed(0)} MB during verify` });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
