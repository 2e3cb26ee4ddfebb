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
      const log = await (await ctx.runtime()).audit();
      const records = await log.tail(n);
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
    path: ["audit", "head"],
    summary: "the chain's current head (seq and keyed hash): an anchor to keep elsewhere for `audit verify --anchor`",
    examples: ["audit head", "audit head --json"],
    async run(_args, ctx) {
      const log = await (await ctx.runtime()).audit();
      const h = await log.head();
      const anchor = `${h.hash}:${h.seq}`;
      const data = { path: log.path, seq: h.seq, hash: h.hash, anchor };
      const text = h.seq ? `${anchor}\nrecord ${h.seq} of ${log.path}; keep this line somewhere the log's owner cannot rewrite, and later run: audit verify --anchor ${anchor}` : `no audit records yet (${log.path})`;
      const html = box("oc-audit-head", "audit head", h.seq ? `<div>${code(anchor)}</div><div>${muted(`record ${h.seq}; keep it elsewhere, then check with audit verify --anchor`)}</div>` : muted(`no audit records yet (${log.path})`));
      return { command: "audit.head", exitCode: EXIT.OK, data, text, html };
    },
  },
  {
    path: ["audit", "verify"],
    summary: "walk the keyed hash chain: exit 1 and the first bad record on any modified, deleted, reordered or inserted record, a missing head or key, or a missing anchor",
    flags: [{ name: "anchor", type: "string", placeholder: "HASH[:SEQ]", help: "also require this record (as `audit head` printed it) to still be in the chain" }],
    examples: ["audit verify", "audit verify --json", "audit verify --anchor 3f2a…:120"],
    async run(args, ctx) {
      const anchor = typeof args.flags.anchor === "string" ? (await import("../../runtime/audit/verify.js")).parseAnchor(args.flags.anchor) : undefined;
      const log = await (await ctx.runtime()).audit();
      const v = await log.verify(anchor ? { anchor } : {});
      const text = `${v.ok ? "ok" : "TAMPERED"}: ${v.path}: ${v.message}`;
      const html = box("oc-audit-verify", "audit verify", `<div>${badge(v.ok ? "ok" : "fail")} ${code(v.path)}</div><div>${esc(v.message)}</div>${v.firstBadSeq !== null ? `<div>first bad record: <b>${esc(v.firstBadSeq)}</b></div>` : ""}`);
      return { command: "audit.verify", exitCode: v.ok ? EXIT.OK : EXIT.FAILED, data: v, text, html };
    },
  },
];
