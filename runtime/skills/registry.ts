import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { OpenClawConfig } from "../config/index.js";
import { OpenClawError } from "../errors.js";
import { bundledSkillsDir } from "../paths.js";
import { loadSkillFile, parseSkill, type Skill } from "./loader.js";
import type { SkillInfo, ToolSpec } from "./types.js";

/** What list()/get() hand out: the public info, never the internals. */
function info(s: Skill): SkillInfo {
  const { name, description, source, path, argvTemplate, parameters, risk, blocked, overrides, runsModelCode } = s;
  return { name, description, source, path, argvTemplate, parameters, risk, blocked, overrides, runsModelCode };
}

/** What the registry is built from: the skills config, the workspace, the host environment (for `requires`). */
export interface SkillRegistryOptions {
  skills: OpenClawConfig["skills"];
  workspace: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The skills of this runtime: loads SKILL.md folders in precedence order, lists them,
 * registers session skills. It runs nothing: invoking a skill is the governor's
 * (runtime/governor), the one choke point between a wish and a process.
 */
export class SkillRegistry {
  private readonly opts: SkillRegistryOptions;
  private skills = new Map<string, Skill>();
  private loadErrors: Array<{ path: string; message: string }> = [];
  private readonly session = new Map<string, Skill>();

  constructor(opts: SkillRegistryOptions) {
    this.opts = opts;
  }

  /** Skill folders in precedence order: later ones override earlier ones. */
  folders(): Array<{ dir: string; source: SkillInfo["source"] }> {
    const out: Array<{ dir: string; source: SkillInfo["source"] }> = [];
    if (this.opts.skills.bundled) out.push({ dir: bundledSkillsDir(), source: "bundled" });
    for (const d of this.opts.skills.dirs) out.push({ dir: d, source: "config" });
    out.push({ dir: join(this.opts.workspace, "skills"), source: "workspace" });
    return out;
  }

  /** (Re)scans every folder. A skill that fails to load is skipped and reported by errors(). */
  async load(): Promise<void> {
    const found = new Map<string, Skill>();
    this.loadErrors = [];
    for (const { dir, source } of this.folders()) {
      if (!existsSync(dir)) continue;
      let entries: string[];
      try {
        entries = readdirSync(dir).sort();
      } catch (e) {
        this.loadErrors.push({ path: dir, message: (e as Error).message });
        continue;
      }
      for (const e of entries) {
        const folder = join(dir, e);
        if (!existsSync(join(folder, "SKILL.md")) || !statSync(folder).isDirectory()) continue;
        try {
          this.put(found, loadSkillFile(folder, source, this.opts.env));
        } catch (err) {
          this.loadErrors.push({ path: join(folder, "SKILL.md"), message: err instanceof OpenClawError ? `${err.message}${err.fix ? ` (fix: ${err.fix})` : ""}` : String(err) });
        }
      }
    }
    for (const s of this.session.values()) this.put(found, s);
    this.skills = found;
  }

  private put(into: Map<string, Skill>, s: Skill): void {
    const prev = into.get(s.name);
    if (prev) {
      s.overrides = prev.path;
      // An override never lowers the risk of what it shadows: the workspace is writable by
      // the skills themselves, and a planted copy must not skip the approval.
      if (prev.risk === "high") s.risk = "high";
    }
    into.set(s.name, s);
  }

  list(): SkillInfo[] {
    return [...this.skills.values()].sort((a, b) => a.name.localeCompare(b.name)).map(info);
  }

  get(name: string): SkillInfo | undefined {
    const s = this.skills.get(name);
    return s && info(s);
  }

  /** SKILL.md body and frontmatter, for `skills show`. */
  details(name: string): (SkillInfo & { body: string; cmd: string; timeoutSec: number | null; requires: object }) | undefined {
    const s = this.skills.get(name);
    return s && { ...info(s), body: s.body, cmd: s.front.exec.cmd, timeoutSec: s.front.exec.timeoutSec ?? null, requires: s.front.requires ?? {} };
  }

  /** Skills that failed to load, with why. */
  errors(): Array<{ path: string; message: string }> {
    return [...this.loadErrors];
  }

  /** Adds a session skill (this runtime only) from a folder, a SKILL.md path, or SKILL.md text. Throws ConfigError when it is invalid. */
  async register(pathOrSkillMd: string, opts: { fromText?: boolean } = {}): Promise<SkillInfo> {
    let s: Skill;
    if (opts.fromText) {
      // No folder of its own: relative scripts resolve against the workspace.
      s = parseSkill(pathOrSkillMd, { dir: this.opts.workspace, path: "session:(text)", source: "session", env: this.opts.env });
      s.path = `session:${s.name}`;
    } else s = loadSkillFile(resolve(pathOrSkillMd), "session", this.opts.env);
    s.source = "session";
    s.overrides = null;
    this.session.set(s.name, s);
    this.put(this.skills, s);
    return info(s);
  }

  /** The loaded skill behind a name, internals included: for the governor, which runs it. */
  skill(name: string): Skill | undefined {
    return this.skills.get(name);
  }

  names(): string[] {
    return [...this.skills.keys()];
  }

  /** Folders of loaded skills (not of a session skill registered from text, which has none of its own). */
  skillDirs(): string[] {
    return [...this.skills.values()].filter((s) => s.source !== "session" || !s.path.startsWith("session:")).map((s) => s.dir);
  }

  /** Skills as tools a model may call: every one that can run here (apply_patch is the governor's to add). */
  tools(): ToolSpec[] {
    return this.list()
      .filter((s) => !s.blocked)
      .map((s) => ({ name: s.name, description: s.description, parameters: s.parameters }));
  }
}
