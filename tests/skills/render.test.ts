import assert from "node:assert/strict";
import { test } from "node:test";
import { makeContext } from "../../magics/commands/context.js";
import { dispatch } from "../../magics/dispatch.js";
import { toMimeBundle } from "../../magics/render/mime.js";
import { makeRuntime } from "../fixtures/runtime.js";

test("notebook renderings: skills run / list, exec list, audit tail / verify as self-contained HTML with badges and argv in code", async (t) => {
  const { configPath, dir } = makeRuntime(t);
  const ctx = makeContext({ host: "kernel", cwd: dir, env: { ...process.env, OPENCLAW_CONFIG: "" }, approver: async () => true });
  t.after(() => ctx.closeAll());
  const run = async (line: string) => (await dispatch(`${line} --config ${configPath}`, ctx)).result;

  const ok = await run('skills run argv-echo "text=<b>hi</b>"');
  assert.equal(ok.exitCode, 0);
  assert.match(ok.html!, /class="openclaw oc-skill-run"/);
  assert.match(ok.html!, /oc-badge oc-ok/);
  assert.match(ok.html!, /<code[^>]*>&lt;b&gt;hi&lt;\/b&gt;<\/code>/, "argv in code, escaped");
  assert.doesNotMatch(ok.html!, /<script|<b>hi/);
  const risky = await run("skills run risky what=x");
  assert.equal(risky.exitCode, 0, "the kernel's approver said yes");
  const denied = await run("skills run argv-echo text=-x");
  assert.equal(denied.exitCode, 78);
  assert.match(denied.html!, /oc-badge oc-denied/);

  const list = await run("skills list");
  assert.match(list.html!, /oc-skills/);
  assert.match(toMimeBundle(list)["text/plain"] as string, /argv-echo/);
  assert.match((await run("exec list")).html!, /no background sessions/);
  const tail = await run("audit tail -n 3");
  assert.equal((tail.data as { records: unknown[] }).records.length, 3);
  assert.match(tail.html!, /oc-audit-tail/);
  assert.match(tail.html!, /oc-badge oc-deny/);
  const v = await run("audit verify");
  assert.equal(v.exitCode, 0);
  assert.match(v.html!, /oc-badge oc-ok/);
});
