/**
 * `gateway`: in a notebook, start/stop/status/logs run the gateway inside the kernel
 * process; on the CLI, `gateway` (or `gateway run`) runs it in the foreground until
 * SIGINT/SIGTERM, and `gateway status` probes /health on the configured bind from any
 * process. Only light modules are imported up front: ws and prom-client load with the
 * gateway itself.
 */
import { EXIT, OpenClawError, UsageError } from "../../runtime/errors.js";
import { followLines, logPath, tailLines } from "../../runtime/gateway/log.js";
import { probeHealth } from "../../runtime/gateway/probe.js";
import type { GatewayStatus, StartResult } from "../../runtime/gateway/types.js";
import type { Runtime } from "../../runtime/runtime.js";
import { badge, box, code, esc, muted, pre, table } from "../render/html.js";
import type { CommandContext, CommandResult, CommandSpec, ParsedArgs } from "../types.js";
import { statSync } from "node:fs";

const ROWS: Array<[keyof GatewayStatus, string]> = [
  ["url", "url"],
  ["wsUrl", "websocket"],
  ["bind", "bind"],
  ["auth", "auth"],
  ["tokenSource", "token from"],
  ["tokenFile", "token file"],
  ["ui", "control UI"],
  ["deviceAuth", "device pairing"],
  ["uptimeMs", "uptime ms"],
  ["clients", "clients"],
  ["logPath", "log"],
];

function statusText(s: Partial<GatewayStatus> & { running: boolean }, extra: string[] = []): string {
  const head = s.running ? `gateway running at ${s.url}` : `gateway not running (bind ${s.bind})`;
  const lines = [head];
  if (s.running) for (const [k, label] of ROWS) if (s[k] !== null && s[k] !== undefined && k !== "url") lines.push(`  ${label.padEnd(15)} ${String(s[k])}`);
  return [...lines, ...extra].join("\n");
}

function statusHtml(title: string, s: Partial<GatewayStatus> & { running: boolean }, extra = ""): string {
  const rows = ROWS.filter(([k]) => s[k] !== null && s[k] !== undefined).map(([k, label]) => [esc(label), k === "url" ? `<a href="${esc(s.url)}" target="_blank" rel="noopener">${esc(s.url)}</a>` : code(String(s[k]))]);
  return box("oc-gateway", title, `<div>${badge(s.running ? "ok" : "fail")} ${s.running ? "running" : "not running"}</div>${rows.length ? table([], rows) : ""}${extra}`);
}

/**
 * Where the token is, never the token: outputs land in saved notebooks and logs. A generated
 * token stays in its 0600 file; a person reads it in a terminal.
 */
function tokenNotice(r: Pick<StartResult, "tokenGenerated" | "tokenFile">): string | undefined {
  if (!r.tokenGenerated || !r.tokenFile) return undefined;
  return `token: generated and saved (mode 0600) in ${r.tokenFile}; it is never shown in outputs: read it in a terminal with \`cat ${r.tokenFile}\``;
}

/** The one-time lines after start: where the generated token is, and the pairing code. */
function secretsOnce(r: StartResult): string[] {
  const out: string[] = [];
  const t = tokenNotice(r);
  if (t) out.push(t);
  if (r.pairingCode) out.push(`pairing code for the control UI (one use): ${r.pairingCode}`);
  return out;
}

/** The in-process gateway, if this runtime has started one. */
async function inProcess(rt: Runtime): Promise<GatewayStatus | undefined> {
  if (!rt.has("gateway")) return undefined;
  const gw = await rt.gateway();
  return gw.running ? gw.status() : undefined;
}

/** Foreground run (CLI): until SIGINT/SIGTERM, then drain and return 0. */
async function runForeground(ctx: CommandContext): Promise<CommandResult> {
  const rt = await ctx.runtime();
  const gw = await rt.gateway();
  const r = await gw.start({ onPairingCode: (c) => process.stderr.write(`pairing code for the control UI (one use): ${c}\n`) });
  process.stderr.write(`openclaw-kernel gateway ${r.version} listening on ${r.url} (auth ${r.auth}${r.ui ? `, control UI at ${r.url}` : ""})\nlog: ${r.logPath}\n`);
  const t = tokenNotice(r);
  if (t) process.stderr.write(t + "\n");
  process.stderr.write("press Ctrl-C to stop\n");
  const why = await new Promise<string>((resolve) => {
    const onTerm = () => resolve("SIGTERM");
    process.once("SIGTERM", onTerm);
    const done = (s: string) => {
      process.off("SIGTERM", onTerm);
      resolve(s);
    };
    if (ctx.signal?.aborted) return done("SIGINT");
    ctx.signal?.addEventListener("abort", () => done("SIGINT"), { once: true });
    if (!ctx.signal) process.once("SIGINT", () => done("SIGINT"));
  });
  process.stderr.write(`${why}: stopping the gateway…\n`);
  const t0 = performance.now();
  const last = gw.status();
  await gw.stop();
  // Runtime.close() (run by the front door after this) kills exec sessions and flushes the audit log.
  const data = { ...last, running: false, stoppedBy: why, drainMs: Math.round(performance.now() - t0) };
  return { command: "gateway.run", exitCode: EXIT.OK, data, text: `gateway stopped (${why}) after ${data.drainMs} ms drain` };
}

const run = (a: ParsedArgs, ctx: CommandContext) => runForeground(ctx);

export const commands: CommandSpec[] = [
  {
    path: ["gateway"],
    summary: "run the gateway in the foreground until Ctrl-C (SIGINT) or SIGTERM",
    only: "cli",
    examples: ["gateway", "gateway --config ./openclaw.json"],
    run,
  },
  {
    path: ["gateway", "run"],
    summary: "run the gateway in the foreground until Ctrl-C (SIGINT) or SIGTERM",
    only: "cli",
    run,
  },
  {
    path: ["gateway", "start"],
    summary: "start the loopback gateway (in a notebook: inside the kernel; on the CLI: in the foreground)",
    examples: ["gateway start", "gateway start --json"],
    async run(_a, ctx) {
      if (ctx.host === "cli") return runForeground(ctx);
      const rt = await ctx.runtime();
      const gw = await rt.gateway();
      const first = !gw.running;
      const r = await gw.start({ onPairingCode: (c) => ctx.emit?.({ type: "gateway.pairing", ts: Date.now(), message: `pairing code for the control UI (one use): ${c}` }) });
      const extra = first ? secretsOnce(r) : [];
      const data = { ...r, alreadyRunning: !first };
      const html = statusHtml(first ? "gateway started" : "gateway already running", r, extra.map((l) => `<div>${muted(l.split(": ")[0]!)}: ${code(l.slice(l.indexOf(": ") + 2))}</div>`).join(""));
      return { command: "gateway.start", exitCode: EXIT.OK, data, text: statusText(r, extra), html };
    },
  },
  {
    path: ["gateway", "stop"],
    summary: "stop the gateway this notebook started (drains running requests first)",
    async run(_a, ctx) {
      const rt = await ctx.runtime();
      const s = await inProcess(rt);
      if (s) {
        await (await rt.gateway()).stop();
        return { command: "gateway.stop", exitCode: EXIT.OK, data: { stopped: true, bind: s.bind, port: s.port }, text: `gateway on ${s.url} stopped`, html: box("oc-gateway", "gateway stopped", `${badge("ok")} ${code(s.url ?? s.bind)}`) };
      }
      const g = rt.config.gateway;
      const probe = await probeHealth(g.host, g.port, { tls: g.auth.mode === "mtls" });
      if (probe.state === "ours") {
        throw new OpenClawError(`the gateway on ${g.bind} runs in another process; this one cannot stop it`, { code: "not_ours", fix: "press Ctrl-C in its terminal, or send it SIGTERM (`ss -ltnp` shows its pid)" });
      }
      return { command: "gateway.stop", exitCode: EXIT.OK, data: { stopped: false, bind: g.bind, port: g.port }, text: `no gateway running on ${g.bind}` };
    },
  },
  {
    path: ["gateway", "status"],
    summary: "is the gateway up? (this process's, or whatever answers /health on the configured bind)",
    description: "Exit 0 when an openclaw-kernel gateway answers, 1 when none does.",
    async run(_a, ctx) {
      const rt = await ctx.runtime();
      const s = await inProcess(rt);
      if (s) {
        const gw = await rt.gateway();
        const pairing = gw.currentPairingCode();
        const extra = pairing ? [`pairing code for the control UI (one use): ${pairing}`] : [];
        return { command: "gateway.status", exitCode: EXIT.OK, data: { ...s, where: "this process", ...(pairing ? { pairingCode: pairing } : {}) }, text: statusText(s, extra), html: statusHtml("gateway status", s, extra.map((l) => `<div>${esc(l)}</div>`).join("")) };
      }
      const g = rt.config.gateway;
      const tls = g.auth.mode === "mtls";
      if (g.port === 0) {
        const data = { running: false, bind: g.bind, where: null, note: "port 0 picks a free port at start: only the process that started it knows the port" };
        return { command: "gateway.status", exitCode: EXIT.FAILED, data, text: `gateway not running in this process (bind ${g.bind}: ${data.note})` };
      }
      const probe = await probeHealth(g.host, g.port, { tls });
      if (probe.state === "ours") {
        const data = { running: true, where: "another process", bind: g.bind, host: g.host, port: g.port, url: probe.url.replace(/health$/, ""), auth: g.auth.mode, version: probe.health!.version, uptimeMs: probe.health!.uptimeMs, logPath: logPath(rt.config.stateDir) };
        return { command: "gateway.status", exitCode: EXIT.OK, data, text: statusText(data as Partial<GatewayStatus> & { running: boolean }, ["  (running in another process)"]), html: statusHtml("gateway status (another process)", data as Partial<GatewayStatus> & { running: boolean }) };
      }
      const data = { running: false, where: null, bind: g.bind, probe: probe.state, error: probe.error ?? null };
      const text = probe.state === "other" ? `port ${g.port} on ${g.host} answers, but not as an openclaw-kernel gateway (${probe.error})` : `gateway not running (nothing answers on ${g.bind})`;
      return { command: "gateway.status", exitCode: EXIT.FAILED, data, text, html: statusHtml("gateway status", { running: false, bind: g.bind }, `<div>${muted(text)}</div>`) };
    },
  },
  {
    path: ["gateway", "logs"],
    summary: "the gateway's JSONL log: the last N lines, or follow new ones",
    flags: [
      { name: "lines", short: "n", type: "number", placeholder: "N", help: "how many of the last lines", default: 50 },
      { name: "follow", short: "f", type: "boolean", help: "keep printing new lines until interrupted" },
    ],
    examples: ["gateway logs -n 20", "gateway logs --follow"],
    async run(args, ctx) {
      const n = args.flags.lines as number;
      if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new UsageError(`-n takes a whole number from 0 to 100000, got ${n}`);
      const rt = await ctx.runtime();
      const path = logPath(rt.config.stateDir);
      const lines = tailLines(path, n);
      const entries = lines.map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return { raw: l };
        }
      });
      if (args.flags.follow) {
        if (!ctx.signal) throw new UsageError("--follow needs an interruptible front door", { fix: "run it from the CLI (Ctrl-C stops it) or a kernel cell (Stop)" });
        const write = (l: string) => (ctx.host === "cli" ? process.stdout.write(l + "\n") : ctx.emit?.({ type: "gateway.log", ts: Date.now(), message: l }));
        for (const l of lines) write(l);
        let size = 0;
        try {
          size = statSync(path).size;
        } catch {
          size = 0;
        }
        await followLines(path, size, write, ctx.signal);
        return { command: "gateway.logs", exitCode: EXIT.OK, data: { path, followed: true }, text: "" };
      }
      const html = box("oc-gateway-logs", `gateway log (${entries.length} lines)`, entries.length ? pre(lines.join("\n"), 480) : muted(`no log yet at ${path}`));
      return { command: "gateway.logs", exitCode: EXIT.OK, data: { path, lines: entries }, text: lines.length ? lines.join("\n") : `no log yet at ${path}`, html };
    },
  },
];
