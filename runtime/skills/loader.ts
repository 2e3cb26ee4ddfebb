import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { check } from "../config/schema.js";
import { ConfigError } from "../errors.js";
import { requiredEnv } from "../policy/env.js";
import { isInside } from "../paths.js";
import { parseTemplate, placeholders, templateArgv, TemplateError, type Slot } from "./template.js";
import type { SkillFrontmatter } from "../generated/skill.js";
import type { SkillInfo } from "./types.js";

/** SKILL.md's frontmatter: generated from schemas/skill.schema.json (npm run gen:types). */
export type { SkillFrontmatter } from "../generated/skill.js";

/** The JSON Schema of one {{placeholder}} (type, allowLeadingDash, and any other JSON Schema keyword). */
export type ParamSchema = NonNullable<SkillFrontmatter["parameters"]>["properties"][string];

/** A loaded skill: its public info plus what invoke needs. */
export interface Skill extends SkillInfo {
  front: SkillFrontmatter;
  body: string;
  dir: string;
  slots: Slot[];
  /** Placeholder -> its schema (filled with the defaults). */
  params: Record<string, ParamSchema>;
  required: string[];
}

/** Default schema of a placeholder the author did not type. */
export const DEFAULT_PARAM: ParamSchema = { type: "string", maxLength: 4096 };
const SCRIPT_EXT = /\.(py|js|mjs|cjs|ts|sh|bash|rb|pl|php|lua)$/i;

function skillError(where: string, message: string, fix: string): ConfigError {
  return new ConfigError(`${where}: ${message}`, { code: "skill_invalid", fix });
}

/** Splits SKILL.md into its YAML frontmatter and markdown body. */
export function splitFrontmatter(text: string, where: string): { yaml: string; body: string } {
  const m = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/.exec(text);
  if (!m) throw skillError(where, "no YAML frontmatter", "start SKILL.md with a --- line, the frontmatter (name, description, exec.cmd), then a --- line");
  return { yaml: m[1]!, body: m[2]! };
}

/** Finds a program on a PATH the way execvp would; null when absent. */
export function which(bin: string, path: string | undefined): string | null {
  if (bin.includes("/")) return existsSync(bin) ? bin : null;
  for (const d of (path ?? "").split(delimiter)) {
    if (!d) continue;
    const p = join(d, bin);
    try {
      if (statSync(p).isFile()) {
        accessSync(p, constants.X_OK);
        return p;
      }
    } catch {
      /* next */
    }
  }
  return null;
}

/** Why a program is missing, with the near miss people hit most (python vs python3). */
function missingBin(bin: string, path: string | undefined): string {
  const alt = /^python$/.test(bin) ? "python3" : /^python3$/.test(bin) ? "python" : /^pip$/.test(bin) ? "pip3" : null;
  const hint = alt && which(alt, path) ? ` (${alt} is there: write ${alt} in exec.cmd, or install a \`${bin}\` (Debian: python-is-python3))` : "";
  return `needs \`${bin}\` on PATH${hint}`;
}

/**
 * Parses and checks one skill. Structural problems (schema, template, placeholders)
 * throw ConfigError: the skill does not load. Problems of this machine (a missing
 * program, env var or OS) load the skill as blocked, with the reason.
 */
export function parseSkill(text: string, opts: { dir: string; path: string; source: SkillInfo["source"]; env: NodeJS.ProcessEnv }): Skill {
  const where = opts.path;
  const { yaml, body } = splitFrontmatter(text, where);
  let front: unknown;
  try {
    front = parseYaml(yaml);
  } catch (e) {
    throw skillError(where, `frontmatter is not valid YAML: ${(e as Error).message.split("\n")[0]}`, "fix the YAML between the --- lines");
  }
  const errs = check("skill.schema.json", front);
  if (errs.length) {
    throw skillError(where, errs.map((e) => `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : ""}`).join("; "), "see schemas/skill.schema.json for the allowed frontmatter");
  }
  const f = front as SkillFrontmatter;
  let slots: Slot[];
  try {
    slots = parseTemplate(f.exec.cmd);
  } catch (e) {
    if (e instanceof TemplateError) throw skillError(where, `exec.cmd: ${e.message}`, "write exec.cmd as a program and its arguments, with {{name}} placeholders");
    throw e;
  }
  const used = placeholders(slots);
  const declared = f.parameters?.properties;
  const params: Record<string, ParamSchema> = {};
  if (declared) {
    const unknown = used.filter((p) => !(p in declared));
    if (unknown.length) throw skillError(where, `placeholder {{${unknown[0]}}} is not declared in parameters`, `add ${unknown[0]} to parameters.properties, or remove it from exec.cmd`);
    const unused = Object.keys(declared).filter((p) => !used.includes(p));
    if (unused.length) throw skillError(where, `parameter "${unused[0]}" is declared but exec.cmd has no {{${unused[0]}}} placeholder`, `use {{${unused[0]}}} in exec.cmd or remove the parameter`);
  }
  for (const p of used) {
    const s = { ...DEFAULT_PARAM, ...(declared?.[p] ?? {}) };
    if (s.type === "string" && s.maxLength === undefined) s.maxLength = DEFAULT_PARAM.maxLength;
    params[p] = s;
  }
  const required = declared ? (f.parameters!.required ?? used.filter((p) => declared[p]!.default === undefined)) : used;
  const badReq = required.filter((r) => !used.includes(r));
  if (badReq.length) throw skillError(where, `parameters.required names "${badReq[0]}", which is not a placeholder`, "list only placeholders of exec.cmd in required");

  // Resolve relative scripts against the skill's folder (`python rag.py`), never the cwd.
  let blocked: string | null = null;
  const argvTemplate = templateArgv(slots);
  for (let i = 1; i < slots.length; i++) {
    const s = slots[i]!;
    if (s.length !== 1 || !("lit" in s[0]!)) continue;
    const tok = s[0].lit;
    if (tok.startsWith("-") || isAbsolute(tok)) continue;
    const abs = resolve(opts.dir, tok);
    if (!isInside(opts.dir, abs)) continue;
    if (existsSync(abs) && statSync(abs).isFile()) slots[i] = [{ lit: abs }];
    else if (SCRIPT_EXT.test(tok)) blocked ??= `script ${tok} is missing beside SKILL.md (${abs})`;
  }
  const prog = (slots[0]![0] as { lit: string }).lit;
  const env = opts.env;
  if (prog.includes("/")) {
    const abs = resolve(opts.dir, prog);
    slots[0] = [{ lit: abs }];
    if (!existsSync(abs)) blocked ??= `program ${abs} does not exist`;
  } else if (!which(prog, env.PATH)) blocked ??= missingBin(prog, env.PATH);
  for (const b of f.requires?.bins ?? []) if (!blocked && !which(b, env.PATH)) blocked = missingBin(b, env.PATH);
  if (!blocked) blocked = requiredEnv(f.requires, env).blocked;
  if (!blocked && f.requires?.os?.length && !(f.requires.os as string[]).includes(process.platform)) blocked = `runs on ${f.requires.os.join(", ")} only (this is ${process.platform})`;

  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    const { allowLeadingDash: _a, ...rest } = v;
    props[k] = rest;
  }
  return {
    name: f.name,
    description: f.description,
    source: opts.source,
    path: opts.path,
    argvTemplate,
    parameters: { type: "object", properties: props, required, additionalProperties: false },
    // A skill handed secrets needs a person's approval for every run, whatever it declares.
    risk: f.requires?.secrets?.length ? "high" : (f.risk ?? "normal"),
    blocked,
    overrides: null,
    front: f,
    body,
    dir: opts.dir,
    slots,
    params,
    required,
  };
}

/** Loads SKILL.md from a folder or a file path. */
export function loadSkillFile(path: string, source: SkillInfo["source"], env: NodeJS.ProcessEnv): Skill {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, "SKILL.md") : path;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw skillError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "point at a skill folder holding SKILL.md, or at the SKILL.md file");
  }
  return parseSkill(text, { dir: dirname(resolve(file)), path: resolve(file), source, env });
}
