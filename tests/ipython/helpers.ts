/** Shared set-up for the IPython extension tests: a temp HOME with the extension installed by the real CLI. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, pythonJson, ROOT, tmp, writeFile } from "../helpers/index.js";

/** Debian's python3: ipykernel, jupyter_client and nbclient live there (not in a pyenv python3 on PATH). */
export const PYTHON = "/usr/bin/python3";
export const DRIVER = join(ROOT, "tests", "ipython", "driver.py");

export interface IPyEnv {
  dir: string;
  home: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function requireBuilt(): void {
  if (!existsSync(join(ROOT, "dist", "kernel", "host.js"))) throw new Error("not built: run `npm run build` first");
}

/**
 * A temp folder with a HOME (the extension installed there with `install --ipython --user`,
 * which Python's user site picks up), a state dir, and a notebook folder whose openclaw.json
 * binds the gateway to a free loopback port, indexes the repo's workspace and finds scripted models.
 */
export function ipyEnv(t?: { after(fn: () => void): void }): IPyEnv {
  requireBuilt();
  // Without t the caller removes dir (extension.test.ts does, in its after hook).
  const dir = t ? tmp(t, "openclaw-ipython-test-") : mkdtempSync(join(tmpdir(), "openclaw-ipython-test-"));
  const home = join(dir, "home");
  const cwd = join(dir, "work");
  for (const d of ["home", "state", "work/scripts", "work-bg", "runtime"]) mkdirSync(join(dir, d), { recursive: true });
  const r = cli(["install", "--ipython", "--user", "--python", PYTHON], { env: { HOME: home } });
  if (r.code !== 0) throw new Error(`install --ipython failed: ${r.stderr}${r.stdout}`);
  writeFile(join(cwd, "openclaw.json"), {
    gateway: { bind: "127.0.0.1:0" },
    agentDefaults: { workspace: join(ROOT, "workspace") },
    models: { providers: { scripted: { scriptsDir: "./scripts" } } },
  });
  writeFile(join(cwd, "scripts", "ipython-test.json"), { description: "ipython test: one answer, no tools", turns: [{ content: "Hello from the scripted model." }] });
  writeFile(join(dir, "work-bg", "openclaw.json"), { gateway: { bind: "127.0.0.1:0" }, tools: { exec: { backgroundMs: 300 } } });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    JUPYTER_RUNTIME_DIR: join(dir, "runtime"),
    JUPYTER_DATA_DIR: join(dir, "data"),
    JUPYTER_CONFIG_DIR: join(dir, "config"),
    OPENCLAW_STATE_DIR: join(dir, "state"),
    OPENCLAW_CONFIG: "",
    OPENAI_API_KEY: "",
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    OC_CWD: cwd,
    OC_CWD_BG: join(dir, "work-bg"),
  };
  return { dir, home, cwd, env };
}

/** Runs driver.py with the scenarios named; resolves with its JSON document. */
export function runDriver(k: IPyEnv, scenarios: string[], extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 900_000): Promise<Record<string, any>> {
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
