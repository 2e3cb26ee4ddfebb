/**
 * `gateway`: in a notebook, start/stop/status/logs run the gateway inside the kernel
 * process; on the CLI, `gateway` (or `gateway run`) runs it in the foreground until
 * SIGINT/SIGTERM, and `gateway status` probes /health on the configured bind from any
 * process. Only light modules are imported up front: ws and prom-client load with the
 * gateway itself.
 */
import { EXIT, UsageError } from "../../runtime/errors.js";
import { followLines } from "../../runtime/gateway/log.js";
import type { GatewayStatus, StartResult } from "../../runtime/gateway/types.js";
import { gatewayLogs, gatewayStart, gatewayStatus, gatewayStop } from "../../runtime/operations/table.js";
import { bind, runOp } from "../bind.js";
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

const logs = bind({
  op: gatewayLogs,
  path: ["gateway", "logs"],
  summary: "the gateway's JSONL log: the last N lines, or follow new ones",
  flags: [
    { name: "lines", short: "n", type: "number", placeholder: "N", help: "how many of the last lines", default: 50 },
    { name: "follow", short: "f", type: "boolean", help: "keep printing new lines until interrupted" },
  ],
  names: { lines: "-n" },
  params: (args) => ({ lines: args.flags.lines }),
  examples: ["gateway logs -n 20", "gateway logs --follow"],
  render({ path, lines, raw }) {
    const html = box("oc-gateway-logs", `gateway log (${lines.length} lines)`, lines.length ? pre(raw.join("\n"), 480) : muted(`no log yet at ${path}`));
    return { text: raw.length ? raw.join("\n") : `no log yet at ${path}`, html };
  },
});

/** `gateway logs --follow` streams to the front door until interrupted (front-door only). */
async function follow(args: ParsedArgs, ctx: CommandContext): Promise<CommandResult> {
  if (!ctx.signal) throw new UsageError("--follow needs an interruptible front door", { fix: "run it from the CLI (Ctrl-C stops it) or a kernel cell (Stop)" });
  const { path, raw } = await runOp(gatewayLogs, { lines: args.flags.lines }, ctx, logs, { lines: "-n" });
  const write = (l: string) => (ctx.host === "cli" ? process.stdout.write(l + "\n") : ctx.emit?.({ type: "gateway.log", ts: Date.now(), message: l }));
  for (const l of raw) write(l);
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    size = 0;
  }
  await followLines(path, size, write, ctx.signal);
  return { command: "gateway.logs", exitCode: EXIT.OK, data: { path, followed: true }, text: `stopped following ${path}` };
}

const startSpec: CommandSpec = {
  path: ["gateway", "start"],
  summary: "start the loopback gateway (in a notebook: inside the kernel; on the CLI: in the foreground)",
  op: "gateway.start",
  examples: ["gateway start", "gateway start --json"],
  async run(_a, ctx) {
    if (ctx.host === "cli") return runForeground(ctx);
    const r = await runOp(gatewayStart, {}, ctx, startSpec);
    const extra = r.alreadyRunning ? [] : [...(r.portFallback ? [`port: ${r.portFallback.message}`] : []), ...secretsOnce(r)];
    const html = statusHtml(r.alreadyRunning ? "gateway already running" : "gateway started", r, extra.map((l) => `<div>${muted(l.split(": ")[0]!)}: ${code(l.slice(l.indexOf(": ") + 2))}</div>`).join(""));
    return { command: "gateway.start", exitCode: EXIT.OK, data: r, text: statusText(r, extra), html };
  },
};

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
  startSpec,
  bind({
    op: gatewayStop,
    path: ["gateway", "stop"],
    summary: "stop the gateway this notebook started (drains running requests first)",
    render: (d) => (d.stopped ? { text: `gateway on ${d.url} stopped`, html: box("oc-gateway", "gateway stopped", `${badge("ok")} ${code(d.url ?? d.bind)}`) } : { text: `no gateway running on ${d.bind}` }),
  }),
  bind({
    op: gatewayStatus,
    path: ["gateway", "status"],
    description: "Exit 0 when an openclaw-kernel gateway answers, 1 when none does.",
    render(d) {
      if (d.running && d.where === "this process") {
        const extra = d.pairingCode ? [`pairing code for the control UI (one use): ${d.pairingCode}`] : [];
        return { text: statusText(d, extra), html: statusHtml("gateway status", d, extra.map((l) => `<div>${esc(l)}</div>`).join("")) };
      }
      if (d.running) return { text: statusText(d as Partial<GatewayStatus> & { running: boolean }, ["  (running in another process)"]), html: statusHtml("gateway status (another process)", d as Partial<GatewayStatus> & { running: boolean }) };
      if (d.note) return { exitCode: EXIT.FAILED, text: `gateway not running in this process (bind ${d.bind}: ${d.note})` };
      const port = d.bind.slice(d.bind.lastIndexOf(":") + 1);
      const host = d.bind.slice(0, d.bind.lastIndexOf(":"));
      const text = d.probe === "other" ? `port ${port} on ${host} answers, but not as an openclaw-kernel gateway (${d.error})` : `gateway not running (nothing answers on ${d.bind})`;
      return { exitCode: EXIT.FAILED, text, html: statusHtml("gateway status", { running: false, bind: d.bind }, `<div>${muted(text)}</div>`) };
    },
  }),
  { ...logs, run: (args, ctx) => (args.flags.follow ? follow(args, ctx) : logs.run(args, ctx)) },
];
