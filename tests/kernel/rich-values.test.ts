/**
 * Issue 13, item 11: results of the `openclaw` API in a TypeScript cell render as the same
 * MIME bundles as the magics (a RagResult as citation cards, audit records as the audit
 * table), through a hidden _repr_mimebundle_ that JSON and inspect do not see; and
 * `openclaw.magic()`'s result, already shown by the magic, is not shown again as the
 * cell's value (but is, in a later cell).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { inspect } from "node:util";
import { test } from "node:test";
import { makeContext } from "../../magics/commands/context.js";
import { dispatch } from "../../magics/dispatch.js";
import type { CommandContext } from "../../magics/types.js";
import { makeDisplay, makeFacade, valueBundle, type CellScope } from "../../kernel/facade.js";
import { FIXTURE_SKILLS } from "../fixtures/runtime.js";
import { tmp, writeFile } from "../helpers/index.js";

test("openclaw.* results show as the magics' rich output; magic() results are shown once per cell", async (t) => {
  const dir = tmp(t);
  const cfg = writeFile(join(dir, "openclaw.json"), { skills: { bundled: false, dirs: [FIXTURE_SKILLS] }, tools: { exec: { sandbox: "off" } }, stateDir: "./state" });
  const base = makeContext({ host: "kernel", cwd: dir, env: { PATH: process.env.PATH }, configPath: cfg });
  t.after(() => base.closeAll());
  let cell: CommandContext = { ...base };
  const displayed: unknown[] = [];
  const scope: CellScope = {
    output: {} as CellScope["output"],
    ctx: () => cell,
    magic: async (line, body) => {
      const { result } = await dispatch(line, cell, body === undefined ? {} : { body });
      displayed.push(result.command);
      return result;
    },
    approve: async () => false,
  };
  const o = makeFacade(scope);

  const run = await o.skills.run("argv-echo", { text: "hello" });
  assert.equal(run.status, "ok");
  const runB = valueBundle(run);
  assert.match(String(runB["text/html"]), /class="openclaw oc-skill-run"/);
  assert.deepEqual(Object.keys(run).sort(), ["argv", "durationMs", "exitCode", "id", "signal", "skill", "status", "stderr", "stdout", "timedOut", "truncated"], "the bundle is hidden from keys and JSON");
  assert.doesNotMatch(inspect(run), /_repr_mimebundle_/);
  assert.doesNotMatch(JSON.stringify(run), /_repr_mimebundle_/);

  const tail = await o.audit.tail(5);
  assert.ok(Array.isArray(tail) && tail.length >= 1);
  const tailB = valueBundle(tail);
  assert.match(String(tailB["text/html"]), /class="openclaw oc-audit-tail"/);
  assert.match(String(tailB["text/plain"]), /SEQ\s+TIME\s+ACTOR/);

  const models = valueBundle(await o.models.list());
  assert.match(String(models["text/html"]), /oc-models/);
  const skills = valueBundle(await o.skills.list());
  assert.match(String(skills["text/html"]), /oc-skills/);

  // magic(): shown by the magic, so as this cell's value it adds nothing
  const m = await o.magic("skills list");
  assert.deepEqual(displayed, ["skills.list"]);
  assert.deepEqual(valueBundle(m), {}, "the same cell shows it once");
  const shown: unknown[] = [];
  (scope as { output: unknown }).output = { display: (b: unknown) => shown.push(b) };
  (makeDisplay(scope) as (v: unknown) => void)(m);
  assert.match(String((shown[0] as Record<string, unknown>)["text/html"]), /oc-skills/, "display(m) asked explicitly shows it even in the same cell");
  assert.ok(Array.isArray((m as { skills: unknown[] }).skills), "and still returns the data");
  cell = { ...base }; // the next cell
  assert.match(String(valueBundle(m)["text/html"]), /oc-skills/, "a later cell shows it again");
  // a plain value is still inspected
  assert.deepEqual(valueBundle({ a: 1 }), { "text/plain": "{ a: 1 }" });
});
