import { EXIT } from "../../runtime/errors.js";
import type { ExecResult } from "../../runtime/exec/index.js";
import { badge, box, code, esc, muted, pre, table } from "../render/html.js";
import { padTable } from "../render/text.js";
import type { CommandSpec } from "../types.js";

function resultText(r: ExecResult): string {
  const head = `${r.id} ${r.status}${r.exitCode !== null ? ` exit ${r.exitCode}` : ""}${r.signal ? ` signal ${r.signal}` : ""}${r.timedOut ? " (timed out)" : ""} ${r.durationMs} ms  ${JSON.stringify(r.argv)}`;
  return [head, r.stdout && `--- stdout${r.truncated ? " (tail)" : ""}\n${r.stdout.replace(/\n$/, "")}`, r.stderr && `--- stderr\n${r.stderr.replace(/\n$/, "")}`, r.logDir ? `logs: ${r.logDir}` : ""].filter(Boolean).join("\n");
}

function resultHtml(cls: string, title: string, r: ExecResult): string {
  return box(
    cls,
    title,
    `<div>${badge(r.status)} ${r.argv.map(code).join(" ")} ${muted(`pid ${r.pid ?? "-"}, ${r.durationMs} ms${r.exitCode !== null ? `, exit ${r.exitCode}` : ""}${r.signal ? `, ${r.signal}` : ""}`)}</div>` +
      (r.stdout ? pre(r.stdout) : "") +
      (r.stderr ? `<div>${muted("stderr")}</div>${pre(r.stderr, 160)}` : "") +
      (r.logDir ? `<div>${muted(`logs: ${r.logDir}`)}</div>` : ""),
  );
}

export const commands: CommandSpec[] = [
  {
    path: ["exec", "list"],
    summary: "background exec sessions of this kernel/process: running, and finished ones until cleanupMs collects them",
    async run(args, ctx) {
      const sessions = await (await ctx.runtime()).door().execList();
      const data = { sessions, count: sessions.length };
      const text = sessions.length
        ? padTable([["ID", "STATUS", "PID", "EXIT", "DURATION", "OWNER", "ARGV"], ...sessions.map((s) => [s.id, s.status, String(s.pid ?? "-"), s.exitCode === null ? (s.signal ?? "-") : String(s.exitCode), `${Math.round(s.durationMs)} ms`, (s.owner ?? "-") + (s.foreign ? " (other process)" : ""), JSON.stringify(s.argv)])])
        : "no background sessions (runs that outlive tools.exec.backgroundMs appear here)";
      const html = box("oc-exec-list", `exec sessions: ${sessions.length}`, sessions.length ? table(["id", "status", "pid", "exit", "duration", "owner", "argv"], sessions.map((s) => [code(s.id), badge(s.status), esc(s.pid ?? "-"), esc(s.exitCode ?? s.signal ?? "-"), esc(`${Math.round(s.durationMs)} ms`), esc((s.owner ?? "-") + (s.foreign ? " (other process)" : "")), s.argv.map(code).join(" ")])) : muted("no background sessions"));
      return { command: "exec.list", exitCode: EXIT.OK, data, text, html };
    },
  },
  {
    path: ["exec", "log"],
    summary: "a session's status and output (the tail kept in memory; the whole log is in its log folder)",
    positionals: [{ name: "id", help: "session id from `exec list`", required: true }],
    async run(args, ctx) {
      const r = await (await ctx.runtime()).door().execLog(args.positionals.id as string);
      return { command: "exec.log", exitCode: EXIT.OK, data: r, text: resultText(r), html: resultHtml("oc-exec-log", `exec ${r.id}`, r) };
    },
  },
  {
    path: ["exec", "kill"],
    summary: "kill a session's whole process group (SIGTERM, then SIGKILL) and wait for it",
    positionals: [{ name: "id", help: "session id from `exec list`", required: true }],
    async run(args, ctx) {
      const id = args.positionals.id as string;
      // Audited by the governor with this front door's actor (as every other front door's kill).
      const r = await (await ctx.runtime()).door().execKill(id);
      return { command: "exec.kill", exitCode: EXIT.OK, data: r, text: `killed ${id}\n${resultText(r)}`, html: resultHtml("oc-exec-kill", `killed ${id}`, r) };
    },
  },
];
