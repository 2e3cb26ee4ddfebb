import assert from "node:assert/strict";
import { test } from "node:test";
import { findProcs, makeExec, until } from "./setup.js";

// sandbox off: a descendant that calls setsid leaves the process group; timeout and
// close must still reach it (issue 12, weak #1). The duration is passed as $0 so only the
// sleep's own command line contains it.
const secs = () => String(300 + Math.floor(Math.random() * 600)) + "." + String(process.pid % 1000);

test("sandbox off: a setsid'd grandchild holding the pipes dies at timeout", { timeout: 60_000 }, async (t) => {
  const { ex } = makeExec(t, { sandbox: "off", timeoutSec: 1 });
  const s = secs();
  t.after(() => findProcs(`sleep ${s}`).forEach((p) => process.kill(p, "SIGKILL")));
  const r = await ex.run({ argv: ["sh", "-c", `setsid sleep "$0" & sleep 100`, s] });
  assert.equal(r.status, "timeout");
  assert.ok(await until(() => findProcs(`sleep ${s}`).length === 0, 5000), "the setsid'd sleep was killed");
});

test("sandbox off: a setsid'd grandchild with no pipes, re-parented to init, dies at close()", { timeout: 60_000 }, async (t) => {
  const { ex } = makeExec(t, { sandbox: "off", backgroundMs: 100 });
  const s = secs();
  t.after(() => findProcs(`sleep ${s}`).forEach((p) => process.kill(p, "SIGKILL")));
  // The intermediate shell exits at once: the sleep's parent becomes init, it has its own session and no pipes.
  const r = await ex.run({ argv: ["sh", "-c", `sh -c 'setsid sleep "$0" </dev/null >/dev/null 2>&1 &' "$0"; sleep 100`, s] });
  assert.equal(r.status, "running");
  assert.ok(await until(() => findProcs(`sleep ${s}`).length === 1, 5000), "the escapee started");
  await ex.close();
  assert.ok(await until(() => findProcs(`sleep ${s}`).length === 0, 5000), "the escapee was killed by close()");
});
