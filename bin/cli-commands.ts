/**
 * The terminal-only commands' code: `install` writes a kernelspec, `kernel` runs the
 * Jupyter kernel. Their grammar (flags, help, README reference) is in
 * magics/commands/kernel.ts; the code lives here, with the CLI entry, so the only
 * arrows to kernel/ start at the top (nothing in magics/ or runtime/ imports kernel/).
 */
import { EXIT, UsageError } from "../runtime/errors.js";
import { box, code, pre, table } from "../magics/render/html.js";
import type { CommandSpec } from "../magics/types.js";

export const CLI_RUNNERS: Record<string, CommandSpec["run"]> = {
  async install(args, ctx) {
    const f = args.flags as { user?: boolean; "sys-prefix"?: boolean; prefix?: string; name: string; warm?: boolean };
    const chosen = [f.user && "--user", f["sys-prefix"] && "--sys-prefix", f.prefix !== undefined && "--prefix"].filter(Boolean);
    if (chosen.length > 1) throw new UsageError(`choose one of ${chosen.join(", ")}`, { fix: "e.g. `install --user`" });
    const { installKernelspec } = await import("../kernel/kernelspec.js");
    const target = f.prefix !== undefined ? { kind: "prefix" as const, prefix: f.prefix } : f["sys-prefix"] ? { kind: "sys-prefix" as const } : { kind: "user" as const };
    const r = installKernelspec(target, f.name, ctx.env);
    const snapshot = f.warm ? await warmSnapshot() : undefined;
    const text =
      `installed kernelspec "${r.name}" in ${r.dir}\n  argv: ${JSON.stringify(r.kernelJson.argv)}\n` +
      (target.kind === "prefix" ? `  use it with JUPYTER_PATH=${r.dir.replace(/\/kernels\/[^/]+$/, "")}` : `  check with: jupyter kernelspec list`) +
      (snapshot ? `\n  TypeScript compiler snapshot: ${snapshot.state}${snapshot.path ? ` (${snapshot.path})` : ""}` : "");
    return {
      command: "install",
      exitCode: EXIT.OK,
      data: { ...r, ...(snapshot ? { snapshot } : {}) },
      text,
      html: box("oc-install", "kernelspec installed", table(["name", "folder"], [[code(r.name), code(r.dir)]]) + pre(JSON.stringify(r.kernelJson, null, 2))),
    };
  },
  async kernel(args, ctx) {
    const file = args.flags["connection-file"] as string | undefined;
    if (!file) throw new UsageError("`kernel` needs --connection-file F", { fix: 'Jupyter runs it for you: install the kernelspec with `openclaw-kernel install` and pick "OpenClaw (TypeScript)"' });
    const { runKernel } = await import("../kernel/main.js");
    const code = await runKernel({ connectionFile: file, insecure: args.flags.insecure === true, cwd: ctx.cwd, env: ctx.env });
    // Sockets and timers of user cells must not keep a shut-down kernel alive.
    process.exit(code);
  },
};

/**
 * `install --warm`: builds the TypeScript compiler snapshot the kernels of every folder start
 * from (kernel/ts-snapshot.ts), unless one is current. Never fails the install: a build that
 * cannot run leaves the first kernel to build it in the background, as without --warm.
 */
async function warmSnapshot(): Promise<{ state: "built" | "present" | "off" | "failed"; path?: string }> {
  const [{ buildSnapshot, findSnapshot, snapshotsEnabled }, { codeCacheDir }, { PRELUDE }] = await Promise.all([import("../kernel/ts-snapshot.js"), import("../runtime/cache-dir.js"), import("../kernel/typescript.js")]);
  const dir = codeCacheDir();
  if (!snapshotsEnabled() || !dir) return { state: "off" };
  const have = findSnapshot(dir);
  if (have) return { state: "present", path: have };
  process.stderr.write("building the TypeScript compiler snapshot (once per Node and package version; a few seconds)\n");
  // the build runs in an unref'ed child: hold the process open until it ends
  const hold = setInterval(() => undefined, 1000);
  try {
    const ok = await buildSnapshot(dir, PRELUDE);
    const path = findSnapshot(dir);
    return ok && path ? { state: "built", path } : { state: "failed" };
  } finally {
    clearInterval(hold);
  }
}
