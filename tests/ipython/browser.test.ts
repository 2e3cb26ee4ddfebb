/**
 * The Python-kernel RAG lesson in the classic Notebook UI (Debian's notebook 6, a live server on
 * 127.0.0.1) in Chromium: Run All through ipykernel + the extension, citation cards rendered in
 * the page; a screenshot goes to .test-artifacts/ipython-citations.png.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { chromium } from "playwright-core";
import { ROOT, writeFile } from "../helpers/index.js";
import { ipyEnv, PYTHON } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";

// The page's globals, for the callbacks below that run in the browser (waitForFunction,
// evaluate). Declared here, not with the DOM lib in tsconfig.test.json: that lib would
// shadow Node's own types (AbortSignal.any) for every test on the TypeScript tslab ships.
interface PageElement {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
}
declare const window: { Jupyter?: any };
declare const document: PageElement;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

test("classic Notebook UI: the Python-kernel RAG lesson shows citation cards", { timeout: 900_000, skip: existsSync(CHROMIUM) ? false : "Debian chromium is not installed" }, async (t) => {
  const k = ipyEnv(t);
  const dir = join(k.dir, "nb");
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(ROOT, "notebooks", "ipython", "03-local-rag.ipynb"), join(dir, "03-local-rag.ipynb"));
  writeFile(join(dir, "openclaw.json"), { gateway: { bind: "127.0.0.1:0" }, agentDefaults: { workspace: join(ROOT, "workspace") }, models: { providers: { scripted: { scriptsDir: join(ROOT, "notebooks", "scripts") } } } });
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const server = spawn(PYTHON, ["-m", "notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", `--NotebookApp.token=${token}`, `--notebook-dir=${dir}`], {
    env: k.env,
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
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    await page.goto(`http://127.0.0.1:${port}/notebooks/03-local-rag.ipynb?token=${token}`);
    await page.waitForFunction(() => (window as any).Jupyter?.notebook?.kernel?.is_connected?.() === true, undefined, { timeout: 180_000 });
    await page.evaluate(() => (window as any).Jupyter.notebook.execute_all_cells());
    // Every cell ran: the last one (the agent turn) has its output and nothing is running.
    await page.waitForFunction(
      () => {
        const cells = [...document.querySelectorAll(".cell.code_cell")];
        return cells.length > 0 && document.querySelectorAll(".cell.running").length === 0 && cells.at(-1)!.querySelector(".output_area") !== null && document.querySelectorAll(".oc-citation").length >= 3;
      },
      undefined,
      { timeout: 600_000, polling: 500 },
    );
    assert.equal(await page.locator(".output_error").count(), 0, "no cell failed");
    const cards = page.locator(".oc-citation");
    assert.ok((await cards.count()) >= 3);
    const first = cards.first();
    assert.match(await first.locator(".oc-source").innerText(), /onboarding\.md/);
    assert.ok((await first.locator(".oc-score-bar").boundingBox())!.width > 20, "the score bar has a width");
    await page.locator(".cell.code_cell").nth(1).scrollIntoViewIfNeeded();
    await page.locator(".cell.code_cell").nth(2).evaluate((el) => el.scrollIntoView({ block: "start" }));
    mkdirSync(join(ROOT, ".test-artifacts"), { recursive: true });
    const shot = join(ROOT, ".test-artifacts", "ipython-citations.png");
    await page.screenshot({ path: shot });
    assert.ok(readFileSync(shot).length > 10_000);
  } finally {
    await browser.close();
  }
});
