/**
 * One compiler snapshot serves every folder: Debian's jupyter_client (tests/kernel/steps.py)
 * drives real kernels started in two folders that never had a kernel, after the snapshot was
 * built elsewhere. Each kernel's compiler process runs from that one blob (a marker read from
 * /proc: no timing), each sees its own folder (./a resolves to its own module, a .ts module's
 * own types, a package in its own node_modules), a type error still fails the cell, and
 * completion on `openclaw.rag.` lists its members. No second snapshot is built.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildSnapshot } from "../../dist/kernel/ts-snapshot.js";
import { PRELUDE } from "../../dist/kernel/typescript.js";
import { pythonJson, ROOT, writeFile } from "../helpers/index.js";
import { kernelEnv, type KernelEnv } from "./helpers.js";

const STEPS = join(ROOT, "tests", "kernel", "steps.py");

async function runSteps(k: KernelEnv, cwd: string, steps: object[], env: NodeJS.ProcessEnv): Promise<any[]> {
  const { value, stderr } = await pythonJson([STEPS], { env: { ...k.env, ...env, OC_CWD: cwd, OC_STEPS: JSON.stringify(steps) }, timeoutMs: 400_000, what: "steps.py" });
  for (const [i, s] of (value as any[]).entries()) if (s?.exception) throw new Error(`step ${i}: ${s.exception}\n${stderr.slice(-3000)}`);
  return value;
}

/** A cell printing the blob the kernel's own compiler process was started from ("none" for a worker thread). */
const COMPILER_BLOB = `import { readdirSync as snapRd, readFileSync as snapRf } from "node:fs";
const snapMine = snapRd("/proc").filter((p) => /^\\d+$/.test(p)).filter((p) => { try { return snapRf(\`/proc/\${p}/stat\`, "utf8").split(") ")[1]!.split(" ")[1] === String(process.pid); } catch { return false; } });
const snapArgv = snapMine.map((p) => { try { return snapRf(\`/proc/\${p}/cmdline\`, "utf8").split("\\0"); } catch { return []; } }).find((a) => a.includes("--snapshot-blob") && !a.includes("--build-snapshot"));
console.log(snapArgv ? snapArgv[snapArgv.indexOf("--snapshot-blob") + 1] : "none");`;

const plain = (r: any) => (r.msgs as any[]).find((m) => m.type === "execute_result")?.plain;
const stdout = (r: any) => (r.msgs as any[]).filter((m) => m.type === "stream" && m.name === "stdout").map((m) => m.text).join("");

test("a folder that never had a kernel gets the shared compiler snapshot, and two such folders each see their own files", { timeout: 900_000 }, async (t) => {
  const k = kernelEnv(t);
  const cache = join(k.dir, "ts-cache");
  const env = { OPENCLAW_TS_CODE_CACHE: cache, OPENCLAW_TS_SNAPSHOT: "" };

  // The machine's snapshot, built once (as a first kernel's background build does), in no notebook folder.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    assert.equal(await buildSnapshot(cache, PRELUDE), true, "the snapshot build succeeded");
  } finally {
    clearInterval(keepAlive);
  }
  const blobs = () => (existsSync(cache) ? readdirSync(cache).filter((f) => /^ts-snapshot-[0-9a-f]+\.blob$/.test(f)) : []);
  assert.equal(blobs().length, 1);
  const blob = join(cache, blobs()[0]!);

  // Two new folders with a module of the same name and different contents.
  const a = join(k.dir, "folder-a");
  const b = join(k.dir, "folder-b");
  writeFile(join(a, "a.js"), 'exports.x = "from A";\n');
  writeFile(join(a, "a.d.ts"), "export declare const x: string;\n");
  writeFile(join(a, "b.ts"), "export const n: number = 1;\n");
  writeFile(join(b, "a.js"), 'exports.y = "from B";\n');
  writeFile(join(b, "a.d.ts"), "export declare const y: string;\n");
  writeFile(join(b, "b.ts"), 'export const n: string = "s";\n');
  writeFile(join(b, "node_modules", "pkgb", "package.json"), { name: "pkgb", version: "1.0.0", main: "index.js", types: "index.d.ts" });
  writeFile(join(b, "node_modules", "pkgb", "index.js"), 'exports.hello = () => "hello from pkgb";\n');
  writeFile(join(b, "node_modules", "pkgb", "index.d.ts"), "export declare function hello(): string;\n");
  t.after(() => {
    for (const d of [a, b]) rmSync(d, { recursive: true, force: true });
  });

  const ra = await runSteps(
    k,
    a,
    [
      { op: "run", code: COMPILER_BLOB, timeout: 240 },
      { op: "run", code: 'import { x } from "./a"; x', timeout: 120 },
      // A .ts module's types (the kernel runs compiled JavaScript modules only: the import is type-only here).
      { op: "run", code: 'import type { n } from "./b"; const na: typeof n = 1; na', timeout: 120 },
      { op: "run", code: 'import { y } from "./a"; y', timeout: 120 },
      { op: "run", code: "const bad: number = 'x';", timeout: 120 },
      { op: "complete", code: "openclaw.rag." },
    ],
    env,
  );
  assert.equal(ra[0].status, "ok", JSON.stringify(ra[0]));
  assert.equal(stdout(ra[0]).trim(), blob, "folder A's compiler process runs from the shared snapshot");
  assert.equal(ra[1].status, "ok", JSON.stringify(ra[1]));
  assert.equal(plain(ra[1]), "from A");
  assert.equal(ra[2].status, "ok", JSON.stringify(ra[2]));
  assert.equal(plain(ra[2]), "1");
  assert.equal(ra[3].status, "error", "folder A's ./a has no y");
  assert.match(JSON.stringify(ra[3]), /TS2305/);
  assert.equal(ra[4].status, "error", "a type error fails the cell");
  assert.match(JSON.stringify(ra[4]), /TS2322/);
  for (const m of ["query", "index", "status"]) assert.ok(ra[5].matches.includes(m), `${m} in ${JSON.stringify(ra[5].matches)}`);

  const rb = await runSteps(
    k,
    b,
    [
      { op: "run", code: COMPILER_BLOB, timeout: 240 },
      { op: "run", code: 'import { x } from "./a"; x', timeout: 120 },
      { op: "run", code: 'import { y } from "./a"; y', timeout: 120 },
      { op: "run", code: 'import type { n } from "./b"; const nb: typeof n = 1;', timeout: 120 },
      { op: "run", code: 'import { hello } from "pkgb"; hello()', timeout: 120 },
      { op: "complete", code: "openclaw.rag." },
    ],
    env,
  );
  assert.equal(stdout(rb[0]).trim(), blob, "folder B's compiler process runs from the same snapshot");
  assert.equal(rb[1].status, "error", "folder B's ./a has no x (folder A's module is not seen)");
  assert.match(JSON.stringify(rb[1]), /TS2305/);
  assert.equal(rb[2].status, "ok", JSON.stringify(rb[2]));
  assert.equal(plain(rb[2]), "from B");
  assert.equal(rb[3].status, "error", "folder B's b.ts exports a string (folder A's number is not seen): a type error fails the cell");
  assert.match(JSON.stringify(rb[3]), /TS2322/);
  assert.equal(rb[4].status, "ok", JSON.stringify(rb[4]));
  assert.equal(plain(rb[4]), "hello from pkgb");
  for (const m of ["query", "index", "status"]) assert.ok(rb[5].matches.includes(m), `${m} in ${JSON.stringify(rb[5].matches)}`);

  assert.deepEqual(blobs(), [blob.slice(cache.length + 1)], "no other snapshot was built");
});
