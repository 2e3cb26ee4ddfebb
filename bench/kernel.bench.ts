/**
 * The kernel against its peers, driven the same way by one zeromq client (bench/client.ts):
 * Debian's ipykernel and tslab 1.0.22. Start to first kernel_info_reply (median of 5
 * starts each), and execute round-trip p50/p99 (execute_request -> execute_reply, and
 * every cell's output and idle must arrive, and every cell must succeed) of `%openclaw exec list` vs their `1+1`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KernelClient } from "./client.js";
import { descendants } from "../kernel/children.js";
import { describe, type Spread, spread, stableRatio } from "./stats.js";
import type { ConnectionInfo } from "../kernel/connection.js";
import type { BenchRow } from "./types.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const STARTS = Number(process.env.KERNEL_BENCH_STARTS ?? 5);
const CELLS = Number(process.env.KERNEL_BENCH_CELLS ?? 300);
const WARMUP = 10;

interface Peer {
  name: string;
  argv(conn: string): string[];
  code: string;
  /** The output message a cell must produce (nothing lost). */
  output: string;
  /** Extra environment for the kernel process. */
  env?: NodeJS.ProcessEnv;
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function connection(dir: string): Promise<{ file: string; info: ConnectionInfo }> {
  const [shell, iopub, stdin, control, hb] = await freePorts(5);
  const info: ConnectionInfo = { transport: "tcp", ip: "127.0.0.1", shell_port: shell!, iopub_port: iopub!, stdin_port: stdin!, control_port: control!, hb_port: hb!, key: randomUUID(), signature_scheme: "hmac-sha256" };
  const file = join(dir, `kernel-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(info));
  return { file, info };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
}

async function stop(proc: ChildProcess, client: KernelClient): Promise<void> {
  const exited = new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once("exit", r)));
  client.request("control", "shutdown_request", { restart: false }, 5000).reply.catch(() => undefined);
  const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(t);
  client.close();
}

/** A connected client, then the peer's kernel spawned in `dir` (t0: the moment of the spawn). */
async function spawnKernel(peer: Peer, dir: string): Promise<{ proc: ChildProcess; client: KernelClient; t0: number }> {
  const { file, info } = await connection(dir);
  const client = new KernelClient(info);
  client.connect();
  const t0 = performance.now();
  const [cmd, ...args] = peer.argv(file);
  const proc = spawn(cmd!, args, { cwd: dir, stdio: ["ignore", "ignore", "ignore"], env: { ...process.env, OPENCLAW_CONFIG: "", OPENCLAW_STATE_DIR: join(dir, "state"), ...peer.env } });
  return { proc, client, t0 };
}

async function start(peer: Peer, dir: string): Promise<{ proc: ChildProcess; client: KernelClient; ms: number }> {
  const { proc, client, t0 } = await spawnKernel(peer, dir);
  await client.request("shell", "kernel_info_request", {}, 30_000).reply;
  return { proc, client, ms: performance.now() - t0 };
}

async function measure(peer: Peer, dir: string) {
  const starts: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const k = await start(peer, dir);
    starts.push(k.ms);
    await stop(k.proc, k.client);
  }
  const k = await start(peer, dir);
  const rtts: number[] = [];
  let lost = 0;
  try {
    for (let i = 0; i < CELLS + WARMUP; i++) {
      const t0 = performance.now();
      const r = k.client.execute(peer.code, 30_000);
      const reply = await r.reply;
      const dt = performance.now() - t0;
      await r.idle.catch(() => undefined);
      const out = k.client.iopubByParent.get(r.msgId) ?? [];
      const ok = (reply.content as { status?: string }).status === "ok" && out.some((m) => m.header.msg_type === peer.output) && out.some((m) => m.header.msg_type === "status" && (m.content as { execution_state?: string }).execution_state === "idle");
      k.client.iopubByParent.delete(r.msgId);
      if (i < WARMUP) continue;
      rtts.push(dt);
      if (!ok) lost++;
    }
  } finally {
    await stop(k.proc, k.client);
  }
  return { startMedian: quantile(starts, 0.5), p50: quantile(rtts, 0.5), p99: quantile(rtts, 0.99), lost };
}

/** Spawn -> kernel_info_reply -> execute `code` -> its output and idle: what a user waits for at a notebook's first cell. */
async function firstResultOnce(peer: Peer, dir: string, hold?: () => Promise<void>): Promise<{ info: number; first: number }> {
  const { proc, client, t0 } = await spawnKernel(peer, dir);
  try {
    await client.request("shell", "kernel_info_request", {}, 30_000).reply;
    const tInfo = performance.now() - t0;
    const r = client.execute(peer.code, 60_000);
    await r.reply;
    await r.idle;
    const out = client.iopubByParent.get(r.msgId) ?? [];
    if (!out.some((m) => m.header.msg_type === peer.output)) throw new Error(`${peer.name}: no ${peer.output} for ${peer.code}`);
    const first = performance.now() - t0;
    await hold?.();
    return { info: tInfo, first };
  } finally {
    await stop(proc, client);
  }
}

/** Waits (up to 3 minutes) until a compiler snapshot is in `cacheDir`: the kernel builds it in the background after its first warm-up. */
async function snapshotBuilt(cacheDir: string): Promise<void> {
  for (let i = 0; i < 900; i++) {
    if (existsSync(cacheDir) && readdirSync(cacheDir).some((f) => /^ts-snapshot-[0-9a-f]+\.blob$/.test(f))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no compiler snapshot appeared in ${cacheDir}`);
}

/**
 * Start -> first TypeScript result `1+1`, interleaved, each start in a folder that never had a
 * kernel (mkdtemp): ours with the machine's compiler snapshot present (built once by an earlier
 * kernel in another folder: one snapshot serves every folder), ours on the very first kernel on
 * the machine (an empty cache: no snapshot, no typescript.js code cache; the compiler loads on a
 * worker thread and the snapshot is built after it), ipykernel, tslab (which warms its compiler
 * at start). Also start -> kernel_info_reply of the same starts.
 */
async function firstRows(oursTs: Peer, ipykernel: Peer, tslab: Peer, dir: string): Promise<BenchRow[]> {
  const cacheDir = join(dir, "ts-cache");
  let n = 0;
  const fresh = (what: string) => {
    const d = join(dir, `${what}-${++n}`);
    mkdirSync(d);
    return d;
  };
  const snap: Peer = { ...oursTs, env: { OPENCLAW_TS_CODE_CACHE: cacheDir } };
  // The machine's snapshot, built by a first kernel in a folder of its own.
  await firstResultOnce(snap, fresh("builder"), () => snapshotBuilt(cacheDir));
  const a: Array<{ info: number; first: number }> = [];
  const b: typeof a = [];
  const c: typeof a = [];
  const d: typeof a = [];
  const e: typeof a = [];
  // The opt-out: the compiler on a worker thread with the code cache present (what a new folder got before the snapshot was shared).
  const optOut: Peer = { ...oursTs, name: "OPENCLAW_TS_SNAPSHOT=0", env: { OPENCLAW_TS_CODE_CACHE: cacheDir, OPENCLAW_TS_SNAPSHOT: "0" } };
  for (let i = 0; i < STARTS; i++) {
    a.push(await firstResultOnce(snap, fresh("new-folder")));
    // A cache folder that does not exist yet (the kernel creates it), as on a machine's first kernel.
    b.push(await firstResultOnce({ ...oursTs, name: "first-ever kernel", env: { OPENCLAW_TS_CODE_CACHE: join(fresh("first-ever"), "cache") } }, fresh("new-folder")));
    c.push(await firstResultOnce(ipykernel, fresh("new-folder")));
    e.push(await firstResultOnce(optOut, fresh("new-folder")));
    if (process.env.KERNEL_BENCH_TSLAB !== "0") d.push(await firstResultOnce(tslab, fresh("new-folder")).catch(() => ({ info: Number.NaN, first: Number.NaN })));
  }
  const first = (xs: typeof a) => spread(xs.map((x) => x.first).filter((x) => !Number.isNaN(x)));
  const info = (xs: typeof a) => spread(xs.map((x) => x.info));
  const mmm = (s: Spread) => `${s.min.toFixed(0)}/${s.median.toFixed(0)}/${s.max.toFixed(0)} ms`;
  const [fa, fb, fc, fe] = [first(a), first(b), first(c), first(e)];
  const fd = d.length && first(d).n ? first(d) : undefined;
  const [ia, ib, ic] = [info(a), info(b), info(c)];
  // Per-start ratios (start i of ours over start i of ipykernel, run back to back).
  const ratio = (xs: typeof a) => {
    const r = spread(xs.map((x, i) => x.first / c[i]!.first));
    return `per-start ratio min/median/max ${r.min.toFixed(2)}/${r.median.toFixed(2)}/${r.max.toFixed(2)}x`;
  };
  const rows: BenchRow[] = [
    { name: "start -> first TypeScript result `1+1`, new folder, machine snapshot present (median)", value: fa.median, unit: "ms", peer: "ipykernel `1+1`", peerValue: fc.median, ratio: fa.median / fc.median, target: "<= 1.5x ipykernel", pass: fa.median <= 1.5 * fc.median, note: `min/median/max ${mmm(fa)} vs ${mmm(fc)}; ${ratio(a)}; ${STARTS} interleaved starts, each in a folder that never had a kernel` },
    { name: "start -> first TypeScript result `1+1`, first-ever kernel on the machine (no snapshot, no code cache; median)", value: fb.median, unit: "ms", peer: "ipykernel `1+1`", peerValue: fc.median, ratio: fb.median / fc.median, note: `min/median/max ${mmm(fb)}; ${ratio(b)}; compiler on a worker thread, the snapshot is built after it for every later kernel` },
    { name: "start -> first TypeScript result `1+1`, new folder, OPENCLAW_TS_SNAPSHOT=0 (worker thread, code cache present; median)", value: fe.median, unit: "ms", peer: "ipykernel `1+1`", peerValue: fc.median, ratio: fe.median / fc.median, note: `min/median/max ${mmm(fe)}; ${ratio(e)}; the opt-out, and what a folder's first kernel got while snapshots were per folder` },
    { name: "start -> kernel_info_reply in the same starts (median)", value: ia.median, unit: "ms", peer: "ipykernel", peerValue: ic.median, ratio: ia.median / ic.median, target: "<= ipykernel median", pass: ia.median <= ic.median, note: `min/median/max ${mmm(ia)} vs ${mmm(ic)}; first-ever kernel (no snapshot to start early) ${mmm(ib)}` },
  ];
  if (fd) rows.push({ name: "start -> first TypeScript result `1+1`, new folder, machine snapshot present (median)", value: fa.median, unit: "ms", peer: "tslab `1+1`", peerValue: fd.median, ratio: fa.median / fd.median, note: `min/median/max ${mmm(fa)} vs ${mmm(fd)}` });
  return rows;
}

const LINES = Number(process.env.KERNEL_BENCH_LINES ?? 1000);

/** One cell printing `n` lines, timed from execute_request to its idle; throws when a line is lost or out of order. */
async function printCell(client: KernelClient, code: string, n: number, expect?: string): Promise<number> {
  const t0 = performance.now();
  const r = client.execute(code, 60_000);
  await r.reply;
  await r.idle;
  const dt = performance.now() - t0;
  const out = client.iopubByParent.get(r.msgId) ?? [];
  client.iopubByParent.delete(r.msgId);
  const text = out.filter((m) => m.header.msg_type === "stream").map((m) => (m.content as { text: string }).text).join("");
  const want = expect ?? Array.from({ length: n }, (_, i) => `${i}\n`).join("");
  if (text !== want) throw new Error(`${n} printed lines: got ${text.split("\n").length - 1} lines${text.length === want.length ? " out of order" : ""}`);
  return dt;
}

/**
 * `n` printed lines to idle, ours (a TypeScript cell) beside ipykernel, interleaved; plus a 1-line
 * cell so the fixed per-cell cost (the type-check) shows apart from the output path. Ours runs its
 * compiler from the machine's snapshot, as every kernel after a machine's first does: the snapshot
 * is built by a kernel of its own first (in a cache folder of this run), so no background build
 * runs during the rounds.
 */
async function printedLines(ours: Peer, ipy: Peer, dir: string): Promise<BenchRow[]> {
  const cacheDir = join(dir, "lines-ts-cache");
  const builder = join(dir, "lines-builder");
  mkdirSync(builder);
  const snap: Peer = { ...ours, env: { ...ours.env, OPENCLAW_TS_CODE_CACHE: cacheDir } };
  await firstResultOnce(snap, builder, () => snapshotBuilt(cacheDir));
  const load0 = loadavg()[0]!;
  const a = await start(snap, dir);
  const b = await start(ipy, dir);
  try {
    const ts = (n: number) => `for (let i = 0; i < ${n}; i++) console.log(i);`;
    const py = (n: number) => `for i in range(${n}): print(i)`;
    for (let i = 0; i < 3; i++) {
      await printCell(a.client, ts(LINES), LINES);
      await printCell(b.client, py(LINES), LINES);
    }
    const many = await stableRatio(() => printCell(a.client, ts(LINES), LINES), () => printCell(b.client, py(LINES), LINES), { minRounds: 15, maxRounds: 60 });
    const one = await stableRatio(() => printCell(a.client, ts(1), 1), () => printCell(b.client, py(1), 1), { minRounds: 15, maxRounds: 60 });
    // The same 1-line cell, but new text each round (a comment with the round's number), as a user's
    // next cell is: the compiler cannot keep its program (re-running an unchanged cell reuses it).
    let k = 0;
    const fresh = await stableRatio(
      () => printCell(a.client, `${ts(1)} // ${++k}`, 1),
      () => printCell(b.client, `${py(1)}  # ${k}`, 1),
      { minRounds: 15, maxRounds: 60 },
    );
    // A new cell that declares a name (as most notebook cells do) and prints it: the declarations carry on to later cells.
    const declared = await stableRatio(
      () => printCell(a.client, `const v${++k} = 0;\nconsole.log(v${k});`, 1, "0\n"),
      () => printCell(b.client, `v${k} = 0\nprint(v${k})`, 1, "0\n"),
      { minRounds: 15, maxRounds: 60 },
    );
    const load = `load ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`;
    return [
      { name: `${LINES} printed lines -> idle (median)`, value: many.subject.median, unit: "ms", peer: "ipykernel", peerValue: many.peer.median, ratio: many.ratio.median, target: "<= ipykernel, nothing lost", pass: many.ratio.median <= 1, note: `TypeScript cell vs Python loop; ${describe(many, "ms")}; ${load}` },
      { name: "1 printed line -> idle (median; the cell's fixed cost)", value: one.subject.median, unit: "ms", peer: "ipykernel", peerValue: one.peer.median, ratio: one.ratio.median, target: "< ipykernel", pass: one.ratio.median < 1, note: `${describe(one, "ms")}; compiler from the machine's snapshot; ${load}` },
      { name: "a new cell declaring a name and printing it -> idle (median)", value: declared.subject.median, unit: "ms", peer: "ipykernel", peerValue: declared.peer.median, ratio: declared.ratio.median, note: `\`const vN = 0; console.log(vN)\` vs \`vN = 0; print(vN)\`, N the round; ${describe(declared, "ms")}; ${load}` },
      { name: "1 printed line -> idle, a new cell each round (median; the fixed cost of a cell not run before)", value: fresh.subject.median, unit: "ms", peer: "ipykernel", peerValue: fresh.peer.median, ratio: fresh.ratio.median, note: `${describe(fresh, "ms")}; the TypeScript compiler makes a new program and checker for new text; ${load}` },
    ];
  } finally {
    await stop(a.proc, a.client);
    await stop(b.proc, b.client);
  }
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Proportional set size (shared pages split between the processes that map them), MB. */
function pssMb(pid: number): number {
  try {
    const m = /\nPss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * RSS of the kernel process and of its descendants (summed: pages shared between them, such as
 * node's own code, count twice, so the total is an upper bound), and their summed PSS (counts them once).
 */
function treeRss(pid: number): { kernel: number; children: number; total: number; pss: number } {
  const kids = descendants(pid); // the compiler process, exec children
  const kernel = rssMb(pid);
  const children = kids.reduce((s, p) => s + (Number.isNaN(rssMb(p)) ? 0 : rssMb(p)), 0);
  return { kernel, children, total: kernel + children, pss: [pid, ...kids].reduce((s, p) => s + pssMb(p), 0) };
}

/**
 * Kernel RSS at kernel_info, after one TypeScript cell, and after `rag index` + one `rag query`
 * on the bundled workspace, with the compiler in its snapshot process (this folder's second
 * kernel) and on a worker thread (OPENCLAW_TS_SNAPSHOT=0); ipykernel's after `1+1` beside it.
 */
async function memory(ours: Peer, ipy: Peer, dir: string): Promise<BenchRow[]> {
  const ws = join(dir, "mem-ws");
  cpSync(join(ROOT, "workspace"), ws, { recursive: true });
  const cfg = join(dir, "mem.json");
  writeFileSync(cfg, JSON.stringify({ agentDefaults: { workspace: ws }, stateDir: join(dir, "mem-state") }));
  const cacheDir = join(dir, "mem-ts-cache");
  const run = async (client: KernelClient, code: string) => {
    const r = client.execute(code, 300_000);
    const rep = await r.reply;
    await r.idle;
    client.iopubByParent.delete(r.msgId);
    if ((rep.content as { status?: string }).status !== "ok") throw new Error(`${code}: ${JSON.stringify(rep.content).slice(0, 300)}`);
  };
  const env = { OPENCLAW_CONFIG: cfg, OPENCLAW_TS_CODE_CACHE: cacheDir };
  // This folder's first kernel builds the compiler snapshot; wait for it.
  const warm = await start({ ...ours, env }, dir);
  try {
    await run(warm.client, "1+1");
    await snapshotBuilt(cacheDir);
  } finally {
    await stop(warm.proc, warm.client);
  }
  const one = async (peerEnv: NodeJS.ProcessEnv) => {
    const a = await start({ ...ours, env: { ...env, ...peerEnv } }, dir);
    try {
      const atInfo = treeRss(a.proc.pid!);
      await run(a.client, "1+1");
      const afterTs = treeRss(a.proc.pid!);
      await run(a.client, "%openclaw rag index");
      await run(a.client, '%openclaw rag query "How do we onboard new hires?"');
      const afterRag = treeRss(a.proc.pid!);
      return { atInfo, afterTs, afterRag };
    } finally {
      await stop(a.proc, a.client);
    }
  };
  const snap = await one({});
  const worker = await one({ OPENCLAW_TS_SNAPSHOT: "0" });
  const b = await start(ipy, dir);
  let ipyRss: number;
  try {
    await run(b.client, "1+1");
    ipyRss = rssMb(b.proc.pid!);
  } finally {
    await stop(b.proc, b.client);
  }
  const f = (x: ReturnType<typeof treeRss>) => `${x.kernel.toFixed(0)}+${x.children.toFixed(0)} (PSS ${x.pss.toFixed(0)})`;
  const note = (m: typeof snap) => `RSS kernel+children MB: ${f(m.atInfo)} at kernel_info, ${f(m.afterTs)} after the TypeScript cell, ${f(m.afterRag)} after RAG`;
  return [
    { name: "RSS after one TypeScript cell + rag index + one rag query (kernel + compiler process, snapshot)", value: snap.afterRag.total, unit: "MB", peer: "ipykernel after `1+1`", peerValue: ipyRss, ratio: snap.afterRag.total / ipyRss, note: note(snap) },
    { name: "RSS after one TypeScript cell + rag index + one rag query (kernel, compiler on a worker thread)", value: worker.afterRag.total, unit: "MB", peer: "ipykernel after `1+1`", peerValue: ipyRss, ratio: worker.afterRag.total / ipyRss, note: note(worker) },
    { name: "PSS of the kernel and its children after TypeScript + RAG, compiler snapshot vs worker thread", value: snap.afterRag.pss, unit: "MB", peer: "worker thread", peerValue: worker.afterRag.pss, ratio: snap.afterRag.pss / worker.afterRag.pss, note: "PSS counts pages shared by the kernel and the compiler process (node's code) once" },
    { name: "kernel process RSS alone after TypeScript + RAG (snapshot)", value: snap.afterRag.kernel, unit: "MB", peer: "ipykernel after `1+1`", peerValue: ipyRss, ratio: snap.afterRag.kernel / ipyRss },
  ];
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-kernel-bench-"));
  try {
    const entry = join(ROOT, "dist", "bin", "openclaw-kernel.js");
    if (!existsSync(entry)) throw new Error("build first: npm run build");
    // A magic that succeeds on a fresh kernel (a cell that fails counts as lost): `gateway status`
    // with no gateway fails its cell, as documented, so it cannot be this row's cell.
    const magic = "%openclaw exec list";
    const ours: Peer = { name: "openclaw-kernel", argv: (f) => [process.execPath, entry, "kernel", "--connection-file", f], code: magic, output: "display_data" };
    const oursTs: Peer = { ...ours, name: "openclaw-kernel (TypeScript 1+1)", code: "1+1", output: "execute_result" };
    const ipykernel: Peer = { name: "ipykernel", argv: (f) => ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", f], code: "1+1", output: "execute_result" };
    const tslab: Peer = { name: "tslab", argv: (f) => [process.execPath, join(ROOT, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", f], code: "1+1", output: "stream" };
    if (process.env.KERNEL_BENCH_ONLY === "lines") return await printedLines(oursTs, ipykernel, dir);
    if (process.env.KERNEL_BENCH_ONLY === "memory") return await memory(oursTs, ipykernel, dir);
    if (process.env.KERNEL_BENCH_ONLY === "start") {
      // Start -> first kernel_info_reply, interleaved: ours, another build (KERNEL_BENCH_BASE), ipykernel.
      const base = process.env.KERNEL_BENCH_BASE;
      const baseBuild: Peer | undefined = base ? { ...ours, name: "base build", argv: (f) => [process.execPath, base, "kernel", "--connection-file", f] } : undefined;
      const once = async (p: Peer) => {
        const k = await start(p, dir);
        await stop(k.proc, k.client);
        return k.ms;
      };
      const a: number[] = [];
      const b: number[] = [];
      const c: number[] = [];
      for (let i = 0; i < Math.max(STARTS, 9); i++) {
        a.push(await once(ours));
        if (baseBuild) b.push(await once(baseBuild));
        c.push(await once(ipykernel));
      }
      const md = (xs: number[]) => quantile(xs, 0.5);
      const mmm = (xs: number[]) => `${Math.min(...xs).toFixed(0)}/${md(xs).toFixed(0)}/${Math.max(...xs).toFixed(0)} ms`;
      const rows: BenchRow[] = [{ name: "start -> first kernel_info_reply (median)", value: md(a), unit: "ms", peer: "ipykernel", peerValue: md(c), ratio: md(a) / md(c), target: "<= ipykernel median", pass: md(a) <= md(c), note: `min/median/max ${mmm(a)} vs ${mmm(c)}; ${a.length} interleaved starts` }];
      if (b.length) rows.push({ name: "start -> first kernel_info_reply (median), this build", value: md(a), unit: "ms", peer: `base build (${base})`, peerValue: md(b), ratio: md(a) / md(b), target: "no slower", pass: md(a) <= md(b) * 1.05, note: `min/median/max ${mmm(a)} vs ${mmm(b)}` });
      return rows;
    }
    if (process.env.KERNEL_BENCH_ONLY === "first") return await firstRows(oursTs, ipykernel, tslab, dir);
    const lines = await printedLines(oursTs, ipykernel, dir);
    const o = await measure(ours, dir);
    const ots = await measure({ ...oursTs }, dir).catch(() => undefined);
    const ipy = await measure(ipykernel, dir);
    const tsl = await measure(tslab, dir).catch((e) => {
      process.stderr.write(`tslab: ${(e as Error).message}\n`);
      return undefined;
    });
    // Start to the first TypeScript result (interleaved with ipykernel and tslab), with the compiler snapshot and without.
    const rows: BenchRow[] = [
      ...(await firstRows(oursTs, ipykernel, tslab, dir)),
      { name: "start -> first kernel_info_reply (median)", value: o.startMedian, unit: "ms", peer: "ipykernel", peerValue: ipy.startMedian, ratio: o.startMedian / ipy.startMedian, target: "<= ipykernel median", pass: o.startMedian <= ipy.startMedian, note: `${STARTS} starts each` },
      { name: `round-trip p50 \`${magic}\` vs \`1+1\``, value: o.p50, unit: "ms", peer: "ipykernel", peerValue: ipy.p50, ratio: o.p50 / ipy.p50, target: "<= ipykernel p50, nothing lost", pass: o.p50 <= ipy.p50 && o.lost === 0, note: `${CELLS} cells, lost ${o.lost} (ipykernel lost ${ipy.lost})` },
      { name: `round-trip p99 \`${magic}\` vs \`1+1\``, value: o.p99, unit: "ms", peer: "ipykernel", peerValue: ipy.p99, ratio: o.p99 / ipy.p99 },
    ];
    rows.push(...lines);
    rows.push(...(await memory(oursTs, ipykernel, dir).catch((e) => [{ name: "kernel RSS after TypeScript + RAG", value: Number.NaN, unit: "MB", note: `failed: ${(e as Error).message}` }])));
    if (ots) rows.push({ name: "round-trip p50 TypeScript `1+1`", value: ots.p50, unit: "ms", peer: "ipykernel", peerValue: ipy.p50, ratio: ots.p50 / ipy.p50, note: `p99 ${ots.p99.toFixed(2)} ms vs ${ipy.p99.toFixed(2)} ms; lost ${ots.lost}` });
    if (tsl) {
      rows.push(
        { name: "start -> first kernel_info_reply (median)", value: o.startMedian, unit: "ms", peer: "tslab", peerValue: tsl.startMedian, ratio: o.startMedian / tsl.startMedian },
        { name: `round-trip p50 \`${magic}\` vs \`1+1\``, value: o.p50, unit: "ms", peer: "tslab", peerValue: tsl.p50, ratio: o.p50 / tsl.p50, note: `tslab lost ${tsl.lost} of ${CELLS}; p99 ${tsl.p99.toFixed(2)} ms` },
      );
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
