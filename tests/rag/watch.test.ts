// The freshness check of a long-lived host (runtime/rag/watch.ts): folder watches instead of a
// stat of every file on each query, and every change still seen by the next query, however
// soon it comes after the write.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs, { appendFileSync, linkSync, mkdirSync, readFile, statSync, utimesSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { scanWorkspace, snapshotOf } from "../../runtime/rag/loaders.js";
import { FreshnessWatch } from "../../runtime/rag/watch.js";
import { makeRuntime, watchedRag } from "./helpers.js";

/** lstat/stat calls on paths under `under` while `fn` runs (through the ESM named exports too). */
async function statsUnder<T>(under: string, fn: () => Promise<T>): Promise<{ result: T; stats: string[] }> {
  const stats: string[] = [];
  const orig = { lstatSync: fs.lstatSync, statSync: fs.statSync };
  const f = fs as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ["lstatSync", "statSync"] as const) {
    f[name] = (...a) => {
      if (String(a[0]).startsWith(under)) stats.push(String(a[0]));
      return (orig[name] as (...x: unknown[]) => unknown)(...a);
    };
  }
  syncBuiltinESMExports();
  try {
    return { result: await fn(), stats };
  } finally {
    Object.assign(fs, orig);
    syncBuiltinESMExports();
  }
}

test("a quiet workspace: once the watches are armed, queries stat no file (only the folders, by path)", async (t) => {
  const { rag, workspace } = await watchedRag(t);
  await rag.index();
  await rag.query("espresso", { mode: "hybrid" }); // sets the watches; this query's stat pass arms them
  assert.equal(rag.freshness?.watching, true, rag.freshness?.reason);
  const passes = rag.freshness!.statPasses;
  const quiet = await statsUnder(workspace, async () => {
    for (const mode of ["lexical", "hybrid", "dense", "lexical", "hybrid"] as const) await rag.query("fridge rules", { mode });
  });
  const folders = new Set(snapshotOf(scanWorkspace(workspace)).dirs.map((d) => d.path));
  assert.ok(quiet.stats.length > 0, "the folders are stat'ed");
  assert.deepEqual(quiet.stats.filter((p) => !folders.has(p)), [], "no file of the workspace is stat'ed");
  assert.equal(rag.freshness!.statPasses, passes);
  assert.equal(rag.scans, 1, "only the index itself scanned");
});

test("a file written just before a query is seen, whichever phase of the event loop asks", async (t) => {
  const { rag, workspace } = await watchedRag(t);
  await rag.index();
  await rag.query("espresso", { mode: "lexical" });
  assert.equal(rag.freshness?.watching, true, rag.freshness?.reason);
  const kitchen = join(workspace, "kitchen.md");
  const ask = (word: string) => {
    appendFileSync(kitchen, `\n## ${word}\n\nThe ${word} is cleaned by the night porter.\n`);
    return rag.query(`${word} night porter`, { mode: "lexical", topk: 1 });
  };
  const seen = (r: Awaited<ReturnType<typeof ask>>, word: string) => assert.match(r.results[0]?.text ?? "", new RegExp(word), `the ${word} passage was served`);
  // straight after an await (a microtask), from a timer, from an I/O callback (the poll phase),
  // and from a setImmediate callback (the check phase)
  seen(await ask("toaster"), "toaster");
  seen(await new Promise<Awaited<ReturnType<typeof ask>>>((r, j) => setTimeout(() => ask("kettle").then(r, j), 0)), "kettle");
  seen(await new Promise<Awaited<ReturnType<typeof ask>>>((r, j) => readFile(kitchen, () => ask("blender").then(r, j))), "blender");
  seen(await new Promise<Awaited<ReturnType<typeof ask>>>((r, j) => setImmediate(() => ask("grinder").then(r, j))), "grinder");
  // another process's write, finished before the query starts
  const child = spawnSync("sh", ["-c", 'printf "\\n## Juicer\\n\\nThe juicer is cleaned by the night porter.\\n" >> "$0"', kitchen]);
  assert.equal(child.status, 0);
  seen(await rag.query("juicer night porter", { mode: "lexical", topk: 1 }), "Juicer");
});

test("an edit that keeps size and mtime, a new file in a new folder, and a removed file are each seen", async (t) => {
  const { rag, workspace } = await watchedRag(t);
  await rag.index();
  await rag.query("espresso", { mode: "lexical" });
  const bikes = join(workspace, "bikes.md");
  const before = statSync(bikes);
  const text = fs.readFileSync(bikes, "utf8");
  const same = text.replace(/bicycle/g, "kayaked");
  assert.equal(same.length, text.length);
  writeFileSync(bikes, same);
  utimesSync(bikes, before.atime, before.mtime); // touch -r: size and mtime as indexed
  assert.match((await rag.query("kayaked parking", { mode: "lexical", topk: 1 })).results[0]?.text ?? "", /kayaked/);
  mkdirSync(join(workspace, "new", "deep"), { recursive: true });
  writeFileSync(join(workspace, "new", "deep", "harbour.md"), "# Harbour\n\nThe harbour master keeps the ferry timetable.\n");
  assert.equal((await rag.query("harbour master ferry timetable", { mode: "lexical", topk: 1 })).results[0]?.source, "new/deep/harbour.md");
  fs.rmSync(join(workspace, "new"), { recursive: true });
  const gone = await rag.query("harbour master ferry timetable", { mode: "lexical", topk: 3 });
  assert.ok(!gone.results.some((h) => h.source.startsWith("new/")), "the removed file is not served");
});

test("a file with another hard link outside the workspace, written through that name, is seen", async (t) => {
  const { rag, workspace, root } = await watchedRag(t);
  const inside = join(workspace, "linked.md");
  writeFileSync(inside, "# Linked\n\nThe boathouse key hangs by the door.\n");
  const outside = join(root, "outside-link.md");
  linkSync(inside, outside);
  await rag.index();
  await rag.query("boathouse key", { mode: "lexical" });
  assert.equal(rag.freshness?.watching, true, rag.freshness?.reason);
  // a write through the other name raises no event in the workspace's folder watch
  appendFileSync(outside, "\n## Lighthouse\n\nThe lighthouse lamp is trimmed at dusk.\n");
  assert.match((await rag.query("lighthouse lamp trimmed dusk", { mode: "lexical", topk: 1 })).results[0]?.text ?? "", /lighthouse lamp/);
});

test("where watches are not used (more folders and files than the watch budget), every check is a full stat pass and still sees changes", async (t) => {
  const { workspace } = makeRuntime(t);
  const snap = snapshotOf(scanWorkspace(workspace));
  assert.ok(snap.dirs.length >= 2);
  const w = new FreshnessWatch(snap, 1);
  t.after(() => w.close());
  assert.equal(w.watching, false);
  assert.match(w.reason ?? "", /^\d+ folders and files \(more than 1 watches\)$/);
  assert.equal(await w.fresh(), true);
  assert.equal(await w.fresh(), true);
  assert.equal(w.passes, 2, "a stat pass per check");
  appendFileSync(join(workspace, "payroll.md"), "\nchanged\n");
  assert.equal(await w.fresh(), false);
});

test("a change no watch reports (simulated: the recorded stamp no longer matches) is caught once MAX_QUIET_MS has passed since the last stat pass", async (t) => {
  const { workspace } = makeRuntime(t);
  const stamp = () => snapshotOf(scanWorkspace(workspace));
  const trusting = new FreshnessWatch(stamp(), undefined, 3_600_000);
  const strict = new FreshnessWatch(stamp(), undefined, 0);
  t.after(() => (trusting.close(), strict.close()));
  assert.equal(await trusting.fresh(), true, "armed by a stat pass");
  assert.equal(await strict.fresh(), true);
  // what an mmap write would leave: the file differs from its stamp and no event came
  trusting.snapshot.files[0]!.size += 1;
  strict.snapshot.files[0]!.size += 1;
  assert.equal(await trusting.fresh(), true, "within MAX_QUIET_MS, no event: trusted");
  assert.equal(trusting.passes, 1);
  assert.equal(await strict.fresh(), false, "past MAX_QUIET_MS: the stat pass runs and sees it");
  assert.equal(strict.passes, 2);
});
