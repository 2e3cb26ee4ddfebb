// SKELETON: replaced by the models implementation (issue 6).
import type { Runtime } from "../runtime.js";
export class ModelRegistry {
  constructor(readonly opts: { runtime: Runtime }) {}
  async close(): Promise<void> {}
}
