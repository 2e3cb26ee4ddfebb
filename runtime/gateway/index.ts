// SKELETON: replaced by the gateway implementation (issue 3).
import type { Runtime } from "../runtime.js";
export class Gateway {
  constructor(readonly opts: { runtime: Runtime }) {}
  async stop(): Promise<void> {}
}
