// SKELETON: replaced by the RAG implementation (issue 5).
import type { Runtime } from "../runtime.js";
export class Rag {
  constructor(readonly opts: { runtime: Runtime }) {}
}
