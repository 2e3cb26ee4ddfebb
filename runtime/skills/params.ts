import { Ajv, type ValidateFunction } from "ajv";
import { didYouMean } from "../config/didyoumean.js";
import { render, type Slot } from "./template.js";
import type { ParamSchema, Skill } from "./loader.js";

/** A refusal of the parameters: the rule and a sentence a model or person can act on. */
export interface ParamDenial {
  rule: "params.schema" | "params.nul" | "params.option_injection";
  reason: string;
}

// Skill authors write ordinary JSON Schema; our one extra keyword is declared, not guessed.
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
ajv.addKeyword({ keyword: "allowLeadingDash", schemaType: "boolean" });
const compiled = new WeakMap<Skill, ValidateFunction>();

function validatorFor(skill: Skill): ValidateFunction {
  let v = compiled.get(skill);
  if (!v) {
    v = ajv.compile({ type: "object", properties: skill.params, required: skill.required, additionalProperties: false });
    compiled.set(skill, v);
  }
  return v;
}

/**
 * Checks the parameters against the skill's schema and the argv rules, then fills the
 * template. Returns the argv or the reason for refusal; never throws on bad input.
 */
export function bindParams(skill: Skill, input: Record<string, unknown>): { argv: string[] } | ParamDenial {
  if (!input || typeof input !== "object" || Array.isArray(input)) return { rule: "params.schema", reason: "parameters must be an object of name -> value" };
  const values = structuredClone(input) as Record<string, unknown>;
  const v = validatorFor(skill);
  if (!v(values)) {
    const e = v.errors![0]!;
    const where = e.instancePath ? `parameter ${e.instancePath.slice(1)}` : "parameters";
    const bad = e.keyword === "additionalProperties" ? (e.params as { additionalProperty: string }).additionalProperty : "";
    const guess = bad ? didYouMean(bad, Object.keys(skill.params)) : undefined;
    const extra = bad ? ` "${bad}"${guess ? `; did you mean "${guess}"?` : ""} (allowed: ${Object.keys(skill.params).join(", ") || "none"})` : "";
    return { rule: "params.schema", reason: `${where} ${e.message}${extra}` };
  }
  const strs: Record<string, string> = {};
  for (const [k, val] of Object.entries(values)) {
    const s = String(val);
    if (s.includes("\0")) return { rule: "params.nul", reason: `parameter ${k} contains a NUL byte` };
    strs[k] = s;
  }
  const argv = render(skill.slots, strs);
  const why = optionInjection(skill.slots, skill.params, strs);
  return why ?? { argv };
}

/**
 * A slot that begins with a placeholder must not begin with "-" once filled: the
 * program would read it as an option (CVE-2025-68144 class: `--output=/etc/x`, `-rf`).
 * Allowed only where the author says so (allowLeadingDash) for the leading parameter.
 */
function optionInjection(slots: Slot[], params: Record<string, ParamSchema>, values: Record<string, string>): ParamDenial | null {
  for (const s of slots) {
    const first = s[0];
    if (!first || !("param" in first)) continue;
    const filled = s.map((p) => ("lit" in p ? p.lit : values[p.param] ?? "")).join("");
    if (filled.startsWith("-") && params[first.param]?.allowLeadingDash !== true) {
      const culprit = s.find((p) => "param" in p && (values[p.param] ?? "") !== "") as { param: string } | undefined;
      return { rule: "params.option_injection", reason: `parameter ${culprit?.param ?? first.param} would start an argument with "-" and be read as an option; refused` };
    }
  }
  return null;
}
