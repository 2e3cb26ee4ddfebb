import { existsSync } from "node:fs";
import { EXIT, UsageError } from "../../runtime/errors.js";
import { workspaceLinker } from "../render/markdown.js";
import { renderTranscript, transcriptText } from "../render/transcript.js";
import type { CommandSpec } from "../types.js";
import { agentRun } from "../../runtime/operations/table.js";
import { bind } from "../bind.js";

export const commands: CommandSpec[] = [
  bind({
    op: agentRun,
    path: ["agent"],
    command: "agent",
    summary: "run one agent turn: the model calls skills as tools, through policy, approvals and audit",
    positionals: [{ name: "prompt", help: "what to ask (a cell magic's body in %%openclaw agent)", variadic: true }],
    bodyPositional: "prompt",
    flags: [
      { name: "model", type: "string", help: "pinned model ref (default agentDefaults.model)", placeholder: "REF" },
      { name: "max-steps", type: "number", help: "model calls at most (default agentDefaults.maxSteps)", placeholder: "N" },
    ],
    examples: ['agent "How do we onboard new hires?" --model scripted/onboarding.json', 'agent "Summarize the onboarding doc" --model openai/gpt-4o-mini', 'agent "demo" --model scripted/escape-attempt.json --json'],
    description: "Without an approver (non-interactive), actions that need approval are denied and audited. A scripted/<file> model replays a JSON script and is labelled as such.",
    params(args) {
      const raw = args.positionals.prompt;
      const prompt = (Array.isArray(raw) ? raw.join(" ") : raw ?? "").trim();
      if (!prompt) throw new UsageError("agent needs a prompt", { fix: 'openclaw-kernel agent "what to do", or put it in the body of a %%openclaw agent cell' });
      const maxSteps = args.flags["max-steps"] as number | undefined;
      if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1 || maxSteps > 100)) throw new UsageError(`--max-steps must be an integer from 1 to 100, got ${maxSteps}`, { fix: "e.g. --max-steps 4" });
      return { prompt, ...(args.flags.model !== undefined ? { model: args.flags.model } : {}), ...(maxSteps !== undefined ? { maxSteps } : {}) };
    },
    async render(result, _args, ctx) {
      const ws = await ctx
        .runtime()
        .then((rt) => rt.config.agentDefaults.workspace)
        .catch(() => undefined);
      const link = ws ? workspaceLinker(ws, ctx.cwd, existsSync) : undefined;
      const finalText = result.final ? `\n\n${result.final}` : "";
      return {
        exitCode: result.status === "ok" ? EXIT.OK : EXIT.FAILED,
        text: transcriptText(result.events) + finalText,
        html: renderTranscript(result.events, { link }),
        markdown: `**agent** \`${result.model}\`${result.scripted ? " (scripted replay)" : ""}: ${result.status}, ${result.steps} step(s)${finalText}`,
      };
    },
  }),
];
