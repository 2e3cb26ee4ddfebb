import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createTwoFilesPatch } from "diff";
import { tmp } from "../helpers/index.js";
import type { Actor } from "../../runtime/events.js";
import { makeRuntime } from "../fixtures/runtime.js";

const REF = "openai/gpt-4o-mini";
const yes = async () => true;
/** The allow-listed model, acting through the fixture's test-only governor (only the agent loop has such a door). */
const MODEL: Actor = { host: "cli", sessionId: "test", modelRef: REF };

/** Every file below `dir` with its content (symlinks not followed). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else out.set(p, readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

// A process that keeps exchanging the folder d with a symlink to an outside folder
// (renameat2 RENAME_EXCHANGE), the attack of issue 12 #1.
const SWAPPER = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
a, b, until = sys.argv[1].encode(), sys.argv[2].encode(), time.time() + float(sys.argv[3])
n = 0
while time.time() < until:
    if libc.renameat2(-100, a, -100, b, 2) == 0: n += 1
print(n)
`;

test("apply_patch under a concurrent dir/symlink exchange never writes outside the workspace", { timeout: 120_000 }, async (t) => {
  const { ws, governor } = makeRuntime(t, { config: { tools: { exec: { applyPatch: { enabled: true, allowedModels: [REF] } } } } });
  const outside = tmp(t);
  writeFileSync(join(outside, "f.txt"), "one\n");
  mkdirSync(join(ws, "d"));
  writeFileSync(join(ws, "d", "f.txt"), "one\n");
  symlinkSync(outside, join(ws, "swap"));
  const before = snapshot(outside);
  const gov = await governor();
  const seconds = 4;
  const swapper = spawn("python3", ["-c", SWAPPER, join(ws, "d"), join(ws, "swap"), String(seconds)], { stdio: ["ignore", "pipe", "inherit"] });
  let swaps = "";
  swapper.stdout.on("data", (b) => (swaps += b));
  const ended = new Promise<number | null>((r) => swapper.once("close", r));
  let exited = false;
  void ended.then(() => (exited = true));
  let ok = 0;
  let tries = 0;
  while (!exited) {
    tries++;
    // let the event loop see the swapper's exit (applyPatch may settle on microtasks only)
    await new Promise((r) => setImmediate(r));
    const p = tries % 2
      ? createTwoFilesPatch("a/d/f.txt", "b/d/f.txt", "one\n", "pwned\n")
      : `--- /dev/null\n+++ b/d/new-${tries}.txt\n@@ -0,0 +1 @@\n+pwned\n`;
    const r = await gov.applyPatch(MODEL, p, { approver: yes });
    if (r.status === "ok") {
      ok++;
      // put the content back wherever d is now so the next modify patch applies again
      for (const d of [join(ws, "d"), join(ws, "swap")]) {
        try {
          if (statSync(join(d, "f.txt")).isFile() && readFileSync(join(d, "f.txt"), "utf8") === "pwned\n") writeFileSync(join(d, "f.txt"), "one\n");
        } catch {
          /* swapped meanwhile */
        }
      }
    }
  }
  assert.equal(await ended, 0, "the swapper ran");
  assert.ok(Number(swaps) > 100, `the swapper exchanged the folders (${swaps.trim()} times)`);
  assert.ok(tries > 20, `patches were tried repeatedly (${tries}, ${ok} applied)`);
  assert.deepEqual(snapshot(outside), before, "nothing outside the workspace was created or changed");
  const leftovers = [...snapshot(ws).keys()].filter((p) => p.includes(".oc-patch-"));
  assert.deepEqual(leftovers, [], "no temp files left behind");
});
