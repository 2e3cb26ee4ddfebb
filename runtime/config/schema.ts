import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { readSchema } from "../paths.js";

// ajv-formats is CommonJS with a default export; under NodeNext the callable sits on .default.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/**
 * All JSON Schema work goes through here: one Ajv instance, each schema compiled once.
 * `withDefaults` validators fill defaults in place (useDefaults) and are used on a copy.
 */
const cache = new Map<string, ValidateFunction>();

function makeAjv(useDefaults: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, useDefaults, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

const ajvPlain = makeAjv(false);
const ajvDefaults = makeAjv(true);

export function validator(schemaFile: string, opts: { withDefaults?: boolean } = {}): ValidateFunction {
  const key = `${opts.withDefaults ? "d" : "p"}:${schemaFile}`;
  let v = cache.get(key);
  if (!v) {
    v = (opts.withDefaults ? ajvDefaults : ajvPlain).compile(readSchema(schemaFile));
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
