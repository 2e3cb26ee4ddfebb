import { EXIT } from "../runtime/errors.js";
import { COMMANDS } from "./commands/index.js";
import { commandsIn, dispatchIn, type DispatchOptions } from "./dispatch-in.js";
import type { CommandContext, CommandResult, CommandSpec } from "./types.js";

export type { DispatchOptions };

/** The commands a front door may reach. */
export function commandsFor(host: CommandContext["host"]): CommandSpec[] {
  return commandsIn(COMMANDS, host);
}

/**
 * The one grammar behind both front doors: `openclaw-kernel <argv>` and `%openclaw <line>`.
 * Returns the command's typed result; throws typed errors (UsageError, ConfigError, …)
 * that the front door renders.
 */
export async function dispatch(input: string | string[], ctx: CommandContext, opts: DispatchOptions = {}): Promise<{ result: CommandResult; json: boolean }> {
  return dispatchIn(COMMANDS, input, ctx, opts);
}

export { EXIT };
