/**
 * Params validation for every front door: ajv against the operation's schema, defaults
 * filled in, the first problem reported as a `bad_params` error naming the field.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import { EXIT, OpenClawError } from "../errors.js";
import type { Operation } from "./types.js";

const require = createRequire(import.meta.url);

/** The build's standalone validator for these params (scripts/gen-validators.mjs), while it matches them; else undefined. */
function precompiledParams(op: Operation<unknown, unknown>): ValidateFunction | undefined {
  try {
    const file = fileURLToPath(new URL(`../../validators/op-${op.name}.cjs`, import.meta.url));
    if (!existsSync(file)) return undefined;
    // The params schema's text rides along: a string compare, so no node:crypto at start.
    const mod = require(file) as ValidateFunction & { paramsText?: string };
    return mod.paramsText === JSON.stringify(op.params) ? mod : undefined;
  } catch {
    return undefined;
  }
}

/** Params that do not match an operation's schema. `field` is the param at fault ("" for the whole object). */
export class ParamsError extends OpenClawError {
  constructor(
    message: string,
    readonly field: string,
    readonly problem: string,
    fix?: string,
  ) {
    super(message, { code: "bad_params", exitCode: EXIT.USAGE, fix });
    this.name = "ParamsError";
  }
}

// Loaded and built on the first operation with params (ajv is ~60 modules, ~40 ms to load),
// so `config validate`, `help` and kernel start never pay for it.
let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function describe(e: ErrorObject): { field: string; problem: string } {
  const path = e.instancePath.split("/").slice(1).join(".");
  if (e.keyword === "required") {
    const f = String((e.params as { missingProperty: string }).missingProperty);
    return { field: path ? `${path}.${f}` : f, problem: "is required" };
  }
  if (e.keyword === "additionalProperties") {
    const f = String((e.params as { additionalProperty: string }).additionalProperty);
    return { field: path ? `${path}.${f}` : f, problem: "is not a parameter of this operation" };
  }
  return { field: path, problem: e.message ?? "is invalid" };
}

/** A copy of `raw` with defaults filled, or a ParamsError naming the field. */
export function validateParams<P>(op: Operation<P, unknown>, raw: unknown): P {
  const params = raw === undefined || raw === null ? {} : structuredClone(raw);
  // An operation without params, called with none: nothing for ajv to check.
  if (Object.keys(op.params.properties).length === 0 && typeof params === "object" && !Array.isArray(params) && Object.keys(params as object).length === 0) return params as P;
  let v = compiled.get(op.params);
  if (!v) {
    v = precompiledParams(op as Operation<unknown, unknown>);
    if (!v) {
      ajv ??= new (require("ajv") as typeof import("ajv")).Ajv({ allErrors: false, strict: true, useDefaults: true, allowUnionTypes: true });
      v = ajv.compile(op.params);
    }
    compiled.set(op.params, v);
  }
  if (v(params)) return params as P;
  const { field, problem } = describe(v.errors![0]!);
  const names = Object.keys(op.params.properties);
  throw new ParamsError(`params${field ? `.${field}` : ""} ${problem}`, field, problem, `${op.name} takes ${names.length ? names.join(", ") : "no params"}; see schemas/gateway-protocol.schema.json`);
}
