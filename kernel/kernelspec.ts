/**
 * `openclaw-kernel install`: writes the kernelspec (kernel.json + logos) into a Jupyter
 * data dir without Python: --user (default), --sys-prefix, or --prefix P.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../runtime/errors.js";

export type InstallTarget = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; prefix: string };

export interface InstallResult {
  name: string;
  dir: string;
  kernelJson: Record<string, unknown>;
  files: string[];
}

const here = dirname(fileURLToPath(import.meta.url));

/** The package root, from dist/kernel or kernel/ (tsx). */
function packageDir(): string {
  for (const d of [resolve(here, ".."), resolve(here, "../..")]) if (existsSync(join(d, "package.json")) && existsSync(join(d, "bin"))) return d;
  return resolve(here, "..");
}

/** The CLI entry the kernelspec runs: the compiled JS (faster start) if built, else the launcher. */
export function kernelEntry(): string {
  const root = packageDir();
  const dist = join(root, "dist", "bin", "openclaw-kernel.js");
  return existsSync(dist) ? dist : join(root, "bin", "openclaw-kernel");
}

function assetsDir(): string {
  return join(packageDir(), "kernel", "assets");
}

function sysPrefix(): string {
  try {
    return execFileSync("python3", ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8", timeout: 5000, stdio: ["ignore", "pipe", "ignore"] }).trim() || "/usr/local";
  } catch {
    return "/usr/local";
  }
}

/** The kernels folder Jupyter searches for this target. */
export function kernelsDir(target: InstallTarget, env: NodeJS.ProcessEnv = process.env): string {
  switch (target.kind) {
    case "user": {
      const data = env.JUPYTER_DATA_DIR || (process.platform === "darwin" ? join(homedir(), "Library", "Jupyter") : join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "jupyter"));
      return join(data, "kernels");
    }
    case "sys-prefix":
      return join(sysPrefix(), "share", "jupyter", "kernels");
    case "prefix":
      return join(resolve(target.prefix), "share", "jupyter", "kernels");
  }
}

export function kernelJson(): Record<string, unknown> {
  return {
    argv: [process.execPath, kernelEntry(), "kernel", "--connection-file", "{connection_file}"],
    display_name: "OpenClaw (TypeScript)",
    language: "typescript",
    interrupt_mode: "message",
    env: {},
    metadata: { debugger: false, openclaw: { entry: kernelEntry() } },
  };
}

export function installKernelspec(target: InstallTarget, name = "openclaw", env: NodeJS.ProcessEnv = process.env): InstallResult {
  if (!/^[a-z0-9._-]+$/i.test(name)) throw new UsageError(`invalid kernel name "${name}"`, { fix: "use letters, digits, '.', '_' or '-' (e.g. openclaw)" });
  const dir = join(kernelsDir(target, env), name.toLowerCase());
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create ${dir}: ${(e as Error).message}`, { fix: target.kind === "user" ? "check the permissions of your home folder" : "use --user, or run with permission to write there" });
  }
  const spec = kernelJson();
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  const files = [join(dir, "kernel.json")];
  for (const logo of ["logo-32x32.png", "logo-64x64.png"]) {
    const src = join(assetsDir(), logo);
    if (existsSync(src)) {
      copyFileSync(src, join(dir, logo));
      files.push(join(dir, logo));
    }
  }
  return { name: name.toLowerCase(), dir, kernelJson: spec, files };
}
