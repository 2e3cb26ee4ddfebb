/**
 * Deterministic skills: SKILL.md loader, {{placeholder}} templates -> argv, the
 * registry, and invoke(), the one choke point between a model's wish and a process.
 */
export { SkillRegistry } from "./registry.js";
export type { SkillInfo, InvokeOptions, InvokeResult, ToolSpec } from "./types.js";
export { parseSkill, loadSkillFile, splitFrontmatter, which, type Skill } from "./loader.js";
export { parseTemplate, render, placeholders } from "./template.js";
export { bindParams } from "./params.js";
export { APPLY_PATCH_TOOL, planPatch } from "./patch.js";
