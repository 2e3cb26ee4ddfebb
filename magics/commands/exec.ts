import { execKill, execList, execLog } from "../../runtime/operations/table.js";
import { bind } from "../bind.js";
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
  bind({
    op: execList,
    path: ["exec", "list"],
    summary: "background exec sessions of this kernel/process, newest first: running, and finished ones until cleanupMs collects them",
    flags: [{ name: "limit", type: "number", placeholder: "N", help: "how many sessions at most, newest first (1-1000)", default: 50 }],
    examples: ["exec list", "exec list --limit 5"],
    render({ sessions, more }) {
      const text = sessions.length
        ? padTable([["ID", "STATUS", "PID", "EXIT", "DURATION", "OWNER", "ARGV"], ...sessions.map((s) => [s.id, s.status, String(s.pid ?? "-"), s.exitCode === null ? (s.signal ?? "-") : String(s.exitCode), `${Math.round(s.durationMs)} ms`, (s.owner ?? "-") + (s.foreign ? " (other process)" : ""), JSON.stringify(s.argv)])])
        : "no background sessions (runs that outlive tools.exec.backgroundMs appear here)";
      const moreText = more ? `\n(older sessions not shown: raise --limit)` : "";
      const html = box("oc-exec-list", `exec sessions: ${sessions.length}`, sessions.length ? table(["id", "status", "pid", "exit", "duration", "owner", "argv"], sessions.map((s) => [code(s.id), badge(s.status), esc(s.pid ?? "-"), esc(s.exitCode ?? s.signal ?? "-"), esc(`${Math.round(s.durationMs)} ms`), esc((s.owner ?? "-") + (s.foreign ? " (other process)" : "")), s.argv.map(code).join(" ")])) : muted("no background sessions"));
      return { text: text + moreText, html: html + (more ? muted("older sessions not shown: raise --limit") : "") };
    },
  }),
  bind({
    op: execLog,
    path: ["exec", "log"],
    positionals: [{ name: "id", help: "session id from `exec list`", required: true }],
    params: (args) => ({ id: args.positionals.id }),
    render: (r) => ({ text: resultText(r), html: resultHtml("oc-exec-log", `exec ${r.id}`, r) }),
  }),
  bind({
    op: execKill,
    path: ["exec", "kill"],
    summary: "kill a session's whole process group (SIGTERM, then SIGKILL) and wait for it",
    positionals: [{ name: "id", help: "session id from `exec list`", required: true }],
    params: (args) => ({ id: args.positionals.id }),
    render: (r) => ({ text: `killed ${r.id}\n${resultText(r)}`, html: resultHtml("oc-exec-kill", `killed ${r.id}`, r) }),
  }),
];
