/**
 * The IPython front door's two CLI-only commands, routed by the CLI entry before the
 * magics grammar: `openclaw-kernel host` (the extension's host process, on stdio) and
 * `openclaw-kernel install --ipython ...`. Returns undefined for any other argv.
 */
export function ipythonCommand(argv: string[]): Promise<number> | undefined {
  if (argv[0] === "host") {
    if (argv.length > 1) {
      process.stderr.write(`openclaw-kernel: host takes no arguments (got ${JSON.stringify(argv.slice(1).join(" ").slice(0, 80))})\n  fix: the IPython extension starts it; in a notebook run %load_ext openclaw_kernel_ext\n`);
      return Promise.resolve(2);
    }
    return import("./host.js").then(async ({ runHost }) => {
      const code = await runHost({ cwd: process.cwd(), env: process.env });
      // Sockets and timers left by commands must not keep a shut-down host alive.
      process.exit(code);
    });
  }
  if (argv[0] === "install" && argv.includes("--ipython")) {
    return import("./ipython-install.js").then(({ installIPythonCli }) => installIPythonCli(argv));
  }
  return undefined;
}
