// Commands of "rag": index the workspace, query it with citations, status, pull a model.
import { UsageError } from "../../runtime/errors.js";
import type { RuntimeEvent } from "../../runtime/events.js";
import type { RagStatus } from "../../runtime/rag/index.js";
import type { IndexReport } from "../../runtime/rag/types.js";
import { ragIndex, ragPull, ragQuery, ragStatus } from "../../runtime/operations/table.js";
import { bind } from "../bind.js";
import { citationsHtml, citationsMarkdown, citationsText } from "../render/citations.js";
import { badge, box, code, COLORS, esc, muted, table } from "../render/html.js";
import type { CommandContext, CommandSpec } from "../types.js";

/**
 * Forwards the runtime's rag events to the front door while the command runs: the CLI's
 * printer (a line per ~5%), the kernel's live progress display (every update: the display
 * throttles itself).
 */
async function forwardProgress<T>(ctx: CommandContext, fn: () => Promise<T>): Promise<T> {
  const rt = await ctx.runtime();
  let lastEmbed = 0;
  const off =
    ctx.host === "kernel" && ctx.emit
      ? rt.on((e: RuntimeEvent) => {
          if (e.type === "rag.warning" || e.type === "rag.progress") ctx.emit!(e);
        })
      : ctx.host === "cli" && ctx.emit
      ? rt.on((e: RuntimeEvent) => {
          if (e.type === "rag.warning") ctx.emit!(e);
          if (e.type !== "rag.progress" || e.phase !== "embed") return;
          // a line per ~5% on long runs is enough for a terminal
          const total = Number(e.total) || 1;
          if (Number(e.done) === total || Number(e.done) - lastEmbed >= Math.max(32, total / 20)) {
            lastEmbed = Number(e.done);
            ctx.emit!(e);
          }
        })
      : () => false;
  try {
    return await fn();
  } finally {
    off();
  }
}

function indexText(r: IndexReport): string {
  const lines = [
    `indexed ${r.files} files (${r.chunks} chunks) from ${r.workspace}`,
    `embedded ${r.embeddedChunks} chunks from ${r.embeddedFiles.length} changed files; ${r.unchangedFiles} unchanged; ${r.removedFiles.length} removed`,
    ...(r.dense && r.dense.ready < r.dense.total ? [`dense vectors: ${r.dense.ready} of ${r.dense.total} (${r.dense.filling ? "filling in the background" : "run `rag index` to embed the rest"}); hybrid queries rank by BM25 until then`] : []),
    `embedder ${r.embedder} (${r.dims} dims), ${r.search} search, ${r.tookMs} ms${r.embeddedChunks ? `, ${r.chunksPerSec} chunks/s` : ""}`,
    `index: ${r.indexDir}`,
  ];
  if (r.rebuilt) lines.unshift(`warning: ${r.rebuilt}`);
  if (r.skipped.length) lines.push(`skipped ${r.skipped.length}: ${r.skipped.slice(0, 8).map((s) => `${s.source} (${s.reason})`).join(", ")}${r.skipped.length > 8 ? ", …" : ""}`);
  return lines.join("\n");
}

function statusText(s: RagStatus): string {
  if (!s.exists) return `no index yet for ${s.workspace}\nrun \`rag index\` (embedder ${s.configuredEmbedder})`;
  const lines = [
    `${s.fresh && !s.problem ? "fresh" : "stale"}: ${s.files} files, ${s.chunks} chunks (${s.dense.ready === s.dense.total ? "all" : `${s.dense.ready}`} with vectors), ${s.search} search, embedder ${s.embedder}, updated ${s.updatedAt}`,
    `workspace ${s.workspace}`,
    `index ${s.indexDir}`,
  ];
  if (s.problem) lines.push(`problem: ${s.problem}`);
  for (const [k, v] of [["changed", s.changedFiles], ["new", s.newFiles], ["removed", s.removedFiles]] as const) if (v.length) lines.push(`${k}: ${v.join(", ")}`);
  return lines.join("\n");
}

export const commands: CommandSpec[] = [
  bind({
    op: ragIndex,
    path: ["rag", "index"],
    summary: "index the workspace's documents for local retrieval (incremental; --full rebuilds)",
    flags: [
      { name: "full", type: "boolean", help: "re-embed every file (needed after changing rag.embedding)" },
      { name: "lexical-only", type: "boolean", help: "save the lexical index and return; vectors are filled by a later rag index (hybrid queries rank by BM25 meanwhile)" },
    ],
    examples: ["rag index", "rag index --lexical-only", "rag index --full --json"],
    around: forwardProgress,
    render(r) {
      const html = box(
        "oc-rag-index",
        `rag index: ${r.files} files, ${r.chunks} chunks`,
        (r.rebuilt ? `<div style="color:${COLORS.warn}">${esc(r.rebuilt)}</div>` : "") +
          table(
            ["embedded", "unchanged", "removed", "skipped", "embedder", "search", "time"],
            [[`${r.embeddedChunks} chunks / ${r.embeddedFiles.length} files`, String(r.unchangedFiles), String(r.removedFiles.length), String(r.skipped.length), code(r.embedder), esc(r.search), `${r.tookMs} ms`]],
          ) +
          (r.skipped.length ? `<details><summary>${esc(`${r.skipped.length} skipped`)}</summary><ul>${r.skipped.map((s) => `<li>${code(s.source)} ${muted(s.reason)}</li>`).join("")}</ul></details>` : "") +
          `<div>${muted(r.indexDir)}</div>`,
      );
      return { text: indexText(r), html };
    },
  }),
  bind({
    op: ragQuery,
    path: ["rag", "query"],
    summary: "retrieve cited passages for a question: JSON {query, results[{text, score, source, lines}], summary}",
    positionals: [{ name: "query", help: "the question, in quotes", required: true, variadic: true }],
    flags: [
      { name: "topk", type: "number", short: "k", placeholder: "N", help: "how many passages (1-100; default rag.topk)" },
      { name: "mode", type: "string", choices: ["hybrid", "dense", "lexical"], help: "ranking: hybrid (default: dense + BM25 fused), dense or lexical" },
    ],
    examples: ['rag query "How do we onboard new hires for product training?"', 'rag query "rollback" --mode lexical --topk 3 --json'],
    params(args) {
      const q = args.positionals.query;
      const query = Array.isArray(q) ? q.join(" ") : (q ?? "");
      const topk = args.flags.topk === undefined ? undefined : Number(args.flags.topk);
      if (topk !== undefined && (!Number.isInteger(topk) || topk < 1 || topk > 100)) throw new UsageError(`--topk must be an integer from 1 to 100 (got ${args.flags.topk})`);
      return { query, ...(topk !== undefined ? { topk } : {}), ...(args.flags.mode !== undefined ? { mode: args.flags.mode } : {}) };
    },
    around: forwardProgress,
    // (a terminal's --json prints the data alone: no cards to build)
    render: (r, args, ctx) => (ctx.host === "cli" && args.json ? {} : { text: citationsText(r), html: citationsHtml(r), markdown: citationsMarkdown(r) }),
  }),
  bind({
    op: ragStatus,
    path: ["rag", "status"],
    render(s) {
      const state = !s.exists ? "warn" : s.problem || !s.fresh ? "warn" : "ok";
      const html = box(
        "oc-rag-status",
        "rag status",
        `<div>${badge(state)} ${esc(statusText(s).split("\n")[0])}</div><div>${muted(`workspace ${s.workspace}`)}</div><div>${muted(`index ${s.indexDir}`)}</div>` +
          (s.problem ? `<div style="color:${COLORS.warn}">${esc(s.problem)}</div>` : ""),
      );
      return { text: statusText(s), html };
    },
  }),
  bind({
    op: ragPull,
    path: ["rag", "pull"],
    summary: "download an ONNX sentence model for rag.embedding (the only command that downloads)",
    positionals: [{ name: "model", help: "model id, e.g. Xenova/all-MiniLM-L6-v2", required: true }],
    examples: ["rag pull Xenova/all-MiniLM-L6-v2"],
    description: "Fetches config.json, tokenizer files and onnx/model.onnx into rag.embedding.modelDir (default <stateDir>/models). Agent turns and queries never download.",
    params: (args) => ({ model: String(args.positionals.model ?? "") }),
    render(r, args) {
      const model = String(args.positionals.model ?? "");
      const text = r.alreadyPresent ? `${model} is already in ${r.dir}` : `pulled ${model} into ${r.dir}: ${r.files.map((f) => `${f.file} (${f.bytes} bytes)`).join(", ")}`;
      return { text, html: box("oc-rag-pull", "rag pull", `<div>${badge("ok")} ${esc(text)}</div>`) };
    },
  }),
];
