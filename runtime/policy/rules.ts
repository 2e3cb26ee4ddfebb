/**
 * Every rule id a decision can name, in one union: audit records, denials and
 * `policy.denied` events carry one of these, never a free string.
 */
export const RULE_IDS = [
  // who may act
  "actor.model",
  // skills
  "skill.unknown",
  "skill.blocked",
  "skill.allowed",
  // an agent turn offered only some tools (--skills, --no-tools): a call to another is refused
  "agent.turnTools",
  // parameters -> argv (runtime/skills/params.ts)
  "params.schema",
  "params.nul",
  "params.option_injection",
  // approvals
  "approval.none",
  "approval.granted",
  "approval.denied",
  // apply_patch: the gate (here) and the plan (runtime/skills/patch.ts)
  "applyPatch.disabled",
  "applyPatch.model",
  "applyPatch.workspace",
  "applyPatch.path",
  "applyPatch.git",
  "applyPatch.config",
  "applyPatch.containment",
  "applyPatch.symlink",
  "applyPatch.protected",
  "applyPatch.rename",
  "applyPatch.parse",
  "applyPatch.apply",
  "applyPatch.changed",
  "applyPatch.write",
  "applyPatch.allowed",
  // exec (runtime/exec: env, cwd, argv, sandbox) and what a person does to a session
  "exec.env",
  "exec.cwd",
  "exec.argv",
  "exec.usage",
  "exec.kill",
  "sandbox.required",
] as const;

export type RuleId = (typeof RULE_IDS)[number];

const KNOWN = new Set<string>(RULE_IDS);

export function isRuleId(s: string): s is RuleId {
  return KNOWN.has(s);
}

/** The one shape of a refusal: returned (never thrown), audited by the governor. */
export interface Denial {
  status: "denied";
  rule: RuleId;
  reason: string;
}

export function deny(rule: RuleId, reason: string): Denial {
  return { status: "denied", rule, reason };
}

export function isDenial(x: unknown): x is Denial {
  return !!x && typeof x === "object" && (x as Denial).status === "denied" && typeof (x as Denial).rule === "string";
}
