// SKELETON: replaced by the agent implementation (issue 6).
import type { Runtime } from "../runtime.js";
export class Agent {
  constructor(readonly opts: { runtime: Runtime }) {}
  async close(): Promise<void> {}
}
