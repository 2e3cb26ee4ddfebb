import type { ExitCode } from "../runtime/errors.js";
import type { Approver, EventSink } from "../runtime/events.js";
import type { Runtime } from "../runtime/runtime.js";

export type Host = "cli" | "kernel" | "gateway";

/** One name looked up in the notebook's scope. */
export interface ScopeHit {
  found: boolean;
  value?: unknown;
}

/** What a front door (CLI, kernel) hands a command. */
export interface CommandContext {
  host: Host;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** --config given on this line, if any (overrides the front door's). */
  configPath?: string;
  /** The runtime for this front door; built on first use from the validated config. */
  runtime(): Promise<Runtime>;
  /** Aborted by the kernel's Stop button or SIGINT. */
  signal?: AbortSignal;
  /** Live events and progress (agent transcript, indexing progress, exit notices). */
  emit?: EventSink;
  /** Asks a person to approve a risky action; absent means non-interactive: deny. */
  approver?: Approver;
  /** Asks a person for a value (the kernel's input_request; password hides it). */
  prompt?: (question: string, opts: { password: boolean }) => Promise<string>;
  /**
   * The notebook's names ({name} in an agent prompt): the kernel's TypeScript cell scope, or in
   * the IPython extension's host the Python user namespace (asked over the pipe; a value comes
   * back as text of at most maxChars, else the lookup throws a UsageError naming it). Absent on the CLI.
   */
  scope?: (name: string, limits: { maxChars: number }) => ScopeHit | Promise<ScopeHit>;
  /** Whose cells scope looks in, for the hint on an unknown name (default TypeScript). */
  scopeLanguage?: "TypeScript" | "Python";
  /** True when output goes to a terminal (progress bars, colour). */
  isTTY?: boolean;
}

/** A command's typed result: `data` is the one JSON document `--json` prints. */
export interface CommandResult<T = unknown> {
  /** Dotted id, e.g. "rag.query". */
  command: string;
  exitCode: ExitCode;
  data: T;
  /** Human text for a terminal / text/plain. Default: pretty JSON. */
  text?: string;
  /** Self-contained HTML (no external assets or scripts) for notebooks. */
  html?: string;
  markdown?: string;
}

export interface FlagSpec {
  /** Long name without dashes: "topk" -> --topk. */
  name: string;
  type: "boolean" | "string" | "number" | "list";
  /** One-letter alias: "n" -> -n. */
  short?: string;
  help: string;
  /** Shown in usage, e.g. "N". */
  placeholder?: string;
  choices?: readonly string[];
  default?: unknown;
}

export interface PositionalSpec {
  name: string;
  help: string;
  required?: boolean;
  /** Takes every remaining positional. */
  variadic?: boolean;
}

export interface ParsedArgs {
  positionals: Record<string, string | string[] | undefined>;
  flags: Record<string, unknown>;
  json: boolean;
  /** A cell magic's body (%%openclaw agent: the prompt). */
  body?: string;
}

export interface CommandSpec {
  /** ["rag", "query"] -> `rag query`. */
  path: string[];
  summary: string;
  positionals?: PositionalSpec[];
  flags?: FlagSpec[];
  examples?: string[];
  /** Longer help shown by `--help`. */
  description?: string;
  /** Only reachable from the terminal (install, kernel) or only from a notebook. */
  only?: "cli" | "kernel";
  /** The operation (runtime/operations) this command runs, when it is bound to one. */
  op?: string;
  /** For cell magics: the positional that receives the cell body. */
  bodyPositional?: string;
  run(args: ParsedArgs, ctx: CommandContext): Promise<CommandResult>;
  /**
   * For a command bound to an operation: the CommandResult of data the operation already
   * returned (no call made), so the same data reached another way (a TypeScript cell's
   * `openclaw.rag.query`) renders as this command's output.
   */
  present?(data: unknown, args: ParsedArgs, ctx: CommandContext): Promise<CommandResult>;
}
