// SKELETON: replaced by the exec implementation (issue 4).
import type { ExecConfig } from "../config/index.js";
import type { RuntimeEvent } from "../events.js";
export class ExecManager {
  constructor(readonly opts: { config: ExecConfig; workspace: string; stateDir: string; emit: (e: Omit<RuntimeEvent, "ts">) => void }) {}
  async close(): Promise<void> {}
}
