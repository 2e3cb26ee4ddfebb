#!/usr/bin/env node
// Regenerates the methods part of schemas/gateway-protocol.schema.json from the
// operation table (runtime/operations; build first), so the protocol cannot drift from
// the code. Everything else in the schema (the frames) is written by hand.
//   node scripts/gen-protocol.mjs          rewrite the schema
//   node scripts/gen-protocol.mjs --check  exit 1 if the committed schema is stale (used by the tests)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;
const schemaPath = join(root, "schemas/gateway-protocol.schema.json");
const { operationsFor, CONNECT_PARAMS } = await import(pathToFileURL(join(root, "dist/runtime/operations/index.js")).href);

export function methodDefinitions() {
  const ops = [
    { name: "connect", summary: "the handshake: must be the first frame; carries the credentials (never in the URL)", params: { ...CONNECT_PARAMS, additionalProperties: true } },
    ...operationsFor("gateway"),
  ].sort((a, b) => a.name.localeCompare(b.name));
  return {
    methodName: { description: "GENERATED from runtime/operations by scripts/gen-protocol.mjs: every method a client may call.", enum: ops.map((o) => o.name) },
    methods: {
      description: "GENERATED from runtime/operations by scripts/gen-protocol.mjs: a req frame per method with its params. The gateway checks params against these schemas and answers bad_params naming the field.",
      oneOf: ops.map((o) => ({
        description: o.summary,
        type: "object",
        required: ["type", "id", "method"],
        properties: { type: { const: "req" }, id: { $ref: "#/definitions/id" }, method: { const: o.name }, params: o.params },
        additionalProperties: false,
      })),
    },
  };
}

const before = readFileSync(schemaPath, "utf8");
const schema = JSON.parse(before);
schema.definitions = { ...schema.definitions, ...methodDefinitions() };
const after = JSON.stringify(schema, null, 2) + "\n";
if (process.argv.includes("--check")) {
  if (after !== before) {
    console.error("schemas/gateway-protocol.schema.json is stale: run `npm run build && node scripts/gen-protocol.mjs`");
    process.exit(1);
  }
  console.log("gateway protocol schema is current");
} else {
  writeFileSync(schemaPath, after);
  console.log("schemas/gateway-protocol.schema.json methods regenerated");
}
