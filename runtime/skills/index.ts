/**
 * Deterministic skills: SKILL.md loader, {{placeholder}} templates -> argv, the
 * registry. Running one is the governor's (runtime/governor): the one choke point.
 */
export { SkillRegistry } from "./registry.js";
export type { SkillInfo, InvokeResult, ToolSpec } from "./types.js";
export { parseSkill, loadSkillFile, splitFrontmatter, which, type Skill } from "./loader.js";
export { parseTemplate, render, placeholders } from "./template.js";
export { bindParams } from "./params.js";
export { APPLY_PATCH_TOOL, planPatch } from "./patch.js";
