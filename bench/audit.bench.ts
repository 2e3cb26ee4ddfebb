/**
 * Audit appends per second with fsync (hash chain, canonical JSON, head file) vs the
 * floor: a bare appendFileSync + fsyncSync loop writing lines of the same size.
 */
import { appendFileSync, closeSync, fsyncSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { AuditLog, type AuditInput } from "../runtime/audit/index.js";
import type { BenchRow } from "./types.js";

const N = 2000;

export default async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-bench-audit-"));
  try {
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
    const log = new AuditLog({ path: join(dir, "audit", "audit.jsonl"), fsync: true });
    const sample = await log.append(input);
    const lineBytes = JSON.stringify(sample).length + 1;
    let t0 = performance.now();
    for (let i = 0; i < N; i++) await log.append(input);
    const ours = N / ((performance.now() - t0) / 1000);
    await log.close();
    const v = await log.verify();
    if (!v.ok || v.records !== N + 1) throw new Error(`chain broken after the bench: ${v.message}`);

    const fd = openSync(join(dir, "bare.jsonl"), "a", 0o600);
    const line = "x".repeat(lineBytes - 1) + "\n";
    t0 = performance.now();
    for (let i = 0; i < N; i++) {
      appendFileSync(fd, line);
      fsyncSync(fd);
    }
    const bare = N / ((performance.now() - t0) / 1000);
    closeSync(fd);

    const noSync = new AuditLog({ path: join(dir, "nosync", "audit.jsonl"), fsync: false });
    t0 = performance.now();
    for (let i = 0; i < N; i++) await noSync.append(input);
    const ns = N / ((performance.now() - t0) / 1000);
    await noSync.close();
    return [
      { name: "audit appends/s (fsync, hash chain)", value: ours, unit: "rec/s", peer: "bare appendFileSync+fsyncSync loop", peerValue: bare, ratio: ours / bare, target: ">= 0.7x floor", pass: ours / bare >= 0.7, note: `${lineBytes} B records` },
      { name: "audit appends/s (fsync off)", value: ns, unit: "rec/s", note: "hashing + canonical JSON cost alone" },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
