// The control UI in headless Chromium (Debian's, driven by playwright-core): it loads,
// connects over the WebSocket, shows health and the skills list; a screenshot is saved
// to .test-artifacts/gateway-ui.png.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { FIXTURE_SKILLS } from "../fixtures/runtime.js";
import { needsSystemTool, ROOT, tmp, writeFile } from "../helpers/index.js";
import { startGateway } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const NO_CHROMIUM = needsSystemTool(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`, "chromium");
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

test("control UI in headless Chromium: loads, shows health and skills, screenshot saved", { skip: NO_CHROMIUM, timeout: 60_000 }, async (t) => {
  const { chromium } = await import("playwright-core");
  const skills = tmp(t, "oc-ui-skills-");
  writeFile(join(skills, "doc-search", "SKILL.md"), '---\nname: doc-search\ndescription: "Search the local docs <b>with citations</b>"\nexec:\n  cmd: /bin/echo found\n---\n');
  writeFile(join(skills, "word-count", "SKILL.md"), "---\nname: word-count\ndescription: count words\nexec:\n  cmd: /bin/echo 3\n---\n");
  const { port, rt } = await startGateway(t, { auth: { mode: "token", tokenEnv: "OC_UI_TOKEN" } }, { env: { OC_UI_TOKEN: "ui-test-token-0123456789" }, config: { skills: { dirs: [FIXTURE_SKILLS, skills] } } });
  // One real audit record for the audit panel.
  assert.equal((await rt.door().invoke("word-count", {})).status, "ok");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const cspErrors: string[] = [];
  page.on("console", (m) => m.type() === "error" && cspErrors.push(m.text()));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector("#health .ok", { timeout: 10_000 });
  assert.match(await page.textContent("#health") ?? "", /ok.*openclaw-kernel 0\.\d+\.\d+/);
  // Token auth: the page asks for the token, then connects with it in the connect frame.
  await page.waitForSelector("#login", { state: "visible" });
  await page.fill("#token", "ui-test-token-0123456789");
  await page.click("#go");
  await page.waitForFunction(() => (globalThis as any).document.getElementById("conn")?.textContent === "connected", undefined, { timeout: 10_000 });
  await page.waitForSelector("#skills table", { timeout: 10_000 });
  const shown = await page.textContent("#skills");
  assert.match(shown ?? "", /local-rag/);
  assert.match(shown ?? "", /word-count/);
  assert.match(shown ?? "", /with citations/);
  assert.equal(await page.locator("#skills b").count(), 0, "descriptions are text, never markup");
  await page.waitForSelector("#audit table");
  await page.waitForSelector("#status table");
  assert.match((await page.textContent("#status")) ?? "", new RegExp(String(port)));
  const dir = join(ROOT, ".test-artifacts");
  mkdirSync(dir, { recursive: true });
  const shot = join(dir, "gateway-ui.png");
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 1000);
  assert.deepEqual(cspErrors.filter((e) => /Content Security Policy/i.test(e)), [], "the page's own script and socket pass its CSP");
});

test("control UI with deviceAuth: locked until the pairing code is entered, then connected", { skip: NO_CHROMIUM, timeout: 60_000 }, async (t) => {
  const { chromium } = await import("playwright-core");
  const { port, pairing } = await startGateway(t, { control: { ui: true, deviceAuth: true } }, {});
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector("#coderow", { state: "visible", timeout: 10_000 });
  assert.equal(await page.textContent("#conn"), "locked");
  assert.match((await page.textContent("#why")) ?? "", /pairing/);
  await page.fill("#code", pairing[0]!);
  await page.click("#go");
  await page.waitForFunction(() => (globalThis as any).document.getElementById("conn")?.textContent === "connected", undefined, { timeout: 10_000 });
  await page.waitForSelector("#skills table");
  assert.match((await page.textContent("#skills")) ?? "", /local-rag/);
  // A reload reconnects with the session it got, without a new code.
  await page.reload();
  await page.waitForFunction(() => (globalThis as any).document.getElementById("conn")?.textContent === "connected", undefined, { timeout: 10_000 });
  assert.equal(pairing.length, 2, "the used code was replaced");
});
