import { modelsList, modelsPin, modelsPull } from "../../runtime/operations/table.js";
import { bind } from "../bind.js";
import { badge, box, code, esc, muted, table } from "../render/html.js";
import { padTable } from "../render/text.js";
import type { CommandSpec } from "../types.js";

export const commands: CommandSpec[] = [
  bind({
    op: modelsPull,
    path: ["models", "pull"],
    positionals: [{ name: "source", help: "hf:<user>/<repo>/<file>.gguf or an https URL ending in .gguf", required: true }],
    params: (args) => ({ source: args.positionals.source }),
    examples: ["models pull hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf", "models pull https://example.com/tiny.gguf"],
    description: "Downloads (the only command besides rag pull that does). The file is not pinned: check it, then `models pin REF` writes its sha256 into openclaw.json.",
    render(d) {
      const text = `downloaded ${d.source} -> ${d.file} (${d.bytes} bytes)\nsha256 ${d.sha256}\nuse it as ${d.ref}; pin it with: ${d.next}`;
      return { text, html: box("oc-models", "models pull", `${code(d.ref)} ${muted(`${d.bytes} bytes, sha256 ${d.sha256}`)}<div>pin it: ${code(d.next)}</div>`), markdown: text };
    },
  }),
  bind({
    op: modelsPin,
    path: ["models", "pin"],
    positionals: [{ name: "ref", help: "llamacpp/<file>.gguf", required: true }],
    params: (args) => ({ ref: args.positionals.ref }),
    examples: ["models pin llamacpp/qwen2.5-0.5b-instruct-q4_k_m.gguf"],
    render(d) {
      const text = `pinned ${d.ref}: sha256 ${d.sha256}${d.previous && d.previous !== d.sha256 ? ` (was ${d.previous})` : ""}, written to ${d.configPath}`;
      return { text, html: box("oc-models", "models pin", `${code(d.ref)} sha256 ${code(d.sha256)} ${muted(`written to ${d.configPath}`)}`), markdown: text };
    },
  }),
  bind({
    op: modelsList,
    path: ["models", "list"],
    summary: "configured model refs, local GGUF files and scripts, with availability (no network unless --remote)",
    flags: [{ name: "remote", type: "boolean", help: "also ask the OpenAI-compatible endpoint for its catalog (network call)" }],
    examples: ["models list", "models list --json", "models list --remote"],
    render(data) {
      const yn = (b: boolean) => (b ? "yes" : "no");
      const rows = [["REF", "PROVIDER", "PINNED", "AVAILABLE", "LOCAL", "SOURCE", "NOTE"], ...data.models.map((m) => [m.ref, m.provider, yn(m.pinned), yn(m.available), yn(m.local), m.source, m.note ?? ""])];
      const text = `${padTable(rows)}\n${data.count} model(s)`;
      const html = box(
        "oc-models",
        `models: ${data.count}`,
        table(
          ["ref", "provider", "pinned", "available", "local", "source", "note"],
          data.models.map((m) => [
            code(m.ref),
            m.provider === "scripted" ? `${esc(m.provider)} ${badge("info")}` : esc(m.provider),
            m.pinned ? badge("ok") : badge("floating"),
            m.available ? badge("ok") : badge("warn"),
            m.local ? "yes" : "no",
            muted(m.source),
            esc(m.note ?? ""),
          ]),
        ),
      );
      const markdown = `| ref | provider | pinned | available | local | source |\n|---|---|---|---|---|---|\n${data.models.map((m) => `| \`${m.ref}\` | ${m.provider} | ${yn(m.pinned)} | ${yn(m.available)} | ${yn(m.local)} | ${m.source} |`).join("\n")}`;
      return { text, html, markdown };
    },
  }),
];
