/**
 * The CLI as a user runs it: whole-process wall time (spawn to exit) of
 * `openclaw-kernel config validate`, `doctor` and `help`, each beside `node -e 0`
 * measured in the same interleaved rounds. Each command runs twice unmeasured first, as a
 * user's second run would find things: Node 22's compile cache filled, doctor's probe
 * cache (passing bubblewrap and Jupyter probes, runtime/doctor/probe-cache.ts) written;
 * the doctor row without that cache (OPENCLAW_DOCTOR_CACHE=0) is reported beside it.
 * The launcher runs under the same node binary as its `node -e 0` peer, and every row names that
 * node's version. Rows are measured for this process's node (process.execPath) and for each other
 * node binary: CLI_BENCH_NODES (paths separated by ":"), or by default the Node 22 that
 * scripts/node22.sh installs into .cache/node-<version>/ (CI's second node) when it is there, so
 * one run reports both versions from the same machine state.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, stableRatio } from "./stats.js";
import type { BenchRow } from "./types.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "bin", "openclaw-kernel");

/**
 * The environment both the CLI and its peer start in: this one without NODE_EXTRA_CA_CERTS and
 * NODE_OPTIONS. The first makes every node start read and parse a CA bundle (on this machine it
 * is set, and it added ~40 ms to `node -e 0` and to the CLI alike, which flattered the ratios); a
 * user's shell rarely has either.
 */
const ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "NODE_EXTRA_CA_CERTS" && k !== "NODE_OPTIONS"));

function timeProcess(argv: string[], env: NodeJS.ProcessEnv = ENV): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("error", reject);
    p.on("close", (code) => (code === 0 || code === 1 ? resolve(performance.now() - t0) : reject(new Error(`${argv.join(" ")} exited ${code}: ${err}`))));
  });
}

/** The node binaries to measure: ours first, then CLI_BENCH_NODES or the package's cached Node 22; one per major version. */
function nodes(): Array<{ bin: string; major: string }> {
  const extra = process.env.CLI_BENCH_NODES
    ? process.env.CLI_BENCH_NODES.split(":").filter(Boolean)
    : existsSync(join(ROOT, ".cache"))
      ? readdirSync(join(ROOT, ".cache"))
          .filter((d) => /^node-\d+\.\d+\.\d+$/.test(d))
          .map((d) => join(ROOT, ".cache", d, "bin", "node"))
          .filter((b) => existsSync(b))
      : [];
  const out = [{ bin: process.execPath, major: process.versions.node.split(".")[0]! }];
  for (const bin of extra) {
    const r = spawnSync(bin, ["-p", "process.versions.node"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`CLI_BENCH_NODES: ${bin} does not run: ${r.stderr || r.error?.message}`);
    const major = r.stdout.trim().split(".")[0]!;
    if (!out.some((n) => n.major === major)) out.push({ bin, major });
  }
  return out;
}

export default async function cli(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const only = process.env.CLI_BENCH_ONLY; // e.g. "config validate": only the rows whose name has it
  for (const { bin, major } of nodes()) rows.push(...(await rowsFor(bin, `Node ${major}`, only)));
  return rows;
}

async function rowsFor(nodeBin: string, node: string, only: string | undefined): Promise<BenchRow[]> {
  const bare = () => timeProcess([nodeBin, "-e", "0"]);
  const rows: BenchRow[] = [];
  const cases: Array<{ name: string; argv: string[]; target?: number; env?: NodeJS.ProcessEnv }> = [
    { name: "`config validate` process wall time", argv: [nodeBin, CLI, "config", "validate", "--config", join(ROOT, "openclaw.json")], target: 2 },
    { name: "`doctor` process wall time", argv: [nodeBin, CLI, "doctor", "--config", join(ROOT, "openclaw.json")], target: 4 },
    { name: "`doctor` process wall time, probes not cached", argv: [nodeBin, CLI, "doctor", "--config", join(ROOT, "openclaw.json")], env: { ...ENV, OPENCLAW_DOCTOR_CACHE: "0" } },
    { name: "`help` process wall time", argv: [nodeBin, CLI, "help"] },
  ];
  for (const c of cases.filter((x) => !only || x.name.includes(only))) {
    for (let i = 0; i < 2; i++) await timeProcess(c.argv, c.env);
    const s = await stableRatio(() => timeProcess(c.argv, c.env), bare, { minRounds: 9, maxRounds: 31 });
    rows.push({
      name: `${c.name} (${node})`,
      value: s.subject.median,
      unit: "ms",
      peer: "`node -e 0`",
      peerValue: s.peer.median,
      ratio: s.ratio.median,
      ...(c.target ? { target: `<= ${c.target}x node -e 0`, pass: s.ratio.median <= c.target } : {}),
      note: describe(s, "ms"),
    });
  }
  // Before/after: CLI_BENCH_BASE names another checkout's bin/openclaw-kernel (e.g. the previous release);
  // its `config validate` and `doctor` run interleaved with ours, so the ratio is from one run's conditions.
  const base = process.env.CLI_BENCH_BASE;
  if (base) {
    for (const c of cases.slice(0, 2)) {
      if (only && !c.name.includes(only)) continue;
      for (let i = 0; i < 2; i++) await timeProcess([nodeBin, base, ...c.argv.slice(2)]);
      const s = await stableRatio(
        () => timeProcess(c.argv),
        () => timeProcess([nodeBin, base, ...c.argv.slice(2)]),
        { minRounds: 9, maxRounds: 31 },
      );
      rows.push({
        name: `${c.name}, this build (${node})`,
        value: s.subject.median,
        unit: "ms",
        peer: `base build (${base})`,
        peerValue: s.peer.median,
        ratio: s.ratio.median,
        target: "<= 1.0x base (no slower)",
        pass: s.ratio.median <= 1.05,
        note: describe(s, "ms"),
      });
    }
  }
  return rows;
}
