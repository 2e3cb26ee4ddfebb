// Commands of "rag": filled in by the issue that builds it.
import type { CommandSpec } from "../types.js";

export const commands: CommandSpec[] = [];
