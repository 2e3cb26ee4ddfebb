/** Shared set-up for the kernel tests: a kernelspec in a temp JUPYTER_PATH and the python driver. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, pythonJson, requirePythonModules, ROOT, tmp } from "../helpers/index.js";

export const PYTHON = "/usr/bin/python3";
export const DRIVER = join(ROOT, "tests", "kernel", "driver.py");

export interface KernelEnv {
  dir: string;
  jupyterPath: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Builds nothing: `npm test` builds first; here we only check the compiled kernel is present. */
export function requireBuilt(): void {
  if (!existsSync(join(ROOT, "dist", "kernel", "main.js"))) throw new Error("the kernel is not built: run `npm run build` first");
}

/**
 * A temp prefix holding the kernelspec (installed by the real CLI), a HOME, a state dir and a notebook folder.
 * Removed after t when given; without t (a describe's before()) the caller removes k.dir in its after().
 */
export function kernelEnv(t?: { after(fn: () => void): void }): KernelEnv {
  requireBuilt();
  requirePythonModules(["jupyter_client"], ["python3-jupyter-client"]);
  const dir = t ? tmp(t, "openclaw-kernel-test-") : mkdtempSync(join(tmpdir(), "openclaw-kernel-test-"));
  const r = cli(["install", "--prefix", dir, "--name", "openclaw-test"]);
  if (r.code !== 0) throw new Error(`install failed: ${r.stderr}${r.stdout}`);
  const cwd = join(dir, "work");
  for (const d of ["home", "state", "work", "runtime"]) mkdirSync(join(dir, d), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: join(dir, "share", "jupyter"),
    JUPYTER_RUNTIME_DIR: join(dir, "runtime"),
    JUPYTER_DATA_DIR: join(dir, "data"),
    JUPYTER_CONFIG_DIR: join(dir, "config"),
    HOME: join(dir, "home"),
    OPENCLAW_STATE_DIR: join(dir, "state"),
    OPENCLAW_CONFIG: "",
    OC_KERNEL: "openclaw-test",
    OC_CWD: cwd,
  };
  return { dir, jupyterPath: env.JUPYTER_PATH!, env, cwd };
}

/** Runs driver.py with the scenarios named; resolves with its JSON document. */
export function runDriver(k: KernelEnv, scenarios: string[], extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 240_000): Promise<Record<string, any>> {
  return pythonJson([DRIVER, scenarios.join(",")], { env: { ...k.env, ...extraEnv }, timeoutMs, what: "driver" }).then((r) => r.value);
}

/** Every file under dir whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p, { throwIfNoEntry: false });
      if (!s) continue;
      if (s.isDirectory()) walk(p);
      else if (s.isFile() && s.size < 50 * 1024 * 1024 && readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}
