import type { RuntimeEvent } from "../../runtime/events.js";

/**
 * One line of terminal text for a runtime event (the CLI prints these to stderr as
 * they come). Returns undefined for events too chatty for a terminal (model.delta).
 */
export function renderEventLine(e: RuntimeEvent): string | undefined {
  const p = e as Record<string, any>;
  switch (e.type) {
    case "model.delta":
      return undefined;
    case "rag.progress":
      return `indexing ${p.done ?? "?"}/${p.total ?? "?"} ${p.file ?? ""}`.trimEnd();
    case "exec.exit":
      return `[exec ${p.id}] exited ${p.signal ? `by ${p.signal}` : `with code ${p.exitCode}`}`;
    case "exec.background":
      return `[exec ${p.id}] still running after ${p.backgroundMs ?? "?"} ms; continuing in the background`;
    case "tool.call":
      return `-> ${p.name ?? p.tool}(${JSON.stringify(p.arguments ?? p.args ?? {})})`;
    case "tool.result":
      return `<- ${p.name ?? p.tool}: ${p.status ?? ""}${p.exitCode !== undefined ? ` exit ${p.exitCode}` : ""}`;
    case "policy.denied":
      return `denied: ${p.reason ?? p.message ?? ""}`;
    default:
      return `${e.type}${p.message ? `: ${p.message}` : ""}`;
  }
}
