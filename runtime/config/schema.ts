import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import { requireWithCodeCache } from "../code-cache.js";
import { packageRoot, schemaPath } from "../paths.js";

/**
 * All JSON Schema work goes through here, each schema compiled once per process.
 * `withDefaults` validators fill defaults in place (useDefaults) and are used on a copy.
 *
 * The schemas the runtime checks on every start (openclaw.json, SKILL.md, gateway frames)
 * are compiled at build time into standalone modules (scripts/gen-validators.mjs ->
 * dist/validators/); loading one costs a require, not ajv's compiler. A module whose
 * recorded schema text differs from the schema file on disk is ignored and the schema is
 * compiled here instead, so an edited schema is never checked by a stale validator.
 */
const cache = new Map<string, ValidateFunction>();
const require = createRequire(import.meta.url);

let ajvs: { plain: Ajv; defaults: Ajv } | undefined;

/** ajv and ajv-formats, loaded only when a schema has no precompiled validator. */
function compilers(): { plain: Ajv; defaults: Ajv } {
  if (ajvs) return ajvs;
  const { Ajv: AjvClass } = require("ajv") as typeof import("ajv");
  const addFormats = require("ajv-formats") as (ajv: Ajv) => Ajv;
  const make = (useDefaults: boolean) => addFormats(new AjvClass({ allErrors: true, strict: true, useDefaults, allowUnionTypes: true }));
  return (ajvs = { plain: make(false), defaults: make(true) });
}

export function precompiled(schemaFile: string, text: string, withDefaults: boolean): ValidateFunction | undefined {
  const file = join(packageRoot(), "dist", "validators", `${withDefaults ? "d" : "p"}-${schemaFile.replace(/\.json$/, "")}.cjs`);
  if (!existsSync(file)) return undefined;
  try {
    // (~120 KB of generated code that every command compiles, and runs: through the V8 code cache, runtime/code-cache.ts)
    const mod = requireWithCodeCache<ValidateFunction & { schemaSha256?: string; schemaText?: string }>(file);
    // The text it was built from (a string compare: no node:crypto at start); a module from an
    // older build carries only the hash.
    if (typeof mod.schemaText === "string") return mod.schemaText === text ? mod : undefined;
    const { createHash } = require("node:crypto") as typeof import("node:crypto");
    return mod.schemaSha256 === createHash("sha256").update(text).digest("hex") ? mod : undefined;
  } catch {
    return undefined;
  }
}

export function validator(schemaFile: string, opts: { withDefaults?: boolean } = {}): ValidateFunction {
  const withDefaults = opts.withDefaults === true;
  const key = `${withDefaults ? "d" : "p"}:${schemaFile}`;
  let v = cache.get(key);
  if (!v) {
    const text = readFileSync(schemaPath(schemaFile), "utf8");
    v = precompiled(schemaFile, text, withDefaults) ?? (withDefaults ? compilers().defaults : compilers().plain).compile(JSON.parse(text));
    cache.set(key, v);
  }
  return v;
}

export type { ErrorObject };

/** Validate `data` against a schema file; returns ajv's errors (empty when valid). */
export function check(schemaFile: string, data: unknown): ErrorObject[] {
  const v = validator(schemaFile);
  return v(data) ? [] : [...(v.errors ?? [])];
}
