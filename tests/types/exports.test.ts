// package.json "exports": the public entry and the schemas resolve by package name;
// internal modules do not (no deep imports); tsc emits declarations for the entry.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/index.js";

/** Runs an ES module snippet inside the package (self-reference resolves "openclaw-kernel" there), plain node. */
function node(code: string) {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr };
}

test("the public entry exports the runtime, config loading and errors", () => {
  const r = node(`const m = await import("openclaw-kernel"); console.log(JSON.stringify(Object.keys(m).sort()));`);
  assert.equal(r.code, 0, r.err);
  const keys: string[] = JSON.parse(r.out);
  for (const k of ["Runtime", "loadConfig", "checkConfig", "OpenClawError", "formatError", "VERSION", "EXIT"]) assert.ok(keys.includes(k), `${k} in ${r.out}`);
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  assert.equal(pkg.exports["."].default, "./dist/runtime/index.js");
  assert.ok(existsSync(join(ROOT, pkg.exports["."].types)), "tsc emits the entry's declarations (declaration: true)");
  assert.ok(existsSync(join(ROOT, "dist", "kernel", "facade-types.d.ts")));
});

test("internal modules cannot be deep-imported by package name; schemas and package.json can", () => {
  const deep = node(`await import("openclaw-kernel/dist/runtime/runtime.js");`);
  assert.notEqual(deep.code, 0);
  assert.match(deep.err, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
  const ok = node(`console.log(import.meta.resolve("openclaw-kernel/schemas/gateway-event.schema.json")); console.log(import.meta.resolve("openclaw-kernel/package.json"));`);
  assert.equal(ok.code, 0, ok.err);
  assert.deepEqual(ok.out.split("\n"), [`file://${join(ROOT, "schemas", "gateway-event.schema.json")}`, `file://${join(ROOT, "package.json")}`]);
});
