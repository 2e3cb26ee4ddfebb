import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { needsSystemTool, ROOT, tmp } from "../helpers/index.js";
import { executeNotebook } from "./execute.js";

const CHROMIUM = "/usr/bin/chromium";

/** nbconvert's HTML export of an executed notebook, as `npm start` writes it. */
function exportHtml(t: { after(fn: () => void): void }, ipynb: string): string {
  const out = tmp(t, "openclaw-html-");
  const r = spawnSync("/usr/bin/python3", ["-m", "nbconvert", "--to", "html", "--output-dir", out, ipynb], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return join(out, ipynb.split("/").pop()!.replace(/\.ipynb$/, ".html"));
}

test("the HTML export renders citation cards and the agent transcript in a real browser", { skip: needsSystemTool(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`, "chromium") }, async (t) => {
  const state = tmp(t, "openclaw-browser-");
  const rag = exportHtml(t, executeNotebook(t, "03-local-rag", { OPENCLAW_STATE_DIR: state }).outPath);
  const agent = exportHtml(t, executeNotebook(t, "04-agent-turns", { OPENCLAW_STATE_DIR: state }).outPath);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    await page.goto(`file://${rag}`);
    const cards = page.locator(".oc-citation");
    assert.ok((await cards.count()) >= 3, "citation cards are in the page");
    const first = cards.first();
    assert.ok(await first.isVisible(), "the first card is visible");
    assert.match(await first.locator(".oc-source").innerText(), /onboarding\.md/);
    assert.ok((await first.locator(".oc-score-bar").boundingBox())!.width > 20, "the score bar has a width");
    assert.ok((await page.locator(".oc-citation mark").count()) > 0, "query terms are marked");
    mkdirSync(join(ROOT, ".test-artifacts"), { recursive: true });
    await first.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ROOT, ".test-artifacts", "citations.png"), fullPage: true });

    await page.goto(`file://${agent}`);
    const turn = page.locator(".oc-agent").first();
    assert.ok(await turn.isVisible(), "the agent transcript is visible");
    assert.ok((await turn.locator(".oc-step").count()) >= 2, "each model step is shown");
    assert.match(await turn.innerText(), /SCRIPTED/);
    assert.match(await turn.innerText(), /local-rag/);
    await page.screenshot({ path: join(ROOT, ".test-artifacts", "agent-transcript.png"), fullPage: true });
  } finally {
    await browser.close();
  }
});
