/**
 * The decisions of the choke point as pure functions: facts in, a verdict out, no I/O.
 * The governor (runtime/governor) gathers the facts (skills, config, paths, the host
 * environment), asks here, then runs, asks for approval and audits.
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { requiredEnv } from "./env.js";
import { deny, type Denial } from "./rules.js";

/** What a skill gate needs to know about a skill. */
export interface SkillFacts {
  name: string;
  blocked: string | null;
  risk: "normal" | "high";
}

export type SkillVerdict = Denial | { status: "allowed"; needsApproval: boolean };

/** May this skill be invoked at all, and does a person have to approve it first? */
export function skillGate(name: string, skill: SkillFacts | undefined, known: readonly string[], near?: string): SkillVerdict {
  if (!skill) return deny("skill.unknown", `no skill named "${name}"${near ? `; did you mean "${near}"?` : ""} (known: ${known.join(", ") || "none"})`);
  if (skill.blocked) return deny("skill.blocked", `skill ${skill.name} is blocked: ${skill.blocked}`);
  return { status: "allowed", needsApproval: skill.risk === "high" };
}

export interface ApplyPatchConfig {
  enabled: boolean;
  allowedModels: readonly string[];
}

/** The apply_patch gate: enabled, and the acting model's exact ref allow-listed. A person never passes. */
export function patchGate(cfg: ApplyPatchConfig, modelRef: string | undefined): Denial | null {
  if (!cfg.enabled) return deny("applyPatch.disabled", "apply_patch is disabled (tools.exec.applyPatch.enabled is false)");
  if (modelRef === undefined || !cfg.allowedModels.includes(modelRef)) return deny("applyPatch.model", `${modelRef ? `model ${modelRef} is` : "a caller without a model ref is"} not in tools.exec.applyPatch.allowedModels (exact refs only)`);
  return null;
}

/** When no approver is there to ask: the refusal. */
export function noApprover(kind: "skill" | "apply_patch", skill: string): Denial {
  return deny("approval.none", `${kind === "skill" ? `skill ${skill} is risk: high and needs` : "apply_patch needs"} a person's approval, and this host has no approver (non-interactive)`);
}

export function approverDeclined(summary: string): Denial {
  return deny("approval.denied", `the approver declined: ${summary}`);
}

/** sandbox: "required" with no working bubblewrap refuses the run before anything starts. */
export function sandboxGate(mode: "off" | "auto" | "required", available: boolean, why: string): Denial | null {
  if (mode === "required" && !available) return deny("sandbox.required", `sandbox required but unavailable: ${why}`);
  return null;
}

/**
 * The variables a skill run passes on top of exec's base allow-list: where the runtime
 * keeps its state and config (paths, never secrets), then what the skill's requires.env and
 * requires.secrets hand over (requiredEnv: a secret-looking name or value must be declared
 * in requires.secrets). `secrets` names the declared ones: the approval and the audit
 * record name them, never their values.
 */
export function skillEnv(input: { stateDir: string; workspace: string; configPath: string | null; requires: { env?: readonly string[]; secrets?: readonly string[] } | undefined; host: Readonly<Record<string, string | undefined>> }): { env: Record<string, string>; secrets: string[] } | Denial {
  const env: Record<string, string> = { OPENCLAW_STATE_DIR: input.stateDir, OPENCLAW_WORKSPACE: input.workspace };
  if (input.configPath) env.OPENCLAW_CONFIG = input.configPath;
  const plan = requiredEnv({ env: [...(input.requires?.env ?? [])], secrets: [...(input.requires?.secrets ?? [])] }, input.host as NodeJS.ProcessEnv);
  if (plan.blocked) return deny("exec.env", `refused: ${plan.blocked}`);
  for (const [name, value] of Object.entries(plan.env)) {
    if (value.includes("\0")) return deny("exec.env", `refused to pass ${name}: the value contains a NUL byte`);
    env[name] = value;
  }
  return { env, secrets: plan.secrets };
}

function inside(parent: string, child: string): boolean {
  const r = relative(resolve(parent), resolve(child));
  return r === "" || (!r.startsWith("..") && !isAbsolute(r));
}

/** The places a decision about paths needs; all absolute. */
export interface PathFacts {
  packageRoot: string;
  workspace: string;
  stateDir: string;
  auditPath: string;
  configPath: string | null;
  /** Every skill folder (bundled, skills.dirs, the workspace's skills/). */
  skillFolders: readonly string[];
  /** This workspace's RAG index folder (only it is re-exposed from the hidden state dir). */
  ragIndexDir?: string;
  /** The workspace's .git (even when absent) and nested repositories' .git folders, real paths. */
  gitDirs?: readonly string[];
}

/**
 * What the sandbox keeps read-only even inside the writable workspace for a run of a
 * skill living in `skillDir`: the package (bundled skills run its code, even under /tmp),
 * every skill folder and every .git in the workspace (nothing planted for a later run or
 * the host), this workspace's RAG index (re-exposed from the hidden state dir; other
 * workspaces' indexes stay hidden), the config file and,
 * unless the hidden state dir holds it, the audit log's folder.
 */
export function sandboxReadOnly(p: PathFacts, skillDir: string): string[] {
  const out = [p.packageRoot, ...p.skillFolders, skillDir, p.ragIndexDir ?? join(p.stateDir, "rag"), ...(p.gitDirs ?? [join(p.workspace, ".git")])];
  if (p.configPath) out.push(p.configPath);
  const auditDir = dirname(p.auditPath);
  if (!inside(p.stateDir, auditDir)) out.push(auditDir);
  return out;
}

/**
 * What apply_patch may never touch (before resolving symlinks: the caller maps each to
 * its real path): the state dir, the audit log's folder, skill folders and the folders
 * of loaded skills (`skillDirs`), the audit log and its head file, the config.
 */
export function patchProtected(p: PathFacts, skillDirs: readonly string[]): { forbidden: string[]; forbiddenFiles: string[] } {
  const forbidden = [...new Set([p.stateDir, dirname(p.auditPath), ...p.skillFolders, ...skillDirs])];
  const forbiddenFiles = [p.auditPath, `${p.auditPath}.head`, ...(p.configPath ? [p.configPath] : [])];
  return { forbidden, forbiddenFiles };
}
