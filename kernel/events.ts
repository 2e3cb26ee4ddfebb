/**
 * Turns a command's live runtime events into one display updated in place: an agent
 * transcript (the agent area's renderTranscript when present, else a plain list) or a
 * progress bar for `rag index`.
 */
import type { RuntimeEvent } from "../runtime/events.js";
import { renderEventLine } from "../magics/render/events.js";
import { box, esc } from "../magics/render/html.js";
import { progressBundle } from "../magics/render/progress.js";
import type { Bundle, LiveDisplay } from "./output.js";

type TranscriptRenderer = (events: RuntimeEvent[]) => string;
interface Renderers {
  html?: TranscriptRenderer;
  text?: TranscriptRenderer;
}
let transcript: Promise<Renderers> | undefined;

/** The agent area's transcript renderers (HTML and text), if that module is present. */
function loadTranscript(): Promise<Renderers> {
  // A variable specifier keeps tsc from requiring the module to exist at build time.
  const spec = "../magics/render/transcript.js";
  transcript ??= import(spec).then(
    (m: { renderTranscript?: TranscriptRenderer; transcriptText?: TranscriptRenderer }) => ({
      html: typeof m.renderTranscript === "function" ? m.renderTranscript : undefined,
      text: typeof m.transcriptText === "function" ? m.transcriptText : undefined,
    }),
    () => ({}),
  );
  return transcript;
}

function plainLines(events: RuntimeEvent[]): string {
  return events
    .map((e) => renderEventLine(e))
    .filter((l): l is string => !!l)
    .join("\n");
}

export function fallbackTranscript(events: RuntimeEvent[]): string {
  const items = events.map((e) => renderEventLine(e)).filter((l): l is string => !!l);
  return box("oc-transcript", "agent", `<ol style="margin:0;padding-left:20px">${items.map((l) => `<li><code>${esc(l)}</code></li>`).join("")}</ol>`);
}

/** Collects one command's events and re-renders its live display as they come. */
export class EventView {
  private readonly events: RuntimeEvent[] = [];
  private render: Renderers = {};

  constructor(private readonly display: LiveDisplay, private readonly title: string) {
    void loadTranscript().then((r) => (this.render = r));
  }

  get count(): number {
    return this.events.length;
  }

  /** Rate and time left of the current embed phase, from its first progress event. */
  private pace(e: Extract<RuntimeEvent, { type: "rag.progress" }>): { rate?: number; etaSec?: number } {
    if (e.phase !== "embed") return {};
    const first = this.events.find((x) => x.type === "rag.progress" && x.phase === "embed") as typeof e | undefined;
    if (!first || first === e || e.ts <= first.ts || e.done <= first.done) return {};
    const rate = ((e.done - first.done) / (e.ts - first.ts)) * 1000;
    return { rate, etaSec: Math.max(0, (e.total - e.done) / rate) };
  }

  add(e: RuntimeEvent): void {
    this.events.push(e);
    // Rendered lazily: many events (model deltas) cost one render per throttle window.
    this.display.show(() => this.bundle());
  }

  bundle(): Bundle {
    const last = this.events.at(-1);
    if (last?.type === "rag.progress") return progressBundle(this.title, { done: last.done, total: last.total, file: last.file, phase: last.phase, ...this.pace(last) });
    let html: string;
    let text: string;
    try {
      html = this.render.html ? this.render.html(this.events) : fallbackTranscript(this.events);
      text = this.render.text ? this.render.text(this.events) : plainLines(this.events);
    } catch {
      html = fallbackTranscript(this.events);
      text = plainLines(this.events);
    }
    return { "text/plain": text, "text/html": html };
  }
}
