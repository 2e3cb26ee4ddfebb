import type { RuntimeEvent } from "../../runtime/events.js";

/**
 * One line of terminal text for a runtime event (the CLI prints these to stderr as
 * they come). Returns undefined for events too chatty for a terminal (model.delta).
 */
export function renderEventLine(e: RuntimeEvent): string | undefined {
  switch (e.type) {
    case "model.delta":
      return undefined;
    case "rag.progress":
      return `indexing ${e.done}/${e.total} ${e.file ?? ""}`.trimEnd();
    case "exec.exit":
      return `[exec ${e.id}] exited ${e.signal ? `by ${e.signal}` : `with code ${e.exitCode}`}`;
    case "exec.background":
      return `[exec ${e.id}] still running after ${e.backgroundMs ?? "?"} ms; continuing in the background`;
    case "tool.call":
      return `-> ${e.name}(${JSON.stringify(e.arguments)})`;
    case "tool.result":
      return `<- ${e.name}: ${e.status}${e.exitCode !== null ? ` exit ${e.exitCode}` : ""}`;
    case "policy.denied":
      return `denied: ${e.reason}`;
    default:
      return "message" in e ? `${e.type}: ${e.message}` : e.type;
  }
}
