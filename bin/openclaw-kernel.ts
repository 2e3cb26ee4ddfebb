/**
 * CLI front door: argv -> the magics grammar -> text or JSON on stdout -> exit code.
 * `openclaw-kernel doctor` here and `%openclaw doctor` in a cell run the same code.
 */
import { fstatSync, statSync, writeSync } from "node:fs";
import { dispatchIn } from "../magics/dispatch-in.js";
import { helpOf } from "../magics/commands/help.js";
import { makeContext } from "../magics/commands/context.js";
import { toJson, toText } from "../magics/render/mime.js";
import { renderEventLine } from "../magics/render/events.js";
import { progressBar } from "../magics/render/text.js";
import { EXIT, formatError, OpenClawError } from "../runtime/errors.js";
import type { Approver } from "../runtime/events.js";
import type { CommandSpec } from "../magics/types.js";
import { cliTable } from "./cli-table.js";

/**
 * The terminal-only commands' code (bin/cli-commands.ts, loaded when one runs), `help` over
 * the CLI's table (the grammar's own `help` would import every command's module), and
 * `config validate` without the operation table: the same data (validateReport) and the same
 * rendering (renderValidate) as the bound command, which has no params and no `around`.
 */
function runners(table: CommandSpec[]): Record<string, CommandSpec["run"]> {
  const cliOnly = (name: string): CommandSpec["run"] => async (args, ctx) => (await import("./cli-commands.js")).CLI_RUNNERS[name]!(args, ctx);
  return {
    install: cliOnly("install"),
    kernel: cliOnly("kernel"),
    help: (args, ctx) => helpOf(table, args, ctx),
    "config validate": async (_args, ctx) => {
      const [{ checkConfig }, { validateReport }, { renderValidate }] = await Promise.all([import("../runtime/config/index.js"), import("../runtime/operations/config-validate.js"), import("../magics/render/config-validate.js")]);
      const data = validateReport(checkConfig({ configPath: ctx.configPath, env: ctx.env, cwd: ctx.cwd }));
      const { exitCode, text, html } = renderValidate(data);
      return { command: "config.validate", exitCode, data, text, html };
    },
  };
}

/** Whether fd may be a terminal: every terminal is a character device (a pipe or a file is not). */
function charDevice(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false; // closed
  }
}

/** Whether fd is /dev/null: a character device that is never a terminal. */
function devNull(fd: number): boolean {
  try {
    const s = fstatSync(fd);
    return s.isCharacterDevice() && s.rdev === statSync("/dev/null").rdev;
  } catch {
    return false;
  }
}

/**
 * stdout's writer. A pipe, a file or /dev/null (known from one fstat) is written with writeSync:
 * process.stdout would build a stream for it (the streams modules, ~3 ms of a Node 22 start) to
 * write the same bytes the same way (synchronously). A terminal, or a write that fails (EAGAIN
 * on a non-blocking pipe, EPIPE), goes through process.stdout as before, from the first byte not
 * written.
 */
function stdoutWriter(): { isTTY: boolean; write(text: string): void } {
  if (charDevice(1) && !devNull(1)) return { isTTY: process.stdout.isTTY === true, write: (text) => void process.stdout.write(text) };
  return {
    isTTY: false,
    write(text) {
      const buf = Buffer.from(text);
      let off = 0;
      try {
        while (off < buf.length) off += writeSync(1, buf, off);
        return;
      } catch {
        process.stdout.write(buf.subarray(off));
      }
    },
  };
}

async function ttyApprover(): Promise<Approver | undefined> {
  // isatty, not process.stdin.isTTY: the getter builds the stdin stream, which a command
  // that never asks does not need. The tty module (it loads net) only when both could be
  // terminals; readline loads on the first question.
  if (!charDevice(0) || !charDevice(2)) return undefined;
  const { isatty } = await import("node:tty");
  if (!isatty(0) || !isatty(2)) return undefined;
  return async (req) => {
    const [{ createInterface }, { approvalPrompt }] = await Promise.all([import("node:readline/promises"), import("../magics/render/sanitize.js")]);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const a = await rl.question(approvalPrompt(req));
      return /^y(es)?$/i.test(a.trim());
    } finally {
      rl.close();
    }
  };
}

export async function main(argv: string[]): Promise<number> {
  const wantsJson = argv.includes("--json");
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  process.on("SIGINT", onSigint);
  const stdout = stdoutWriter();
  const ctx = makeContext({
    host: "cli",
    cwd: process.cwd(),
    env: process.env,
    signal: abort.signal,
    isTTY: stdout.isTTY,
    approver: await ttyApprover(),
    emit: (e) => {
      // On a terminal, indexing progress is one bar redrawn in place; elsewhere, lines.
      if (e.type === "rag.progress" && process.stderr.isTTY) {
        process.stderr.write(`\r${progressBar(Number(e.done), Number(e.total))} ${String(e.file ?? "").slice(0, 40).padEnd(40)}`);
        if (Number(e.done) >= Number(e.total)) process.stderr.write("\n");
        return;
      }
      const line = renderEventLine(e);
      if (line) process.stderr.write(line + "\n");
    },
  });
  try {
    const table = await cliTable();
    const { result, json } = await dispatchIn(table, argv, ctx, { runners: runners(table) });
    stdout.write((json ? toJson(result) : toText(result)) + "\n");
    return result.exitCode;
  } catch (e) {
    if (wantsJson) stdout.write(JSON.stringify(e instanceof OpenClawError ? e.toJSON() : { error: "Error", message: String((e as Error)?.message ?? e) }, null, 2) + "\n");
    process.stderr.write(formatError(e) + "\n");
    if (!(e instanceof OpenClawError) && process.env.OPENCLAW_DEBUG) process.stderr.write(String((e as Error)?.stack) + "\n");
    return e instanceof OpenClawError ? e.exitCode : EXIT.FAILED;
  } finally {
    await ctx.closeAll();
    process.off("SIGINT", onSigint);
  }
}

// `host` and `install --ipython` (the IPython extension, issue 14) route before the grammar
// (kernel/ipython-cli.ts decides; it is loaded only for argv that may be one of them).
const argv = process.argv.slice(2);
// `kernel`: the compiler's process starts from its snapshot before the rest loads (kernel/prestart.ts)
if (argv[0] === "kernel") void import("../kernel/prestart.js").catch(() => undefined);
const routed = argv[0] === "host" || argv[0] === "install" ? import("../kernel/ipython-cli.js").then(({ ipythonCommand }) => ipythonCommand(argv) ?? main(argv)) : main(argv);
routed.then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`openclaw-kernel: ${formatError(e)}\n`);
    process.exitCode = 1;
  },
);
