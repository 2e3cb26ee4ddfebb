import { EXIT, UsageError } from "../../runtime/errors.js";
import { renderTranscript, transcriptText } from "../render/transcript.js";
import type { CommandSpec } from "../types.js";

export const commands: CommandSpec[] = [
  {
    path: ["agent"],
    summary: "run one agent turn: the model calls skills as tools, through policy, approvals and audit",
    positionals: [{ name: "prompt", help: "what to ask (a cell magic's body in %%openclaw agent)", variadic: true }],
    bodyPositional: "prompt",
    flags: [
      { name: "model", type: "string", help: "pinned model ref (default agentDefaults.model)", placeholder: "REF" },
      { name: "max-steps", type: "number", help: "model calls at most (default agentDefaults.maxSteps)", placeholder: "N" },
    ],
    examples: ['agent "How do we onboard new hires?" --model scripted/onboarding.json', 'agent "Summarize the onboarding doc" --model openai/gpt-4o-mini', 'agent "demo" --model scripted/escape-attempt.json --json'],
    description: "Without an approver (non-interactive), actions that need approval are denied and audited. A scripted/<file> model replays a JSON script and is labelled as such.",
    async run(args, ctx) {
      const raw = args.positionals.prompt;
      const prompt = (Array.isArray(raw) ? raw.join(" ") : raw ?? "").trim();
      if (!prompt) throw new UsageError("agent needs a prompt", { fix: 'openclaw-kernel agent "what to do", or put it in the body of a %%openclaw agent cell' });
      const maxSteps = args.flags["max-steps"] as number | undefined;
      if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1 || maxSteps > 100)) throw new UsageError(`--max-steps must be an integer from 1 to 100, got ${maxSteps}`, { fix: "e.g. --max-steps 4" });
      const rt = await ctx.runtime();
      const agent = await rt.agent();
      const result = await agent.run({ prompt, model: args.flags.model as string | undefined, maxSteps, signal: ctx.signal, approver: ctx.approver, onEvent: ctx.emit });
      const finalText = result.final ? `\n\n${result.final}` : "";
      return {
        command: "agent",
        exitCode: result.status === "ok" ? EXIT.OK : EXIT.FAILED,
        data: result,
        text: transcriptText(result.events) + finalText,
        html: renderTranscript(result.events),
        markdown: `**agent** \`${result.model}\`${result.scripted ? " (scripted replay)" : ""}: ${result.status}, ${result.steps} step(s)${finalText}`,
      };
    },
  },
];
