import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "node:test";
import { precompiled, validator } from "../../runtime/config/schema.js";
import { packageRoot } from "../../runtime/paths.js";

const schemaText = (f: string) => readFileSync(join(packageRoot(), "schemas", f), "utf8");

test("the build precompiles the start-up schemas, each matching the schema file it came from", () => {
  for (const [f, d] of [["openclaw.schema.json", true], ["openclaw.schema.json", false], ["skill.schema.json", false], ["gateway-protocol.schema.json", false]] as const) {
    assert.ok(precompiled(f, schemaText(f), d), `dist/validators has no current validator for ${f} (defaults ${d}): run npm run build`);
  }
});

test("a schema edited after the build is never checked by the stale validator", () => {
  const text = schemaText("skill.schema.json");
  assert.equal(precompiled("skill.schema.json", text.replace("}", ' , "x": 1 }'), false), undefined);
});

test("precompiled and run-time-compiled validators report the same errors and fill the same defaults", async () => {
  const { Ajv } = await import("ajv");
  const addFormats = ((await import("ajv-formats")) as unknown as { default: (a: InstanceType<typeof Ajv>) => InstanceType<typeof Ajv> }).default;
  const fresh = addFormats(new Ajv({ allErrors: true, strict: true, useDefaults: true, allowUnionTypes: true })).compile(JSON.parse(schemaText("openclaw.schema.json")));
  const pre = validator("openclaw.schema.json", { withDefaults: true });
  for (const doc of [{}, { gateway: { bnd: 1 } }, { tools: { exec: { timeoutSec: "x" } } }]) {
    const a = structuredClone(doc);
    const b = structuredClone(doc);
    assert.equal(pre(a), fresh(b));
    assert.deepEqual(a, b, "defaults filled alike");
    assert.deepEqual(pre.errors ?? null, fresh.errors ?? null);
  }
});
