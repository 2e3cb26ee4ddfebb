import type { AuditRecord } from "../../runtime/audit/index.js";
import { EXIT, UsageError } from "../../runtime/errors.js";
import { badge, box, code, esc, muted, table } from "../render/html.js";
import { padTable } from "../render/text.js";
import type { CommandSpec } from "../types.js";

function what(r: AuditRecord): string {
  return r.argv?.length ? JSON.stringify(r.argv) : (r.skill ?? "");
}

function outcome(r: AuditRecord): string {
  if (r.decision !== "allow") return `${r.rule ?? ""}${r.reason ? `: ${r.reason}` : ""}`;
  if (r.exitCode !== undefined || r.signal) return `exit ${r.exitCode ?? "-"}${r.signal ? ` ${r.signal}` : ""}${r.timedOut ? " timeout" : ""}${r.durationMs !== undefined ? ` ${Math.round(r.durationMs)} ms` : ""}`;
  return r.rule ?? "";
}

export const commands: CommandSpec[] = [
  {
    path: ["audit", "tail"],
    summary: "the last audit records: who, what, decision and rule, exit code, output hashes",
    flags: [{ name: "n", short: "n", type: "number", placeholder: "N", help: "how many records", default: 20 }],
    examples: ["audit tail", "audit tail -n 5 --json"],
    async run(args, ctx) {
      const n = args.flags.n as number;
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`-n takes a positive whole number, got ${n}`);
      const rt = await ctx.runtime();
      const log = { path: rt.config.audit.path };
      const records = await rt.door().auditTail(n);
      const data = { path: log.path, count: records.length, records };
      const who = (r: AuditRecord) => `${r.actor.host}${r.actor.modelRef ? `/${r.actor.modelRef}` : ""}`;
      const text = records.length
        ? padTable([["SEQ", "TIME", "ACTOR", "ACTION", "DECISION", "WHAT", "OUTCOME"], ...records.map((r) => [String(r.seq), r.ts, who(r), r.action, r.decision, what(r), outcome(r)])])
        : `no audit records yet (${log.path})`;
      const html = box(
        "oc-audit-tail",
        `audit: last ${records.length}`,
        records.length
          ? table(["seq", "time", "actor", "action", "decision", "what", "outcome", "stdout sha256"], records.map((r) => [esc(r.seq), muted(r.ts), esc(who(r)), code(r.action), badge(r.decision), r.argv?.length ? r.argv.map(code).join(" ") : esc(r.skill ?? ""), esc(outcome(r)), r.stdout ? code(r.stdout.sha256.slice(0, 12)) + muted(` ${r.stdout.bytes} B`) : ""]))
          : muted(`no audit records yet (${log.path})`),
      );
      return { command: "audit.tail", exitCode: EXIT.OK, data, text, html };
    },
  },
  {
    path: ["audit", "verify"],
    summary: "walk the hash chain: exit 1 and the first bad record on any modified, deleted, reordered or inserted record",
    examples: ["audit verify", "audit verify --json"],
    async run(args, ctx) {
      const v = await (await ctx.runtime()).door().auditVerify();
      const text = `${v.ok ? "ok" : "TAMPERED"}: ${v.path}: ${v.message}`;
      const html = box("oc-audit-verify", "audit verify", `<div>${badge(v.ok ? "ok" : "fail")} ${code(v.path)}</div><div>${esc(v.message)}</div>${v.firstBadSeq !== null ? `<div>first bad record: <b>${esc(v.firstBadSeq)}</b></div>` : ""}`);
      return { command: "audit.verify", exitCode: v.ok ? EXIT.OK : EXIT.FAILED, data: v, text, html };
    },
  },
];
