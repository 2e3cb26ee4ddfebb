/**
 * Issue 13 ("reading well"): the live classic Notebook UI (Debian's notebook 6 server on
 * 127.0.0.1 with a token, the openclaw kernel) in Chromium, light and dark. A notebook
 * runs the citations (`rag query`), a scripted agent turn, `audit tail`, `models list`,
 * `exec list` and TypeScript cells using the `openclaw` API; then, by script, in both
 * themes: no output element is wider than its box (scrollWidth <= clientWidth: tables
 * wrap instead of overlapping), no element of ours paints a light background on the dark
 * page, the answer's citation link opens the cited file, and `openclaw.magic()` shows
 * its output once. Screenshots of the four views in both themes are written as
 * classic-{light,dark}-{agent,citations,audit,models}.png to .test-artifacts/, or with
 * OPENCLAW_SCREENSHOTS=1 to notebooks/screenshots/ (the copies kept in the repository).
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { kernelEnv, PYTHON } from "../kernel/helpers.js";
import { ROOT, writeFile } from "../helpers/index.js";
import { chromiumSkip, launchChromium, notebookServer, runAll } from "../helpers/notebook-ui.js";

// Browser globals for the functions page.evaluate runs in the page (tests compile without the DOM lib).
declare const document: any, window: any;

// The kept copies (notebooks/screenshots) are refreshed with OPENCLAW_SCREENSHOTS=1; an ordinary
// run writes to .test-artifacts/ so `npm test` leaves the tree clean (timestamps and hashes differ each run).
const SHOTS = process.env.OPENCLAW_SCREENSHOTS === "1" ? join(ROOT, "notebooks", "screenshots") : join(ROOT, ".test-artifacts");


const cell = (source: string) => ({ cell_type: "code", metadata: {}, execution_count: null, outputs: [], source });

const CELLS = [
  '%openclaw rag query "How do we onboard new hires for product training?" --topk 3',
  "%%openclaw agent --model scripted/onboarding.json\nHow do we onboard new hires for product training?",
  '%openclaw skills run greet name="a_rather_long_parameter_value_with_no_space_nor_hyphen_at_all_that_must_wrap_inside_its_table_cell_rather_than_run_over_the_next_column"',
  "%openclaw audit tail -n 6",
  "%openclaw models list",
  "%openclaw exec list",
  'const r = await openclaw.rag.query("recorded demo sessions", { topk: 2 });\nr',
  'await openclaw.magic("audit head")',
];

/** A dark theme as classic Notebook users get one (jupyterthemes-like): dark page, light text, no --jp-* variables. */
const DARK = `
body, #notebook, #notebook-container, #header, #menubar-container, .cell, div.input_area, div.output_area, div.output_subarea, .rendered_html, .CodeMirror, div.prompt, .output_wrapper {
  background: #1e1e1e !important; color: #d4d4d4 !important; }
.rendered_html pre, .rendered_html code, .rendered_html table { color: #d4d4d4; background: #1e1e1e; }
`;

/**
 * Output elements wider than their box, and (dark) our elements painting a light background.
 * Plain JavaScript in a string: the test's compiler (tsx) would wrap named inner functions
 * in a helper the page does not have.
 */
const AUDIT = `(dark) => {
  const describe = (el) => el.tagName.toLowerCase() + "." + [...el.classList].join(".") + " in " + (el.closest(".openclaw")?.className ?? "?") + ": " + (el.innerText ?? "").slice(0, 60);
  const overflow = [];
  const glare = [];
  const dim = [];
  const subareas = [...document.querySelectorAll(".output_subarea")];
  for (const el of [...subareas, ...document.querySelectorAll(".output_subarea .openclaw, .output_subarea .openclaw :is(div, table, td, th, pre, details)")]) {
    if (el.clientWidth === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1) overflow.push(describe(el) + " (scrollWidth " + el.scrollWidth + " > clientWidth " + el.clientWidth + ")");
  }
  if (dark) {
    for (const el of document.querySelectorAll(".output_subarea .openclaw, .output_subarea .openclaw *")) {
      // a light fill behind text glares; a bar with no text (the score bar) is a colour on purpose
      if (!(el.innerText ?? "").trim()) continue;
      const bg = getComputedStyle(el).backgroundColor;
      const m = /rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)/.exec(bg);
      if (!m) continue;
      const a = m[4] === undefined ? 1 : Number(m[4]);
      // what it adds over the dark page (#1e1e1e): a light fill shows as glare
      const lum = (0.2126 * Number(m[1]) + 0.7152 * Number(m[2]) + 0.0722 * Number(m[3])) * a + 30 * (1 - a);
      if (lum > 110) glare.push(describe(el) + " background " + bg);
    }
    // and no text of ours too dark to read on it (the muted grey of a light theme)
    for (const el of document.querySelectorAll(".output_subarea .openclaw, .output_subarea .openclaw *")) {
      if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
      const m = /rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)/.exec(getComputedStyle(el).color);
      // a colour the browser keeps symbolic (a color-mix of currentColor) cannot be judged here: not allowed
      if (!m) { dim.push(describe(el) + " unresolved color " + getComputedStyle(el).color); continue; }
      const a = m[4] === undefined ? 1 : Number(m[4]);
      const lum = (0.2126 * Number(m[1]) + 0.7152 * Number(m[2]) + 0.0722 * Number(m[3])) * a + 30 * (1 - a);
      if (lum < 100) dim.push(describe(el) + " color " + getComputedStyle(el).color);
    }
  }
  return { overflow, glare, dim, outputs: subareas.length };
}`;

async function audit(page: Page, dark: boolean): Promise<{ overflow: string[]; glare: string[]; dim: string[]; outputs: number }> {
  return page.evaluate(`(${AUDIT})(${dark})`) as Promise<{ overflow: string[]; glare: string[]; dim: string[]; outputs: number }>;
}

test("classic Notebook UI in Chromium, light and dark: outputs fit their cells, follow the theme, citations link to their file; screenshots kept", { timeout: 600_000, skip: chromiumSkip() }, async (t) => {
  const k = kernelEnv(t);
  const site = join(k.dir, "site");
  const nb = join(site, "notebooks");
  cpSync(join(ROOT, "workspace"), join(site, "workspace"), { recursive: true });
  for (const d of ["scripts", "skills"]) cpSync(join(ROOT, "notebooks", d), join(nb, d), { recursive: true });
  const conf = JSON.parse(readFileSync(join(ROOT, "notebooks", "openclaw.json"), "utf8"));
  conf.gateway.bind = "127.0.0.1:0";
  writeFile(join(nb, "openclaw.json"), conf);
  writeFile(join(nb, "reading.ipynb"), {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "openclaw-test", display_name: "OpenClaw (TypeScript)", language: "typescript" } },
    cells: CELLS.map((c, i) => ({ ...cell(c), id: `c${i}` })),
  });
  const server = await notebookServer(t, { python: PYTHON, dir: site, env: k.env });
  const browser = await launchChromium(t);
  // 1000 px: a laptop-sized window, where the audit table's eight columns must wrap
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  await runAll(page, server.url("notebooks/notebooks/reading.ipynb"), 120_000);
  await page.waitForFunction(
    (n) => {
      const cells = [...document.querySelectorAll(".cell.code_cell")];
      return cells.length === n && document.querySelectorAll(".cell.running").length === 0 && cells.every((c) => c.querySelector(".output_area"));
    },
    CELLS.length,
    { timeout: 420_000, polling: 500 },
  );
  const cells = page.locator(".cell.code_cell");
  const errors = await page.locator(".output_error").allInnerTexts();
  assert.deepEqual(errors, [], "no cell failed");

  // what the views hold
  const citations = cells.nth(0).locator(".oc-rag");
  assert.ok((await citations.locator(".oc-citation").count()) >= 3);
  const agent = cells.nth(1).locator(".oc-agent");
  assert.ok((await agent.locator(".oc-step").count()) >= 2);
  assert.ok((await agent.locator(".oc-tool-rag .oc-citation").count()) >= 1, "the tool's RAG output shows as cards");
  const cite = agent.locator("a.oc-cite").first();
  assert.match(await cite.innerText(), /onboarding\.md:7-22/);
  const auditTail = cells.nth(3).locator(".oc-audit-tail");
  assert.ok((await auditTail.locator("tbody tr").count()) >= 2);
  const models = cells.nth(4).locator(".oc-models");
  assert.ok((await models.locator("tbody tr").count()) >= 2);
  // item 11: an API result renders as the magic's output; magic() shows its output once
  assert.equal(await cells.nth(6).locator(".output_subarea .oc-rag .oc-citation").count(), 2, "a RagResult as citation cards");
  assert.equal(await cells.nth(7).locator(".output_subarea").count(), 1, "openclaw.magic() output shown once");
  assert.equal(await cells.nth(7).locator(".oc-audit-head").count(), 1);

  mkdirSync(SHOTS, { recursive: true });
  // tall enough that the notebook's own scroller holds each view whole for its screenshot
  await page.setViewportSize({ width: 1000, height: 2800 });
  for (const theme of ["light", "dark"] as const) {
    if (theme === "dark") await page.addStyleTag({ content: DARK });
    const r = await audit(page, theme === "dark");
    assert.ok(r.outputs >= CELLS.length);
    assert.deepEqual(r.overflow, [], `${theme}: no output wider than its cell`);
    assert.deepEqual(r.glare, [], `${theme}: no light background of ours on the dark page`);
    assert.deepEqual(r.dim, [], `${theme}: no text of ours too dark to read on the dark page`);
    for (const [name, loc] of [["citations", citations], ["agent", agent], ["audit", auditTail], ["models", models]] as const) {
      await loc.scrollIntoViewIfNeeded();
      await loc.screenshot({ path: join(SHOTS, `classic-${theme}-${name}.png`) });
    }
  }
  // The answer's citation, clicked as a person would: it opens the cited file (a new tab).
  assert.equal(await cite.getAttribute("target"), "_blank");
  const [tab] = await Promise.all([context.waitForEvent("page"), cite.click()]);
  await tab.waitForLoadState();
  assert.match(tab.url(), /\/files\/workspace\/onboarding\.md#line=7$/, "classic Notebook serves the cited file through /files/");
  assert.match(await tab.locator("body").innerText(), /onboard/i, `the cited file's text: ${(await tab.locator("body").innerText()).slice(0, 300)}`);
});
