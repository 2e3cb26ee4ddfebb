/**
 * An agent turn as a transcript, rebuilt from its events alone, so the kernel can
 * re-render it live (update_display_data) as events arrive and the final rendering
 * is the same function over the whole list. Self-contained HTML: inline styles, no
 * scripts; everything the model or a tool produced is escaped.
 */
import type { EventOf, ModelResponseEvent, ModelWarningEvent, RuntimeEvent, TurnEndEvent, TurnErrorEvent, TurnStartEvent } from "../../runtime/events.js";
import { visible } from "./sanitize.js";
import { COLORS, badge, box, code, esc, muted, pre } from "./html.js";
import { citationCards, isRagShape } from "./citations.js";
import { type CitationLinker, renderMarkdown } from "./markdown.js";

export interface TranscriptOptions {
  /** Where a citation in the model's text (`onboarding.md:7-22`) links to; none: citations stay text. */
  link?: CitationLinker;
}

/** The events shown inside a step, under the model's text. */
type StepItem = EventOf<"tool.call" | "tool.result" | "policy.denied" | "approval.requested" | "approval.resolved" | "exec.background" | "exec.exit">;

interface StepView {
  step: number;
  text: string;
  response?: ModelResponseEvent;
  items: StepItem[];
}

interface TurnView {
  start?: TurnStartEvent;
  end?: TurnEndEvent;
  steps: StepView[];
  warnings: ModelWarningEvent[];
  notes: EventOf<"turn.note">[];
  errors: TurnErrorEvent[];
}

/** Folds the event list into steps: deltas joined, calls paired with their results. */
export function foldTurn(events: RuntimeEvent[]): TurnView {
  const view: TurnView = { steps: [], warnings: [], notes: [], errors: [] };
  const stepOf = (n: unknown): StepView => {
    const k = typeof n === "number" ? n : view.steps.at(-1)?.step ?? 0;
    let s = view.steps.find((x) => x.step === k);
    if (!s) view.steps.push((s = { step: k, text: "", items: [] }));
    return s;
  };
  for (const e of events) {
    switch (e.type) {
      case "turn.start":
        view.start = e;
        break;
      case "turn.end":
        view.end = e;
        break;
      case "model.request":
        stepOf(e.step);
        break;
      case "model.delta":
        stepOf(e.step).text += e.text;
        break;
      case "model.response": {
        const s = stepOf(e.step);
        s.response = e;
        if (!s.text && e.content) s.text = e.content;
        break;
      }
      case "model.warning":
        view.warnings.push(e);
        break;
      case "turn.note":
        view.notes.push(e);
        break;
      case "turn.error":
        view.errors.push(e);
        break;
      case "tool.call":
      case "tool.result":
      case "policy.denied":
      case "approval.requested":
      case "approval.resolved":
      case "exec.background":
      case "exec.exit":
        stepOf(e.step).items.push(e);
        break;
    }
  }
  return view;
}

/** An estimate from the config's price table: enough digits to show a small step. */
function money(c: { amount: number; currency: string }): string {
  return `${c.amount < 0.01 ? c.amount.toPrecision(3) : c.amount.toFixed(4)} ${c.currency}`;
}

function ms(v: unknown): string {
  return typeof v === "number" ? (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 2 : 0)} ms`) : "";
}

function statusBadge(s: string): string {
  return badge(s === "ok" ? "ok" : s === "running" || s === "max_steps" ? "warn" : s === "denied" ? "denied" : s);
}

function itemHtml(e: StepItem): string {
  const row = (label: string, body: string) => `<div style="margin:2px 0 2px 12px"><span style="display:inline-block;min-width:92px;color:${COLORS.muted}">${esc(label)}</span>${body}</div>`;
  switch (e.type) {
    case "tool.call":
      return row("tool call", `${code(e.name)} ${code(JSON.stringify(e.arguments))}`);
    case "approval.requested":
      return row("approval", `${badge("warn")} asked: ${esc(visible(e.summary))}`);
    case "approval.resolved":
      return row("approval", e.granted ? `${badge("allow")} granted` : `${badge("deny")} denied`);
    case "policy.denied":
      return row("policy", `${badge("denied")} <b style="color:${COLORS.fail}">${esc(e.reason)}</b>${e.rule ? ` ${muted(`rule ${e.rule}`)}` : ""}`);
    case "exec.background":
      return row("background", `${badge("running")} session ${code(e.id)} continues in the background`);
    case "exec.exit":
      return row("exit notice", `session ${code(e.id)} ${e.timedOut ? "timed out" : e.signal ? `killed by ${esc(e.signal)}` : `exited ${esc(e.exitCode)}`} after ${ms(e.durationMs)}${e.tail ? pre(e.tail, 120) : ""}`);
    case "tool.result": {
      const exit = e.exitCode !== null && e.exitCode !== undefined ? ` exit ${esc(e.exitCode)}` : e.signal ? ` ${esc(e.signal)}` : "";
      const argv = e.argv ? ` ${muted("argv")} ${code(JSON.stringify(e.argv))}` : "";
      const out = (e.stdout ? outputHtml(e.stdout, "stdout") : "") + (e.stderr ? outputHtml(e.stderr, "stderr") : "");
      return row("result", `${statusBadge(e.status)}${exit} ${muted(ms(e.durationMs))}${argv}${e.reason && e.status !== "denied" ? ` ${esc(e.reason)}` : ""}${out}`);
    }
    default:
      return "";
  }
}

/** Lines shown of a text output before the rest folds away. */
const SHOWN_LINES = 12;

function size(s: string): string {
  const n = Buffer.byteLength(s);
  return n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`;
}

const details = (summary: string, body: string, open = false) =>
  `<details${open ? " open" : ""} style="margin:2px 0"><summary style="cursor:pointer;color:${COLORS.muted}">${summary}</summary>${body}</details>`;

/**
 * A tool's output: RAG-shaped JSON as the same citation cards as `rag query`; other JSON
 * pretty-printed and folded; text shown up to SHOWN_LINES lines with the rest folded, its
 * size always said; an output the event carries only the tail of says so.
 */
export function outputHtml(s: string, label: "stdout" | "stderr"): string {
  const clipped = s.startsWith("…");
  if (!clipped && label === "stdout" && /^\s*[[{]/.test(s)) {
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      v = undefined;
    }
    if (v !== undefined) {
      if (isRagShape(v)) return `<div class="oc-tool-rag">${muted(`${label}: ${v.results.length} cited passage${v.results.length === 1 ? "" : "s"} (${size(s)})`)}${citationCards(v)}</div>`;
      const what = Array.isArray(v) ? `array of ${v.length}` : v && typeof v === "object" ? `object: ${Object.keys(v).slice(0, 6).map(esc).join(", ")}${Object.keys(v).length > 6 ? ", …" : ""}` : typeof v;
      return `<div class="oc-tool-json">${details(`${label}: JSON ${what} (${size(s)})`, pre(JSON.stringify(v, null, 2), 320))}</div>`;
    }
  }
  const lines = s.replace(/\n$/, "").split("\n");
  const head = clipped ? `${label}: output trimmed, the last ${size(s.slice(1))} shown` : `${label}: ${lines.length} line${lines.length === 1 ? "" : "s"}, ${size(s)}`;
  if (lines.length <= SHOWN_LINES && s.length <= 1200) return `<div class="oc-tool-text">${muted(head)}${pre(s, 160)}</div>`;
  if (clipped) return `<div class="oc-tool-text">${details(`${esc(head)}; open to read it`, pre(s, 320))}</div>`;
  return `<div class="oc-tool-text">${muted(`${head}; the first ${SHOWN_LINES} shown`)}${pre(`${lines.slice(0, SHOWN_LINES).join("\n")}\n…`, 200)}${details(`all ${lines.length} lines`, pre(s, 320))}</div>`;
}

/** The transcript as self-contained HTML (class "oc-agent"); works on a partial event list. */
export function renderTranscript(events: RuntimeEvent[], opts: TranscriptOptions = {}): string {
  const v = foldTurn(events);
  const s: Partial<TurnStartEvent> = v.start ?? {};
  const end = v.end;
  const scripted = s.scripted === true || end?.scripted === true;
  const head =
    `<div style="margin-bottom:6px">${code(String(s.model ?? end?.model ?? "?"))} ` +
    (scripted ? `<span class="oc-scripted" style="display:inline-block;padding:0 6px;border-radius:10px;background:color-mix(in srgb,${COLORS.warn} 18%,transparent);color:${COLORS.warn};border:1px solid ${COLORS.warn};font-size:11px;font-weight:700">SCRIPTED replay, not a live model</span> ` : "") +
    (end?.modelId ? muted(`answered by ${end.modelId}`) : "") +
    (s.thread ? ` ${muted(`thread ${s.thread}`)}` : "") +
    `</div>` +
    (s.prompt ? `<div style="margin-bottom:6px"><b>prompt</b>${pre(String(s.prompt), 120)}</div>` : "");
  const warnings = v.warnings.map((w) => `<div style="color:${COLORS.warn}">warning: ${esc(w.message)}${w.fix ? ` ${muted(`(${w.fix})`)}` : ""}</div>`).join("");
  const notes = v.notes.map((n) => `<div class="oc-note" style="color:${COLORS.muted}">note: ${esc(n.message)}</div>`).join("");
  const steps = v.steps
    .map((st) => {
      const r = st.response;
      const meta = r ? muted(`${ms(r.durationMs)}${r.usage ? `, ${r.usage.promptTokens}+${r.usage.completionTokens} tokens` : ""}${r.cost ? `, ≈ ${money(r.cost)}` : ""}${r.finishReason ? `, ${r.finishReason}` : ""}`) : muted("waiting for the model…");
      // The model's words as Markdown (raw HTML off, only http(s) and citation links).
      const said = st.text ? `<div class="oc-said">${renderMarkdown(st.text, opts.link)}</div>` : "";
      return `<div class="oc-step" style="border-left:3px solid ${COLORS.accent};padding-left:8px;margin:6px 0"><div><b>step ${st.step}</b> model ${meta}</div>${said}${st.items.map(itemHtml).join("")}</div>`;
    })
    .join("");
  const errors = v.errors.map((e) => pre(String(e.message))).join("");
  const foot = end
    ? `<div style="margin-top:6px">${statusBadge(String(end.status))} ${esc(end.steps)} step(s) in ${ms(end.durationMs)} ${muted(`model ${ms(end.modelMs)}, tools ${ms(end.toolMs)}, overhead ${ms(end.overheadMs)}`)}${end.usage ? ` ${muted(`tokens ${end.usage.promptTokens} in, ${end.usage.completionTokens} out`)}` : ""}${end.cost ? ` ${muted(`cost ≈ ${money(end.cost)}`)}` : ""}${end.recording ? ` ${muted(`recorded as ${end.recording}`)}` : ""}</div>`
    : `<div style="margin-top:6px">${badge("running")}</div>`;
  return box("oc-agent", `agent turn${scripted ? " (scripted)" : ""}`, head + warnings + notes + steps + errors + foot);
}

/** The same transcript as plain text (CLI, text/plain). */
export function transcriptText(events: RuntimeEvent[]): string {
  const v = foldTurn(events);
  const s: Partial<TurnStartEvent> = v.start ?? {};
  const lines: string[] = [`agent turn: ${s.model ?? v.end?.model ?? "?"}${s.scripted ? "  [SCRIPTED replay, not a live model]" : ""}`];
  for (const w of v.warnings) lines.push(`warning: ${w.message}`);
  for (const n of v.notes) lines.push(`note: ${n.message}`);
  for (const st of v.steps) {
    const r = st.response;
    lines.push(`step ${st.step}: model${r ? ` ${ms(r.durationMs)}` : ""}${r?.usage ? ` ${r.usage.promptTokens}+${r.usage.completionTokens} tokens` : ""}${r?.cost ? ` ≈ ${money(r.cost)}` : ""}${st.text ? `: ${st.text.trim().slice(0, 500)}` : ""}`);
    for (const e of st.items) {
      if (e.type === "tool.call") lines.push(`  -> ${e.name}(${JSON.stringify(e.arguments)})`);
      else if (e.type === "tool.result") lines.push(`  <- ${e.name}: ${e.status}${e.exitCode !== null && e.exitCode !== undefined ? ` exit ${e.exitCode}` : ""} ${ms(e.durationMs)}${e.stdout ? `\n     ${String(e.stdout).trim().split("\n").slice(0, 5).join("\n     ")}` : ""}`);
      else if (e.type === "policy.denied") lines.push(`  !! denied: ${e.reason}${e.rule ? ` (rule ${e.rule})` : ""}`);
      else if (e.type === "approval.requested") lines.push(`  ?? approval asked: ${visible(e.summary ?? "")}`);
      else if (e.type === "approval.resolved") lines.push(`  ?? approval ${e.granted ? "granted" : "denied"}`);
      else if (e.type === "exec.background") lines.push(`  .. session ${e.id} continues in the background`);
      else if (e.type === "exec.exit") lines.push(`  .. session ${e.id} exited ${e.exitCode ?? e.signal}`);
    }
  }
  for (const e of v.errors) lines.push(`error: ${e.message}`);
  const end = v.end;
  if (end) lines.push(`${end.status}: ${end.steps} step(s) in ${ms(end.durationMs)}${end.usage ? `, tokens ${end.usage.promptTokens} in / ${end.usage.completionTokens} out` : ""}${end.cost ? `, cost ≈ ${money(end.cost)}` : ""}${end.recording ? `; recorded as ${end.recording}` : ""}`);
  return lines.join("\n");
}
