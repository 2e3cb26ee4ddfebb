#!/usr/bin/env node
// Build step: compiles the JSON Schemas the runtime validates against into standalone
// validator modules (ajv's standalone code) under dist/validators/, so a CLI process or a
// kernel never loads or runs the ajv compiler for them. Each module records the sha256
// of the schema it was built from; runtime/config/schema.ts falls back to compiling at
// run time when the schema file no longer matches (a schema edited without a rebuild).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;
const require = createRequire(join(root, "package.json"));
const { default: Ajv, _ } = require("ajv");
const standaloneCode = require("ajv/dist/standalone").default;
const addFormats = require("ajv-formats");

// [schema file, with defaults filled (useDefaults)]: the ones validator() is asked for.
export const PRECOMPILED = [
  ["openclaw.schema.json", true],
  ["openclaw.schema.json", false],
  ["skill.schema.json", false],
  ["gateway-protocol.schema.json", false],
];

export function validatorFile(schema, withDefaults) {
  return `${withDefaults ? "d" : "p"}-${schema.replace(/\.json$/, "")}.cjs`;
}

const out = join(root, "dist", "validators");
mkdirSync(out, { recursive: true });
for (const [schema, withDefaults] of PRECOMPILED) {
  const text = readFileSync(join(root, "schemas", schema), "utf8");
  const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: withDefaults, allowUnionTypes: true, code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(text));
  const code = `${standaloneCode(ajv, validate)}\nmodule.exports.schemaSha256 = ${JSON.stringify(createHash("sha256").update(text).digest("hex"))};\n`;
  writeFileSync(join(out, validatorFile(schema, withDefaults)), code);
}
// Operation params (runtime/operations/table.ts, as built): one standalone validator per
// operation, so a CLI command (rag query, …) does not load and run ajv's compiler to check
// its flags; runtime/operations/validate.ts uses one only while its params hash matches.
let ops = 0;
const table = join(root, "dist", "runtime", "operations", "table.js");
if (existsSync(table)) {
  const { OPERATIONS } = await import(pathToFileURL(table).href);
  for (const o of OPERATIONS) {
    if (!Object.keys(o.params.properties ?? {}).length) continue;
    const ajv = new Ajv({ allErrors: false, strict: true, useDefaults: true, allowUnionTypes: true, code: { source: true } });
    const validate = ajv.compile(o.params);
    writeFileSync(join(out, `op-${o.name}.cjs`), `${standaloneCode(ajv, validate)}\nmodule.exports.paramsSha256 = ${JSON.stringify(createHash("sha256").update(JSON.stringify(o.params)).digest("hex"))};\n`);
    ops++;
  }
}
console.error(`validators: ${PRECOMPILED.length} schemas and ${ops} operations' params precompiled into dist/validators/`);
