#!/usr/bin/env node
/**
 * Regenerates README.md's benchmark table (between <!-- bench:start --> and
 * <!-- bench:end -->) from bench/results.json, i.e. from one `npm run bench` run,
 * with the machine's load during that run. Every row is printed as the run produced it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const res = JSON.parse(readFileSync(join(root, "bench", "results.json"), "utf8"));
const fmt = (n) => (n === undefined || n === null || Number.isNaN(n) ? "" : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(3));
const cell = (s) => String(s ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
const load = (l) => (Array.isArray(l) ? l.map((x) => x.toFixed(2)).join(" / ") : "unknown");
const lines = [
  `\`npm run bench\` run on ${res.date.slice(0, 16).replace("T", " ")} UTC (${res.cpus ?? "?"} cores, Node ${res.node}, ${res.minutes ? `${res.minutes.toFixed(0)} minutes` : "duration unknown"}${res.only?.length ? `, only ${res.only.join(", ")}` : ""}).`,
  `Machine load average (1 / 5 / 15 min) at the start ${load(res.loadStart)}, at the end ${load(res.loadEnd)}: a load well above the core count means`,
  "the absolute figures are slower than on an idle machine; each ratio compares figures taken in the same run. Regenerate with",
  "`npm run bench && node scripts/bench-table.mjs` (`bench/results.json` holds every row).",
  "",
  "| bench | what | ours | peer, same run | ratio | target | notes |",
  "|---|---|---|---|---|---|---|",
  ...res.rows.map((r) =>
    `| ${cell(r.bench)} | ${cell(r.name)} | ${fmt(r.value)} ${cell(r.unit)} | ${r.peer ? `${cell(r.peer)}: ${fmt(r.peerValue)} ${cell(r.unit)}` : ""} | ${r.ratio !== undefined && r.ratio !== null ? `${r.ratio.toFixed(2)}x` : ""} | ${r.target ? `${cell(r.target)}: ${r.pass === undefined ? "-" : r.pass ? "met" : "**MISSED**"}` : ""} | ${cell(r.note)} |`,
  ),
  "",
  "The rendered tutorials, as the browser test sees them: [citations](notebooks/screenshots/citations.png),",
  "[an agent transcript](notebooks/screenshots/agent-transcript.png), [the gateway's control UI](notebooks/screenshots/gateway-ui.png).",
];
const readme = readFileSync(join(root, "README.md"), "utf8");
const a = readme.indexOf("<!-- bench:start -->");
const b = readme.indexOf("<!-- bench:end -->");
if (a < 0 || b < a) throw new Error("README.md has no <!-- bench:start --> … <!-- bench:end --> block");
writeFileSync(join(root, "README.md"), `${readme.slice(0, a)}<!-- bench:start -->\n${lines.join("\n")}\n${readme.slice(b)}`);
console.log(`README.md benchmark table: ${res.rows.length} rows from ${res.date}`);
