/**
 * The Python-kernel RAG lesson in the classic Notebook UI (Debian's notebook 6, a live server on
 * 127.0.0.1) in Chromium: Run All through ipykernel + the extension, citation cards rendered in
 * the page; a screenshot goes to .test-artifacts/ipython-citations.png.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, writeFile } from "../helpers/index.js";
import { chromiumSkip, launchChromium, notebookServer, runAll } from "../helpers/notebook-ui.js";
import { ipyEnv, PYTHON } from "./helpers.js";

// The page's globals, for the callbacks below that run in the browser (waitForFunction,
// evaluate). Declared here, not with the DOM lib in tsconfig.test.json: that lib would
// shadow Node's own types (AbortSignal.any) for every test on the TypeScript tslab ships.
interface PageElement {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
}
declare const document: PageElement;

test("classic Notebook UI: the Python-kernel RAG lesson shows citation cards", { timeout: 900_000, skip: chromiumSkip() }, async (t) => {
  const k = ipyEnv(t);
  const dir = join(k.dir, "nb");
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(ROOT, "notebooks", "ipython", "03-local-rag.ipynb"), join(dir, "03-local-rag.ipynb"));
  writeFile(join(dir, "openclaw.json"), { gateway: { bind: "127.0.0.1:0" }, agentDefaults: { workspace: join(ROOT, "workspace") }, models: { providers: { scripted: { scriptsDir: join(ROOT, "notebooks", "scripts") } } } });
  const server = await notebookServer(t, { python: PYTHON, dir, env: k.env });
  const browser = await launchChromium(t);
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  await runAll(page, server.url("notebooks/03-local-rag.ipynb"), 180_000);
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
});
