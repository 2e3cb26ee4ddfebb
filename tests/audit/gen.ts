/**
 * Writes a keyed audit chain of n records quickly (as the writer would, without fsync or
 * the lock): for scale tests and the bench. Returns the last record's seq and hash.
 */
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { GENESIS, canonical } from "../../runtime/audit/canonical.js";
import { createKey, defaultKeyPath, headMac, readKey } from "../../runtime/audit/key.js";
import { headPath } from "../../runtime/audit/files.js";
import { sealLine } from "../../runtime/audit/verify.js";

export async function generateChain(path: string, n: number, keyPath = defaultKeyPath(path)): Promise<{ seq: number; hash: string }> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = (readKey(keyPath) ?? createKey(keyPath)).key;
  const out = createWriteStream(path, { mode: 0o600 });
  let prev = GENESIS;
  let batch: string[] = [];
  const ts = new Date().toISOString();
  for (let seq = 1; seq <= n; seq++) {
    const body = { actor: { host: "cli", sessionId: "gen" }, action: "skill.invoke", skill: "local-rag", argv: ["python", "rag.py", "--query", `q${seq}`], decision: "allow", exitCode: 0, durationMs: 1.5, stdout: { sha256: "a".repeat(64), bytes: 10 }, seq, ts, prevHash: prev };
    const { line, hash } = sealLine(key, canonical(body));
    batch.push(line);
    prev = hash;
    if (batch.length === 2000 || seq === n) {
      if (!out.write(batch.join("\n") + "\n")) await new Promise<void>((r) => out.once("drain", () => r()));
      batch = [];
    }
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  writeFileSync(headPath(path), JSON.stringify({ seq: n, hash: prev, mac: headMac(key, n, prev) }).padEnd(199) + "\n", { mode: 0o600 });
  return { seq: n, hash: prev };
}
