import type { AuditRecord } from "../../runtime/audit/index.js";
import { EXIT } from "../../runtime/errors.js";
import { auditHead, auditTail, auditVerify } from "../../runtime/operations/table.js";
import { bind } from "../bind.js";
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
  bind({
    op: auditTail,
    path: ["audit", "tail"],
    flags: [{ name: "n", short: "n", type: "number", placeholder: "N", help: "how many records (1-1000)", default: 20 }],
    examples: ["audit tail", "audit tail -n 5 --json"],
    render({ path, records }) {
      const who = (r: AuditRecord) => `${r.actor.host}${r.actor.modelRef ? `/${r.actor.modelRef}` : ""}`;
      const text = records.length
        ? padTable([["SEQ", "TIME", "ACTOR", "ACTION", "DECISION", "WHAT", "OUTCOME"], ...records.map((r) => [String(r.seq), r.ts, who(r), r.action, r.decision, what(r), outcome(r)])])
        : `no audit records yet (${path})`;
      const html = box(
        "oc-audit-tail",
        `audit: last ${records.length}`,
        records.length
          ? table(["seq", "time", "actor", "action", "decision", "what", "outcome", "stdout sha256"], records.map((r) => [esc(r.seq), muted(r.ts), esc(who(r)), code(r.action), badge(r.decision), r.argv?.length ? r.argv.map(code).join(" ") : esc(r.skill ?? ""), esc(outcome(r)), r.stdout ? code(r.stdout.sha256.slice(0, 12)) + muted(` ${r.stdout.bytes} B`) : ""]))
          : muted(`no audit records yet (${path})`),
      );
      return { text, html };
    },
  }),
  bind({
    op: auditHead,
    path: ["audit", "head"],
    examples: ["audit head", "audit head --json"],
    render(h) {
      const text = h.seq ? `${h.anchor}\nrecord ${h.seq} of ${h.path}; keep this line somewhere the log's owner cannot rewrite, and later run: audit verify --anchor ${h.anchor}` : `no audit records yet (${h.path})`;
      const html = box("oc-audit-head", "audit head", h.seq ? `<div>${code(h.anchor)}</div><div>${muted(`record ${h.seq}; keep it elsewhere, then check with audit verify --anchor`)}</div>` : muted(`no audit records yet (${h.path})`));
      return { text, html };
    },
  }),
  bind({
    op: auditVerify,
    path: ["audit", "verify"],
    flags: [{ name: "anchor", type: "string", placeholder: "HASH[:SEQ]", help: "also require this record (as `audit head` printed it) to still be in the chain" }],
    examples: ["audit verify", "audit verify --json", "audit verify --anchor 3f2a…:120"],
    render(v) {
      const text = `${v.ok ? "ok" : "TAMPERED"}: ${v.path}: ${v.message}`;
      const html = box("oc-audit-verify", "audit verify", `<div>${badge(v.ok ? "ok" : "fail")} ${code(v.path)}</div><div>${esc(v.message)}</div>${v.firstBadSeq !== null ? `<div>first bad record: <b>${esc(v.firstBadSeq)}</b></div>` : ""}`);
      return { exitCode: v.ok ? EXIT.OK : EXIT.FAILED, text, html };
    },
  }),
];
