/**
 * The classic Notebook UI in Chromium, for the browser tests: Debian's notebook 6 server on
 * 127.0.0.1 with a token (stopped after the test), and Debian's Chromium driven by
 * playwright-core (closed after the test). Under CI=true a missing Chromium fails the run.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { freePort, needsSystemTool } from "./index.js";

export const CHROMIUM = "/usr/bin/chromium";

/** The `skip` option of a browser test. */
export function chromiumSkip(): false | string {
  return needsSystemTool(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`, "chromium");
}

type After = { after(fn: () => unknown): void };

/** Starts `python -m notebook` on a free loopback port serving `dir`; resolves once it listens. `url(path)` adds the token. */
export async function notebookServer(t: After, opts: { python: string; dir: string; env: NodeJS.ProcessEnv }): Promise<{ url(path: string): string }> {
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const server = spawn(opts.python, ["-m", "notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", `--NotebookApp.token=${token}`, `--notebook-dir=${opts.dir}`], {
    env: opts.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const up = new Promise<void>((resolve, reject) => {
    const on = (d: Buffer) => {
      log += d;
      if (log.includes(`127.0.0.1:${port}/`)) resolve();
    };
    server.stdout.on("data", on);
    server.stderr.on("data", on);
    server.once("exit", (code) => reject(new Error(`notebook server exited ${code}: ${log.slice(-2000)}`)));
  });
  const stopped = new Promise((r) => server.once("exit", r));
  t.after(async () => {
    if (server.exitCode === null) {
      server.kill("SIGTERM");
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.exitCode === null) server.kill("SIGKILL");
    }
  });
  await up;
  return { url: (path) => `http://127.0.0.1:${port}/${path.replace(/^\//, "")}?token=${token}` };
}

/** Headless Debian Chromium, closed after the test. */
export async function launchChromium(t: After): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  t.after(() => browser.close());
  return browser;
}

// The page's globals, for the callbacks that run in the browser (tests compile without the DOM lib).
declare const window: { Jupyter?: any };

/** Opens a notebook page, waits for its kernel to connect and runs all cells (the caller waits for what it expects). */
export async function runAll(page: Page, url: string, connectMs: number): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => window.Jupyter?.notebook?.kernel?.is_connected?.() === true, undefined, { timeout: connectMs });
  await page.evaluate(() => window.Jupyter.notebook.execute_all_cells());
}
