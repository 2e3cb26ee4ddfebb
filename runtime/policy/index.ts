/**
 * Policy: every rule id (RuleId), the one Denial shape, and the pure decisions of the
 * choke point. Read this folder to know every rule; runtime/governor applies them.
 */
export { RULE_IDS, deny, isDenial, isRuleId, type Denial, type RuleId } from "./rules.js";
export { approverDeclined, noApprover, patchGate, patchProtected, sandboxGate, sandboxReadOnly, skillEnv, skillGate, type ApplyPatchConfig, type PathFacts, type SkillFacts, type SkillVerdict } from "./decide.js";
