/**
 * The kernel process: `openclaw-kernel kernel --connection-file F` lands here. Binds the
 * channels from the connection file, answers kernel_info at once (heavy modules load on
 * first use), and exits after shutdown_request with nothing left running. The TypeScript
 * compiler's process starts from its snapshot (when this folder has a current one) before
 * the kernel's own modules load, so both load at once on two cores.
 */
import { VERSION } from "../runtime/version.js";
import { readConnectionFile } from "./connection.js";
import { prestartCompiler } from "./ts-compiler.js";
import { PRELUDE } from "./typescript.js";

export interface KernelRunOptions {
  connectionFile: string;
  /** Allow an empty key (unsigned messages). Off unless named. */
  insecure?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts the kernel; resolves with the exit code once it has shut down. */
export async function runKernel(opts: KernelRunOptions): Promise<number> {
  const conn = readConnectionFile(opts.connectionFile, { insecure: opts.insecure });
  prestartCompiler(opts.cwd ?? process.cwd(), PRELUDE);
  const [{ Kernel }, { Session }, { Wire }] = await Promise.all([import("./kernel.js"), import("./session.js"), import("./wire.js")]);
  // The kernel's own log goes to the real stderr (Jupyter's log); cells' stderr goes to the notebook.
  const rawErr = process.stderr.write.bind(process.stderr);
  const log = (line: string) => void rawErr(`[openclaw-kernel ${new Date().toISOString()}] ${line}\n`);
  if (!conn.key) log("WARNING: running with an empty key (--insecure): messages are not signed");
  const session = new Session({ key: conn.key, signatureScheme: conn.signature_scheme });
  const wire = new Wire(conn, session, log);
  await wire.bind();
  return new Promise<number>((resolve) => {
    const kernel = new Kernel(wire, { cwd: opts.cwd ?? process.cwd(), env: opts.env ?? process.env, version: VERSION, log, onExit: resolve, history: true });
    kernel.start();
    // A stray promise or callback in a cell must not take the kernel (and its state) down.
    process.on("unhandledRejection", (e) => {
      kernel.output.write("stderr", `Unhandled promise rejection: ${(e as Error)?.stack ?? e}\n`);
    });
    process.on("uncaughtException", (e) => {
      kernel.output.write("stderr", `Uncaught exception: ${e?.stack ?? e}\n`);
    });
    // SIGINT is Stop too (a terminal, or interrupt_mode "signal" clients); SIGTERM shuts down cleanly.
    process.on("SIGINT", () => kernel.interrupt());
    process.on("SIGTERM", () => void kernel.shutdown(undefined));
    watchParent(opts.env ?? process.env, () => {
      log("the process that started this kernel is gone; shutting down");
      void kernel.shutdown(undefined);
    });
    log(`started: ${conn.transport}://${conn.ip} shell ${conn.shell_port}, pid ${process.pid}`);
  });
}

/**
 * A kernel must not outlive the Jupyter process that started it (a crashed server or a
 * killed client would leave it running, with its runtime and children). jupyter_client
 * sets JPY_PARENT_PID; like ipykernel's parent poller, we exit once we are reparented.
 */
function watchParent(env: NodeJS.ProcessEnv, onGone: () => void): void {
  const parent = Number(env.JPY_PARENT_PID);
  if (!Number.isInteger(parent) || parent <= 1 || process.ppid !== parent) return;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onGone();
    }
  }, 1000);
  timer.unref();
}
