// What a cell's fixed cost was cut with must not change what a cell means: a check sent ahead
// (TypeScriptCells.compileAhead, sent before busy/execute_input) is used only by the run of the
// same code with the same declarations, and never outlives its request; the input history
// appends without re-creating its folder each cell, yet still recovers when the folder goes.
import assert from "node:assert/strict";
import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, tmp } from "../helpers/index.js";

test("a check sent ahead is used only by the same cell with the same declarations", { timeout: 120_000 }, async (t) => {
  const { TypeScriptCells } = await import(join(ROOT, "dist", "kernel", "typescript.js"));
  const cells = new TypeScriptCells(tmp(t), { openclaw: {}, display: () => undefined });
  t.after(() => cells.close());
  const value = async (code: string) => {
    const r = await cells.run(code);
    return r.hasValue ? r.value : undefined;
  };
  assert.equal(await value("1+1"), 2);
  // Sent ahead, then another cell runs: that cell is checked itself.
  cells.compileAhead("1+2");
  assert.equal(await value("2+2"), 4);
  // `y` checked ahead while it was undeclared (an error); `const y` runs in between: the later `y` is checked afresh.
  cells.compileAhead("y");
  assert.equal(await value("const y = 5; y"), 5);
  assert.equal(await value("y"), 5);
  // Dropped (its request ended without a run): the same code later is checked afresh, against the declarations of then.
  cells.compileAhead("z");
  cells.dropAhead();
  await value("const z = 'zz'");
  assert.equal(await value("z"), "zz");
  // Used when it matches: the same result as a fresh check, a type error still fails the cell.
  cells.compileAhead("y * 2");
  assert.equal(await value("y * 2"), 10);
  cells.compileAhead("const n: number = z");
  await assert.rejects(cells.run("const n: number = z"), /not assignable to type 'number'/);
});

test("history: one append per cell after the first; a removed folder is made again (mode 600)", async (t) => {
  const { History } = await import(join(ROOT, "dist", "kernel", "history.js"));
  const dir = tmp(t);
  const file = join(dir, "state", "kernel", "history.jsonl");
  const logged: string[] = [];
  const h = new History(file, (l: string) => logged.push(l));
  h.add(1, "a");
  h.add(2, "b");
  rmSync(join(dir, "state"), { recursive: true, force: true });
  h.add(3, "c");
  h.add(4, "d");
  assert.deepEqual(logged, []);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(
    readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l).input),
    ["c", "d"],
  );
  assert.deepEqual(h.query({ hist_access_type: "tail", n: 4 }).history.map((e: unknown[]) => e[2]), ["a", "b", "c", "d"]);
});
