// The TypeScript-cell prelude types `openclaw` from dist/kernel/facade-types.d.ts (emitted
// by tsc from kernel/facade-types.ts): the TypeScript service completes real members and
// rejects a wrong use at compile time. In process, against the built package.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, tmp } from "../helpers/index.js";

const built = join(ROOT, "dist", "kernel", "typescript.js");

test("the prelude points at the emitted facade declarations", async () => {
  assert.ok(existsSync(built), "run `npm run build` first");
  const ts = await import(built);
  assert.equal(ts.facadeTypesModule(), join(ROOT, "dist", "kernel", "facade-types"));
  assert.ok(existsSync(ts.facadeTypesModule() + ".d.ts"));
  assert.match(ts.PRELUDE, /declare const openclaw: OpenClawFacade;/);
  assert.match(ts.PRELUDE, /import\(".*dist\/kernel\/facade-types"\)\.OpenClawFacade/);
});

test("completion on openclaw.rag. lists query, index and status; a wrong type is a compile error", { timeout: 120_000 }, async (t) => {
  const { TypeScriptCells, prelude } = await import(built);
  const cells = new TypeScriptCells(tmp(t), { openclaw: {}, display: () => undefined });
  t.after(() => cells.close());
  const code = "openclaw.rag.";
  const c = await cells.complete(code, code.length);
  for (const m of ["query", "index", "status"]) assert.ok(c.matches.includes(m), `${m} in ${JSON.stringify(c.matches)}`);
  assert.ok(!c.matches.includes("applyPatch"), "only the facade's members, not the registry's");
  const sk = await cells.complete("openclaw.skills.", "openclaw.skills.".length);
  assert.deepEqual(sk.matches.filter((m: string) => ["list", "run", "show"].includes(m)).sort(), ["list", "run", "show"]);
  // The result is typed from schemas/rag-result.schema.json: a number is not a RagResult.
  await assert.rejects(cells.run("const n: number = await openclaw.rag.query('x');"), (e: Error & { diagnostics?: string[] }) => {
    assert.match(String(e.diagnostics?.join("\n")), /RagResult.*not assignable to type 'number'/);
    return true;
  });
  // Without the declarations (package not built) cells still compile: openclaw is any.
  assert.match(prelude(null), /type OpenClawFacade = any;/);
});
