/**
 * The IPython extension's host: `openclaw-kernel host` lands here. The same Kernel and
 * CellRunner as the Jupyter kernel (one Runtime for the notebook's life, the same MIME
 * bundles, approvals and secrets over input_request, Stop), over a private stdio pipe
 * instead of ZeroMQ (stdio-wire.ts). It exits when stdin closes (the Python kernel
 * exited or was killed), when its parent is gone, on SIGTERM/SIGHUP, or on a
 * shutdown_request; like the kernel, it leaves no child behind.
 */
import { VERSION } from "../runtime/version.js";
import { Kernel } from "./kernel.js";
import { StdioWire } from "./stdio-wire.js";

export interface HostRunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts the host; resolves with the exit code once it has shut down. */
export async function runHost(opts: HostRunOptions = {}): Promise<number> {
  // The host's own log goes to the real stderr (the Python kernel's log); cells' output goes down the pipe.
  const rawErr = process.stderr.write.bind(process.stderr);
  const log = (line: string) => void rawErr(`[openclaw-kernel host ${new Date().toISOString()}] ${line}\n`);
  let kernel: Kernel | undefined;
  let gone = false;
  const stop = (why: string) => {
    if (gone) return;
    gone = true;
    log(`${why}; shutting down`);
    void kernel?.shutdown(undefined);
  };
  const wire = new StdioWire({ log, onEnd: () => stop("stdin closed (the Python kernel is gone)") });
  return new Promise<number>((resolve) => {
    kernel = new Kernel(wire, { cwd: opts.cwd ?? process.cwd(), env: opts.env ?? process.env, version: VERSION, log, onExit: resolve, clientScope: "Python" });
    kernel.start();
    process.on("unhandledRejection", (e) => kernel!.output.write("stderr", `Unhandled promise rejection: ${(e as Error)?.stack ?? e}\n`));
    process.on("uncaughtException", (e) => kernel!.output.write("stderr", `Uncaught exception: ${e?.stack ?? e}\n`));
    process.on("SIGINT", () => kernel!.interrupt());
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGHUP", () => stop("SIGHUP"));
    // Belt and braces for stdin EOF: once reparented, the process that started us is gone.
    const parent = process.ppid;
    const timer = setInterval(() => {
      if (process.ppid !== parent) stop("the process that started this host is gone");
    }, 1000);
    timer.unref();
    if (gone) void kernel.shutdown(undefined);
    // Tells the extension the host is up (a Jupyter kernel says the same on iopub).
    void wire.publish("status", { execution_state: "starting", pid: process.pid, version: VERSION });
  });
}
