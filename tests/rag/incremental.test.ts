import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, chmodSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OpenClawError } from "../../runtime/errors.js";
import { MANIFEST, VECTORS } from "../../runtime/rag/store.js";
import { check } from "../../runtime/config/schema.js";
import { Rag } from "../../runtime/rag/index.js";
import { CountingEmbedder, makeRag, makeRuntime } from "./helpers.js";

test("first index embeds every supported file; skipped files are reported with reasons", async (t) => {
  const { runtime } = makeRuntime(t);
  const emb = new CountingEmbedder();
  const rag = makeRag(runtime, emb);
  const progress: string[] = [];
  runtime.on((e) => e.type === "rag.progress" && progress.push(`${e.phase}:${e.done}/${e.total}`));
  const r = await rag.index();
  assert.equal(r.files, 7);
  assert.equal(r.embeddedChunks, r.chunks);
  assert.equal(emb.texts.length, r.chunks);
  assert.equal(r.search, "exact");
  assert.deepEqual(r.skipped.map((s) => s.source).sort(), ["image.png", "notes/logo.png.txt"]);
  assert.match(r.skipped.find((s) => s.source === "notes/logo.png.txt")!.reason, /binary/);
  assert.ok(progress.includes(`embed:${r.chunks}/${r.chunks}`), progress.join(" "));
  assert.ok(progress.at(-1)!.startsWith("done:"));
  const m = JSON.parse(readFileSync(join(r.indexDir, MANIFEST), "utf8"));
  assert.equal(m.embedder, "fake-hash@1");
  assert.equal(m.dims, 64);
  assert.match(m.files["kitchen.md"].sha256, /^[0-9a-f]{64}$/);
  assert.equal(readFileSync(join(r.indexDir, VECTORS)).length, r.chunks * 64 * 4);
});

test("re-index touches only changed files; deleted files leave; touched-but-same files are not re-embedded", async (t) => {
  const { runtime, workspace } = makeRuntime(t);
  const emb = new CountingEmbedder();
  await makeRag(runtime, emb).index();
  // a new Rag (as a new process would) reads the saved index
  const emb2 = new CountingEmbedder();
  const rag2 = makeRag(runtime, emb2);
  const same = await rag2.index();
  assert.equal(emb2.calls, 0, "nothing changed: no embed calls");
  assert.equal(same.unchangedFiles, 7);

  appendFileSync(join(workspace, "payroll.md"), "\n## Bonuses\n\nBonuses are paid in March.\n");
  rmSync(join(workspace, "bikes.md"));
  const later = new Date(Date.now() + 5000);
  utimesSync(join(workspace, "kitchen.md"), later, later); // touched, content unchanged
  const r = await rag2.index();
  assert.deepEqual(r.embeddedFiles, ["payroll.md"]);
  assert.deepEqual(r.removedFiles, ["bikes.md"]);
  assert.equal(emb2.texts.length, r.embeddedChunks);
  assert.ok(emb2.texts.every((x) => /Payroll|salar|bank|Bonus/i.test(x)), "only payroll chunks were embedded");
  const q = await rag2.query("bonuses paid in March", { mode: "lexical" });
  assert.equal(q.results[0]!.source, "payroll.md");
  assert.ok(!q.results.some((h) => h.source === "bikes.md"));
  // the query refreshed first and found nothing new to embed
  const before = emb2.texts.length;
  await rag2.query("bicycle", { mode: "lexical" });
  assert.equal(emb2.texts.length, before);
});

test("a query sees an edit made after indexing (refreshed incrementally first)", async (t) => {
  const { runtime, workspace } = makeRuntime(t);
  const rag = makeRag(runtime, new CountingEmbedder());
  await rag.index();
  writeFileSync(join(workspace, "new-policy.md"), "# Parking\n\nCar parking permits are issued by reception.\n");
  const r = await rag.query("car parking permits", { mode: "lexical", topk: 1 });
  assert.deepEqual([r.results[0]!.source, r.results[0]!.lines], ["new-policy.md", [1, 3]]);
  assert.deepEqual(check("rag-result.schema.json", r), []);
});

test("an index built with another embedder is refused with 're-index'; --full rebuilds it", async (t) => {
  const { runtime } = makeRuntime(t);
  await makeRag(runtime, new CountingEmbedder("model-a@1")).index();
  const other = makeRag(runtime, new CountingEmbedder("model-b@1"));
  await assert.rejects(other.query("coffee"), (e: unknown) => {
    assert.ok(e instanceof OpenClawError);
    assert.equal(e.code, "rag_embedder_mismatch");
    assert.match(e.message, /model-a@1.*model-b@1/);
    assert.match(e.fix!, /re-index with `openclaw-kernel rag index --full`/);
    return true;
  });
  await assert.rejects(other.index(), /built with embedder model-a@1/);
  const st = await other.status();
  assert.match(st.problem!, /re-index/);
  const r = await other.index({ full: true });
  assert.equal(r.embedder, "model-b@1");
  assert.equal(r.embeddedChunks, r.chunks);
  assert.equal((await other.query("coffee machine", { mode: "lexical" })).embedder, "model-b@1");
});

test("a corrupt index is rebuilt after a clear message, never a crash", async (t) => {
  const { runtime } = makeRuntime(t);
  const r0 = await makeRag(runtime, new CountingEmbedder()).index();
  for (const damage of [
    () => truncateSync(join(r0.indexDir, VECTORS), 10),
    () => writeFileSync(join(r0.indexDir, MANIFEST), "{ not json"),
    () => rmSync(join(r0.indexDir, VECTORS)),
  ]) {
    damage();
    const emb = new CountingEmbedder();
    const rag = makeRag(runtime, emb);
    assert.match((await rag.status()).problem!, /corrupt/);
    const warnings: string[] = [];
    runtime.on((e) => e.type === "rag.warning" && warnings.push(String(e.message)));
    const q = (await rag.query("coffee machine descaled", { mode: "lexical" })) as { warnings?: string[]; results: unknown[] };
    assert.ok(q.results.length > 0);
    assert.match(q.warnings!.join(), /corrupt and has been rebuilt/);
    assert.match(warnings.join(), /corrupt/);
    // the lexical query rebuilt the lexical index; no vector of the damaged index is trusted
    assert.equal(emb.texts.length, 0, "a lexical query does not embed");
    await rag.index();
    assert.equal(emb.texts.length, r0.chunks, "everything re-embedded");
    assert.equal((await makeRag(runtime, new CountingEmbedder()).status()).fresh, true);
  }
});

test("empty, missing and unreadable workspaces give errors that say what to do", async (t) => {
  const { runtime, workspace } = makeRuntime(t, { copyCorpus: false });
  const rag = makeRag(runtime, new CountingEmbedder());
  await assert.rejects(rag.index(), (e: unknown) => e instanceof OpenClawError && e.code === "rag_no_workspace" && /mkdir -p/.test(e.fix!));
  mkdirSync(workspace);
  writeFileSync(join(workspace, "photo.jpg"), Buffer.from([0xff, 0xd8, 0xff, 0]));
  await assert.rejects(rag.index(), (e: unknown) => e instanceof OpenClawError && e.code === "rag_empty_workspace" && /1 files skipped/.test(e.message) && /add Markdown/.test(e.fix!));
  await assert.rejects(rag.query("   "), /the query is empty/);
  writeFileSync(join(workspace, "ok.md"), "# Fine\n\nReadable text.\n");
  writeFileSync(join(workspace, "secret.md"), "# Locked\n");
  chmodSync(join(workspace, "secret.md"), 0o000);
  const r = await rag.index();
  assert.equal(r.files, process.getuid?.() === 0 ? 2 : 1); // root reads everything
  await assert.rejects(rag.query("fine", { topk: 0 }), /--topk must be an integer/);
  await assert.rejects(rag.query("fine", { mode: "fuzzy" as never }), /--mode must be one of/);
});

test("a state dir that cannot be written still answers from memory, with a warning", async (t) => {
  // a path under a regular file cannot be created, whoever we are (root ignores mode bits)
  const { runtime } = makeRuntime(t);
  (runtime.config as { stateDir: string }).stateDir = join(runtime.config.agentDefaults.workspace, "kitchen.md", "state");
  const q = (await makeRag(runtime, new CountingEmbedder()).query("coffee machine", { mode: "lexical" })) as { warnings?: string[]; results: Array<{ source: string }> };
  assert.equal(q.results[0]!.source, "kitchen.md");
  assert.match(q.warnings!.join(), /could not be saved .*in memory/);
});

test("progress: index() reports its phases; a query on a current index stays silent", async (t) => {
  const { runtime, workspace } = makeRuntime(t);
  const rag = makeRag(runtime, new CountingEmbedder());
  const seen: string[] = [];
  runtime.on((e) => e.type === "rag.progress" && seen.push(String(e.phase)));
  await rag.index();
  assert.deepEqual([...new Set(seen)], ["scan", "embed", "write", "done"]);
  seen.length = 0;
  await rag.query("coffee", { mode: "lexical" });
  assert.deepEqual(seen, []);
  writeFileSync(join(workspace, "extra.md"), "# Extra\n\nA new file to embed.\n");
  // a lexical query re-chunks the new file silently and embeds nothing (the CLI leaves vectors to `rag index`)
  await rag.query("coffee", { mode: "lexical" });
  assert.deepEqual(seen, []);
  // a hybrid query embeds the few missing vectors itself, with progress
  await rag.query("coffee", { mode: "hybrid" });
  assert.deepEqual([...new Set(seen)], ["embed", "write", "done"]);
});

test("Stop: an aborted index or query ends with AbortedError and leaves the saved index as it was", async (t) => {
  const { runtime } = makeRuntime(t);
  const ac = new AbortController();
  ac.abort();
  const rag = makeRag(runtime, new CountingEmbedder());
  await assert.rejects(rag.index({ signal: ac.signal }), (e: unknown) => e instanceof OpenClawError && e.code === "aborted");
  assert.equal((await rag.status()).exists, false);
  await rag.index();
  await assert.rejects(rag.query("coffee", { signal: ac.signal }), (e: unknown) => e instanceof OpenClawError && e.code === "aborted");
  assert.equal((await rag.status()).fresh, true);
});

test("a same-size edit with its mtime put back (sed, then touch -r) is seen: in this process, in a fresh one and by status", async (t) => {
  const { runtime, workspace } = makeRuntime(t);
  const f = join(workspace, "zz-probe.md");
  writeFileSync(f, "# Probe\n\nThe launch code word is PELICAN for the spring.\n\nOther filler text here.\n");
  utimesSync(f, 1_700_000_000, 1_700_000_000); // whole seconds, so utimes can put them back exactly as touch -r does
  const kernel = makeRag(runtime, new CountingEmbedder());
  await kernel.index();
  const cited = async (rag: ReturnType<typeof makeRag>) => (await rag.query("launch code word", { mode: "lexical", topk: 1 })).results[0]!.text;
  assert.match(await cited(kernel), /PELICAN/);
  const st = statSync(f);
  // sed -i s/PELICAN/FLAMING/ then touch -r: same size, same mtime; only the ctime (which no user call can set) moves.
  // Rewritten until the ctime has left the clock tick of the original write (the kernel's file clock is coarse).
  do {
    writeFileSync(f, readFileSync(f, "utf8").replace("PELICAN", "FLAMING"));
    utimesSync(f, 1_700_000_000, 1_700_000_000);
  } while (statSync(f).ctimeMs === st.ctimeMs);
  assert.equal(statSync(f).size, st.size);
  assert.equal(statSync(f).mtimeMs, st.mtimeMs);
  const before = await makeRag(runtime, new CountingEmbedder()).status();
  assert.equal(before.fresh, false, "status must not call the index fresh");
  assert.deepEqual(before.changedFiles, ["zz-probe.md"]);
  assert.match(await cited(makeRag(runtime, new CountingEmbedder())), /FLAMING/, "a fresh process cites the file's text");
  assert.match(await cited(kernel), /FLAMING/, "the long-lived process cites the file's text");
  assert.equal((await makeRag(runtime, new CountingEmbedder()).status()).fresh, true);
});

test("an index written before ctime and inode were recorded opens, re-verifies by sha256 once and records them", async (t) => {
  const { runtime } = makeRuntime(t);
  const r = await makeRag(runtime, new CountingEmbedder()).index();
  const mpath = join(r.indexDir, MANIFEST);
  const m = JSON.parse(readFileSync(mpath, "utf8"));
  for (const rec of Object.values(m.files) as Array<Record<string, unknown>>) {
    delete rec.ctimeMs;
    delete rec.ino;
  }
  for (const d of m.dirs) delete d.ctimeMs;
  writeFileSync(mpath, JSON.stringify(m));
  const old = await makeRag(runtime, new CountingEmbedder()).status();
  assert.equal(old.fresh, false, "unverified files are not called fresh");
  const emb = new CountingEmbedder();
  const q = await makeRag(runtime, emb).query("bicycle", { mode: "lexical" });
  assert.ok(q.results.length > 0);
  assert.equal(emb.calls, 0, "nothing re-embedded: the content hashes matched");
  const m2 = JSON.parse(readFileSync(mpath, "utf8"));
  for (const rec of Object.values(m2.files) as Array<Record<string, unknown>>) assert.ok(Number.isFinite(rec.ctimeMs) && Number.isInteger(rec.ino), JSON.stringify(rec));
  assert.ok(m2.dirs.every((d: { ctimeMs?: number }) => Number.isFinite(d.ctimeMs)));
  assert.equal((await makeRag(runtime, new CountingEmbedder()).status()).fresh, true);
});

// The kernel and gateway check chunks.jsonl's sha256 when they open it; a fresh CLI process reads only the
// records it cites and checks each one's line range (a shifted but well-formed range is the CLI's known gap).
test("a chunks.jsonl record edited to cite other lines is never served: the index is rebuilt with a warning", async (t) => {
  const { runtime, workspace } = makeRuntime(t);
  writeFileSync(join(workspace, "zz-probe.md"), "# Probe\n\nThe launch code word is PELICAN for the spring.\n\nOther filler text here.\n");
  const r = await makeRag(runtime, new CountingEmbedder()).index();
  const cj = join(r.indexDir, "chunks.jsonl");
  const orig = readFileSync(cj, "utf8");
  const rec = orig.split("\n").find((l) => l.includes('"source":"zz-probe.md"'))!;
  const [, a, b] = rec.match(/"lines":\[(\d+),(\d+)\]/)!;
  assert.ok(Number(a) < Number(b) && Number(b) + 4 < 10, rec);
  const tamper = (to: string) => writeFileSync(cj, orig.replace(rec, rec.replace(/"lines":\[\d+,\d+\]/, to)));
  const shifted = `"lines":[${Number(a) + 4},${Number(b) + 4}]`;
  const reversed = `"lines":[${b},${a}]`;
  for (const [backgroundDense, to] of [[true, shifted], [true, reversed], [false, reversed]] as const) {
    {
      tamper(to);
      assert.equal(readFileSync(cj).length, Buffer.byteLength(orig), "same size: only a checksum or a range check can tell");
      const rag = new Rag({ runtime, embedder: new CountingEmbedder(), backgroundDense });
      const q = await rag.query("launch code word", { mode: "lexical", topk: 1 });
      const hit = q.results[0]!;
      assert.equal(hit.source, "zz-probe.md");
      assert.deepEqual(hit.lines, [Number(a), Number(b)], `${to} (backgroundDense ${backgroundDense})`);
      assert.match(q.warnings!.join(), /corrupt and has been rebuilt/);
      await rag.settled();
    }
  }
});
