// SKELETON: replaced by the skills implementation (issue 4).
import type { Runtime } from "../runtime.js";
export class SkillRegistry {
  constructor(readonly opts: { runtime: Runtime }) {}
  async load(): Promise<void> {}
}
