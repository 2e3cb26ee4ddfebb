// Commands of "gateway": filled in by the issue that builds it.
import type { CommandSpec } from "../types.js";

export const commands: CommandSpec[] = [];
