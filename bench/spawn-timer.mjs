// Times one spawn per message for bench/rag.bench.ts, from a process of its own: spawning from the
// benchmark's process, which then holds a 27k-chunk index (~500 MB), costs every child ~30 ms more
// (fork copies its page tables), and a user starts the CLI from a small shell. The peer (`node -e 0`)
// is timed here too.
import { spawnSync } from "node:child_process";

process.on("message", (m) => {
  const t0 = performance.now();
  const r = spawnSync(m.bin, m.args, { env: m.env, encoding: "utf8", maxBuffer: 64 << 20, timeout: 600_000 });
  const ms = performance.now() - t0;
  process.send({ ms, status: r.status, stderr: (r.stderr ?? "").slice(-4000) });
});
