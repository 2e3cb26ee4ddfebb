/**
 * The heartbeat answers from the control thread: a TypeScript cell that busy-loops for 5 s on
 * the main thread never makes the kernel look dead to jupyter_client (driver.py heartbeat_busy).
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { kernelEnv, runDriver, type KernelEnv } from "./helpers.js";

describe("heartbeat while a cell is busy", { timeout: 180_000 }, () => {
  let k: KernelEnv;
  let d: Record<string, any>;
  before(async () => {
    k = kernelEnv();
    d = await runDriver(k, ["heartbeat_busy"]);
    if (d.heartbeat_busy?.exception) throw new Error(`scenario heartbeat_busy: ${d.heartbeat_busy.exception}`);
  });
  after(() => k && rmSync(k.dir, { recursive: true, force: true }));

  it("echoes every ping sent while `while (Date.now() - t0 < 5000) {}` runs", (t) => {
    const r = d.heartbeat_busy;
    assert.notEqual(r.idle_ms, null, "the heartbeat answers an idle kernel");
    assert.equal(r.status, "ok", "the busy cell finishes normally");
    assert.ok(r.start && r.stop && r.stop - r.start >= 5000, `the cell reports when it ran: ${JSON.stringify([r.start, r.stop])}`);
    // Pings sent inside the busy window, and early enough that their 2 s wait ends before the loop does
    // (a heartbeat on the main thread would answer a later one when the loop ends, inside the wait).
    const during = (r.pings as { sent: number; ms: number | null }[]).filter((p) => p.sent > r.start + 250 && p.sent + 2000 < r.stop);
    const missed = during.filter((p) => p.ms === null);
    assert.equal(missed.length, 0, `${missed.length} of ${during.length} pings went unanswered while the cell was busy`);
    assert.ok(during.length >= 5, `enough pings landed inside the busy loop: ${during.length} of ${r.pings.length}`);
    const worst = Math.max(...during.map((p) => p.ms!));
    t.diagnostic(`${during.length} pings during the busy loop, all echoed; slowest ${worst.toFixed(1)} ms; idle ping ${r.idle_ms.toFixed(1)} ms`);
  });
});
