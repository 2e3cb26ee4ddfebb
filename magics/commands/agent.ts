import { existsSync } from "node:fs";
import { EXIT, UsageError } from "../../runtime/errors.js";
import { workspaceLinker } from "../render/markdown.js";
import { renderTranscript, transcriptText } from "../render/transcript.js";
import type { CommandSpec } from "../types.js";
import { agentExport, agentHistory, agentRun, agentThreads, MAX_VAR_CHARS } from "../../runtime/operations/table.js";
import { bind } from "../bind.js";
import { charCount, interpolate, placeholders, tooLong, valueText } from "../../runtime/agent/interpolate.js";
import { box, code, esc, muted, pre, table } from "../render/html.js";
import { padTable } from "../render/text.js";
import { renderFinal } from "../render/format.js";

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
      { name: "thread", type: "string", help: "continue (or start) the conversation thread NAME; default the session's current thread", placeholder: "NAME" },
      { name: "format", short: "f", type: "string", choices: ["markdown", "text", "html", "code", "json"], help: "the answer's format: markdown, text, html (sandboxed), code (a cell-ready snippet, never executed) or json (parsed)", placeholder: "FORMAT" },
      { name: "skills", type: "string", help: "offer only these skills as tools, comma-separated (intersected with policy)", placeholder: "A,B" },
      { name: "no-tools", type: "boolean", help: "offer no tools: the model can only answer" },
      { name: "new", type: "boolean", help: "start a new conversation thread instead of continuing the current one" },
    ],
    examples: ['agent "How do we onboard new hires?" --model scripted/onboarding.json', 'agent "Summarize the onboarding doc" --model openai/gpt-4o-mini', 'agent "demo" --model scripted/escape-attempt.json --json', '%%openclaw agent -f code', "%%openclaw agent --new --thread review"],
    description:
      "Consecutive turns of a session (a kernel) continue one conversation thread: each turn sends the earlier exchanges (prompt and answer), oldest dropped first to fit agentDefaults.historyTokens, with a note. --new starts a thread, --thread NAME switches. Without an approver (non-interactive), actions that need approval are denied and audited. A scripted/<file> model replays a JSON script and is labelled as such. In a notebook, {name} in the prompt is the value of a TypeScript cell's top-level name (with the IPython extension, of a name in the Python kernel's namespace; {{ and }} are literal braces; an unknown name is an error), sent to the model fenced as data.",
    async params(args, ctx) {
      const raw = args.positionals.prompt;
      const prompt = (Array.isArray(raw) ? raw.join(" ") : raw ?? "").trim();
      if (!prompt) throw new UsageError("agent needs a prompt", { fix: 'openclaw-kernel agent "what to do", or put it in the body of a %%openclaw agent cell' });
      const maxSteps = args.flags["max-steps"] as number | undefined;
      if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1 || maxSteps > 100)) throw new UsageError(`--max-steps must be an integer from 1 to 100, got ${maxSteps}`, { fix: "e.g. --max-steps 4" });
      // In a notebook, {name} takes the value of a TypeScript cell's top-level name (in the
      // IPython extension, of a Python name: the host asks the Python kernel for each one).
      let vars: Record<string, string> | undefined;
      if (ctx.scope) {
        vars = {};
        const missing: string[] = [];
        for (const name of placeholders(prompt)) {
          const v = await ctx.scope(name, { maxChars: MAX_VAR_CHARS });
          if (!v.found) {
            missing.push(name);
            continue;
          }
          const text = valueText(v.value);
          const chars = charCount(text, MAX_VAR_CHARS);
          if (chars > MAX_VAR_CHARS) throw tooLong(name, chars, MAX_VAR_CHARS);
          vars[name] = text;
        }
        if (missing.length) interpolate(prompt, vars, ctx.scopeLanguage);
      }
      const skills = typeof args.flags.skills === "string" ? [...new Set(args.flags.skills.split(",").map((s) => s.trim()).filter(Boolean))] : undefined;
      if (skills && !skills.length) throw new UsageError("--skills needs at least one skill name", { fix: "e.g. --skills echo,read_file, or --no-tools for none" });
      if (skills && args.flags["no-tools"] === true) throw new UsageError("--skills and --no-tools contradict each other", { fix: "give one of them" });
      return {
        prompt,
        ...(vars ? { vars } : {}),
        ...(args.flags.model !== undefined ? { model: args.flags.model } : {}),
        ...(maxSteps !== undefined ? { maxSteps } : {}),
        ...(args.flags.thread !== undefined ? { thread: args.flags.thread } : {}),
        ...(args.flags.new === true ? { new: true } : {}),
        ...(skills ? { skills } : {}),
        ...(args.flags["no-tools"] === true ? { noTools: true } : {}),
        ...(args.flags.format !== undefined ? { format: args.flags.format } : {}),
      };
    },
    async render(result, _args, ctx) {
      const ws = await ctx
        .runtime()
        .then((rt) => rt.config.agentDefaults.workspace)
        .catch(() => undefined);
      const link = ws ? workspaceLinker(ws, ctx.cwd, existsSync) : undefined;
      if (result.output) {
        const f = renderFinal(result.output);
        return {
          exitCode: result.status === "ok" ? EXIT.OK : EXIT.FAILED,
          text: `${transcriptText(result.events)}${f.text ? `\n\n${f.text}` : ""}`,
          html: renderTranscript(result.events, { link }) + (result.final ? f.html : ""),
          markdown: result.final ? f.markdown : `**agent** \`${result.model}\`: ${result.status}, no answer`,
        };
      }
      const finalText = result.final ? `\n\n${result.final}` : "";
      return {
        exitCode: result.status === "ok" ? EXIT.OK : EXIT.FAILED,
        text: transcriptText(result.events) + finalText,
        html: renderTranscript(result.events, { link }),
        markdown: `**agent** \`${result.model}\`${result.scripted ? " (scripted replay)" : ""}: ${result.status}, ${result.steps} step(s)${finalText}`,
      };
    },
  }),
  bind({
    op: agentExport,
    path: ["agent", "export"],
    positionals: [{ name: "id", help: "the recorded turn's id (shown under each turn; turnId in --json)", required: true }],
    flags: [
      { name: "scripted", type: "string", help: "file name to write in models.providers.scripted.scriptsDir", placeholder: "FILE" },
      { name: "force", type: "boolean", help: "overwrite an existing file" },
    ],
    params(args) {
      if (args.flags.scripted === undefined) throw new UsageError("agent export needs --scripted FILE", { fix: "e.g. agent export 5f0c… --scripted lesson-04.json, then replay with --model scripted/lesson-04.json" });
      return { id: args.positionals.id, scripted: args.flags.scripted, ...(args.flags.force === true ? { force: true } : {}) };
    },
    examples: ["agent export 0b6f1c9e-3c1a-4d5e-9f00-1234567890ab --scripted lesson-04.json"],
    description: "Every turn is saved under stateDir/agent/turns. The scripted file answers like the recording did and checks each request against it: a replay whose request differs (a tool's output or a prompt changed) fails, naming the step and message.",
    render(d) {
      const text = `wrote ${d.file}: ${d.steps} step(s) of ${d.model}${d.modelId ? ` (answered by ${d.modelId})` : ""}; replay with --model ${d.ref}`;
      return { text, html: box("oc-export", "agent export", `${esc(`wrote ${d.file}: ${d.steps} step(s) of ${d.model}`)}; replay with ${code(`--model ${d.ref}`)}`), markdown: text };
    },
  }),
  bind({
    op: agentThreads,
    path: ["agent", "threads"],
    examples: ["agent threads", "agent threads --json"],
    render(data) {
      const when = (t: number | null) => (t === null ? "" : new Date(t).toISOString());
      const rows = [["THREAD", "CURRENT", "TURNS", "LAST"], ...data.threads.map((t) => [t.name, t.current ? "*" : "", String(t.turns), when(t.lastAt)])];
      return {
        text: `${padTable(rows)}\n${data.count} thread(s); current: ${data.current}`,
        html: box("oc-threads", `threads: ${data.count}`, table(["thread", "current", "turns", "last turn"], data.threads.map((t) => [code(t.name), t.current ? "current" : "", esc(t.turns), muted(when(t.lastAt))]))),
        markdown: data.threads.map((t) => `- \`${t.name}\`${t.current ? " (current)" : ""}: ${t.turns} turn(s)`).join("\n"),
      };
    },
  }),
  bind({
    op: agentHistory,
    path: ["agent", "history"],
    positionals: [{ name: "thread", help: "thread name (default the current thread)" }],
    params: (args) => (args.positionals.thread ? { thread: args.positionals.thread } : {}),
    examples: ["agent history", "agent history review --json"],
    render(data) {
      const text = data.exchanges.map((e, i) => `[${i + 1}] ${e.model} (turn ${e.turnId})\n> ${e.prompt.split("\n").join("\n> ")}\n${e.answer}`).join("\n\n");
      return {
        text: `thread ${data.thread}: ${data.count} exchange(s)${text ? `\n\n${text}` : ""}`,
        html: box("oc-history", `thread ${data.thread}: ${data.count} exchange(s)`, data.exchanges.map((e, i) => `<div><b>${i + 1}</b> ${code(e.model)} ${muted(e.turnId)}${pre(`> ${e.prompt}`, 120)}${pre(e.answer, 200)}</div>`).join("")),
        markdown: data.exchanges.map((e) => `> ${e.prompt}\n\n${e.answer}`).join("\n\n---\n\n"),
      };
    },
  }),
];
