/** RAG errors a person can act on: each names what is wrong, where, and the fix. */
import { OpenClawError } from "../errors.js";

export class RagError extends OpenClawError {}

export function emptyWorkspace(ws: string, skipped: number): RagError {
  return new RagError(`workspace ${ws} has no documents to index${skipped ? ` (${skipped} files skipped: unsupported, binary or unreadable)` : ""}`, {
    code: "rag_empty_workspace",
    fix: `add Markdown, text, HTML or .ipynb files to ${ws}, or point agentDefaults.workspace at the folder that has them`,
  });
}

export function missingWorkspace(ws: string): RagError {
  return new RagError(`workspace ${ws} does not exist`, { code: "rag_no_workspace", fix: `mkdir -p ${ws} and add documents, or set agentDefaults.workspace in openclaw.json` });
}

export function embedderMismatch(indexDir: string, built: string, configured: string): RagError {
  return new RagError(`the index in ${indexDir} was built with embedder ${built}, but the config now uses ${configured}; vectors of two models cannot be compared`, {
    code: "rag_embedder_mismatch",
    fix: "re-index with `openclaw-kernel rag index --full` (or `%openclaw rag index --full`), or switch rag.embedding back",
  });
}
