import { fail, ok, warn, type Check, type CheckProvider } from "../types.js";

/** Every skill loads; blocked ones are named with the reason. */
export const checks: CheckProvider = async ({ runtime }) => {
  if (!runtime) return [];
  const reg = await runtime.skills();
  const out: Check[] = [];
  const skills = reg.list();
  for (const e of reg.errors()) out.push(fail("skills.load", e.message.startsWith(e.path) ? e.message : `${e.path}: ${e.message}`, "fix the SKILL.md named (schema: schemas/skill.schema.json), or remove the folder"));
  const blocked = skills.filter((s) => s.blocked);
  for (const s of blocked) out.push(warn("skills.blocked", `${s.name} is blocked: ${s.blocked}`, "install what it needs, or remove the skill"));
  for (const s of skills.filter((x) => x.runsModelCode)) out.push(warn("skills.model_code", `${s.name} runs model-chosen code: ${s.runsModelCode}`, `give the skill fixed code (a script beside SKILL.md) and pass only data as parameters; or, if it must run arbitrary code, set risk: high so a person approves every run (${s.path})`));
  const over = skills.filter((s) => s.overrides);
  for (const s of over) out.push(ok("skills.override", `${s.name} (${s.source}) overrides ${s.overrides}`));
  out.push(ok("skills.loaded", `${skills.length} skill(s) loaded, ${blocked.length} blocked`));
  return out;
};
