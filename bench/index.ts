/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line),
 * prints each figure beside its peer from the same run, and writes bench/results.json.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Bench, BenchRow } from "./types.js";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => !only.length || only.some((o) => f.startsWith(o)))
  .sort();

const fmt = (n: number | undefined) => (n === undefined ? "" : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(3));
const all: Array<BenchRow & { bench: string }> = [];
// The machine's load beside the figures: ratios are from the same run, absolute figures move with it.
const loadStart = loadavg();
const started = Date.now();
for (const f of files) {
  const name = f.replace(/\.bench\.ts$/, "");
  process.stderr.write(`\n== ${name} ==\n`);
  try {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: Bench };
    const rows = await mod.default();
    for (const r of rows) {
      all.push({ bench: name, ...r });
      const peer = r.peer ? `  vs ${r.peer}: ${fmt(r.peerValue)} ${r.unit}${r.ratio !== undefined ? `  (ratio ${r.ratio.toFixed(2)}x)` : ""}` : "";
      const tgt = r.target ? `  target ${r.target}: ${r.pass === undefined ? "-" : r.pass ? "met" : "MISSED"}` : "";
      console.log(`${r.name}: ${fmt(r.value)} ${r.unit}${peer}${tgt}${r.note ? `  (${r.note})` : ""}`);
    }
  } catch (e) {
    console.log(`${name}: FAILED ${(e as Error).stack ?? e}`);
    all.push({ bench: name, name: "failed", value: NaN, unit: "", note: String((e as Error).message ?? e) });
  }
}
writeFileSync(join(here, "results.json"), JSON.stringify({ node: process.versions.node, date: new Date().toISOString(), cpus: cpus().length, loadStart, loadEnd: loadavg(), minutes: (Date.now() - started) / 60000, only, rows: all }, null, 2) + "\n");
const missed = all.filter((r) => r.pass === false);
console.log(`\n${all.length} figures, ${missed.length} targets missed${missed.length ? ": " + missed.map((r) => r.name).join("; ") : ""}`);
