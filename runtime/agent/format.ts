/**
 * Output formats of an agent turn (`-f`), like jupyter-ai's `%%ai -f`: the model is told
 * the format in its system prompt, and the final answer is shaped for it. `code` yields a
 * cell-ready snippet (the first fenced block, or the whole answer) that is shown as code
 * and never executed; `json` parses the answer (fences tolerated) and says when it is not JSON.
 */
export const FORMATS = ["markdown", "text", "html", "code", "json"] as const;
export type OutputFormat = (typeof FORMATS)[number];

const INSTRUCTIONS: Record<OutputFormat, string> = {
  markdown: "Format the final answer as Markdown.",
  text: "Format the final answer as plain text, without Markdown.",
  html: "Format the final answer as an HTML fragment (no scripts, no external resources).",
  code: "The final answer must be only code, in one fenced code block with its language, ready to paste into a notebook cell; no prose around it.",
  json: "The final answer must be only one valid JSON value, with no prose and no code fence.",
};

/** The system-prompt line for a format. */
export function formatInstruction(f: OutputFormat): string {
  return `Output format: ${INSTRUCTIONS[f]}`;
}

export interface TurnOutput {
  format: OutputFormat;
  /** The answer as the model gave it. */
  text: string;
  /** code: the snippet (never executed) and its language when the fence named one. */
  code?: string;
  language?: string | null;
  /** json: the parsed value, or why it is not JSON. */
  json?: unknown;
  jsonError?: string;
}

const FENCE = /```([\w+#.-]*)[^\n]*\n([\s\S]*?)\n?```/;

export function shapeOutput(format: OutputFormat, final: string): TurnOutput {
  const out: TurnOutput = { format, text: final };
  if (format === "code") {
    const m = FENCE.exec(final);
    out.code = (m ? m[2]! : final).replace(/\s+$/, "");
    out.language = m?.[1] || null;
  } else if (format === "json") {
    const m = FENCE.exec(final);
    const src = (m ? m[2]! : final).trim();
    try {
      out.json = JSON.parse(src);
    } catch (e) {
      out.jsonError = `the answer is not valid JSON: ${(e as Error).message}`;
    }
  }
  return out;
}
