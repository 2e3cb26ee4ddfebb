import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { staleFiles } from "../../scripts/gen-types.mjs";
import { validator } from "../../runtime/config/schema.js";
import { ROOT, tmp } from "../helpers/index.js";

const SCHEMAS = readdirSync(join(ROOT, "schemas")).filter((f) => f.endsWith(".schema.json"));

test("runtime/generated/*.ts match the schemas (else: npm run gen:types)", { timeout: 120_000 }, async () => {
  assert.deepEqual(await staleFiles(), [], "a schema changed and its generated types did not: run `npm run gen:types` and commit runtime/generated/");
  for (const f of SCHEMAS) {
    const text = readFileSync(join(ROOT, "runtime", "generated", f.replace(/\.schema\.json$/, ".ts")), "utf8");
    assert.match(text, /^\/\* eslint-disable \*\/\n\/\/ GENERATED from schemas\//, `${f}: the generated file says where it comes from`);
    assert.match(text, /npm run gen:types/, `${f}: the generated file says how to regenerate it`);
  }
});

test("the freshness check fails when a schema changes and its generated file does not", { timeout: 120_000 }, async (t) => {
  const root = tmp(t);
  cpSync(join(ROOT, "schemas"), join(root, "schemas"), { recursive: true });
  cpSync(join(ROOT, "runtime", "generated"), join(root, "runtime", "generated"), { recursive: true });
  assert.deepEqual(await staleFiles(root), []);
  // A new field in the config schema: the generated OpenClawJson no longer matches.
  const p = join(root, "schemas", "openclaw.schema.json");
  const schema = JSON.parse(readFileSync(p, "utf8"));
  schema.properties.audit.properties.rotateMb = { type: "integer", minimum: 1 };
  writeFileSync(p, JSON.stringify(schema, null, 2));
  // And a generated file whose schema is gone.
  writeFileSync(join(root, "runtime", "generated", "orphan.ts"), "export type X = 1;\n");
  assert.deepEqual(await staleFiles(root), ["runtime/generated/openclaw.ts", "runtime/generated/orphan.ts (no schema)"]);
});

test("every schema compiles under the runtime's strict Ajv", () => {
  for (const f of SCHEMAS) assert.equal(typeof validator(f), "function", f);
});
