import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import type { Document } from "yaml";
import { didYouMean } from "../config/didyoumean.js";
import { check } from "../config/schema.js";
import { readSchema } from "../paths.js";
import { ConfigError } from "../errors.js";
import { requiredEnv } from "../policy/env.js";
import { isInside } from "../paths.js";
import { loadYaml } from "../vendor.js";
import { modelCodeRisk } from "./lint.js";
import { parseTemplate, placeholders, templateArgv, TemplateError, type Slot } from "./template.js";
import type { SkillFrontmatter } from "../generated/skill.js";
import type { SkillInfo } from "./types.js";

// yaml as one bundled file when built (runtime/vendor.ts): its ~145 modules were most of a skills load.
const { isMap, isScalar, LineCounter, parseDocument } = loadYaml();

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

/**
 * Where things are in the frontmatter: the SKILL.md line of a JSON pointer (the key's
 * line for a key, else the value's), so errors read `SKILL.md:5 /exec/comand: …` like
 * config errors. The frontmatter starts on line 2 (after the opening ---).
 */
class FrontLines {
  private readonly lc = new LineCounter();
  readonly doc: Document;
  constructor(yaml: string) {
    this.doc = parseDocument(yaml, { lineCounter: this.lc, prettyErrors: false });
  }
  private line(offset: number): number {
    return this.lc.linePos(offset).line; // 1-based within the frontmatter
  }
  /** The frontmatter line of `pointer` (the nearest key that exists; 0 for an empty document). */
  at(pointer: string): number {
    const segs = pointer.split("/").slice(1).map((x) => x.replace(/~1/g, "/").replace(/~0/g, "~"));
    let node: unknown = this.doc.contents;
    let line = node && (node as { range?: number[] }).range ? this.line((node as { range: number[] }).range[0]!) : 0;
    for (const seg of segs) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) break;
      const key = pair.key as { range?: number[] };
      if (key.range) line = this.line(key.range[0]!);
      node = pair.value;
    }
    return line;
  }
}

type JsonSchema = { properties?: Record<string, JsonSchema>; additionalProperties?: unknown; items?: JsonSchema };

/** The allowed keys of the skill schema at a data pointer (for "did you mean"). */
function allowedKeys(pointer: string): string[] {
  let s: JsonSchema | undefined = readSchema("skill.schema.json") as JsonSchema;
  for (const seg of pointer.split("/").slice(1)) {
    if (!s) return [];
    s = s.properties?.[seg] ?? (typeof s.additionalProperties === "object" ? (s.additionalProperties as JsonSchema) : undefined);
  }
  return Object.keys(s?.properties ?? {});
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
  const lines = new FrontLines(yaml);
  // The frontmatter's first line is SKILL.md's line 2 (after the opening ---).
  const at = (pointer: string, line = lines.at(pointer)) => `${where}:${line + 1} ${pointer}`;
  const yamlErr = lines.doc.errors[0];
  if (yamlErr) {
    const line = (yamlErr.linePos?.[0]?.line ?? 0) + 1;
    throw skillError(`${where}:${line}`, `frontmatter is not valid YAML: ${yamlErr.message.split("\n")[0]}`, "fix the YAML between the --- lines");
  }
  const front: unknown = lines.doc.toJS();
  const errs = check("skill.schema.json", front);
  if (errs.length) {
    const issues = errs.map((e) => {
      if (e.keyword === "additionalProperties") {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const allowed = allowedKeys(e.instancePath);
        const guess = didYouMean(key, allowed);
        return `${at(`${e.instancePath}/${key}`)}: unknown key (${key}); ${guess ? `did you mean "${guess}"?` : allowed.length ? `allowed keys: ${allowed.join(", ")}` : "no keys are allowed here"}`;
      }
      if (e.keyword === "required") {
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        return `${at(e.instancePath || "/", e.instancePath ? lines.at(e.instancePath) : 0)}: missing ${JSON.stringify(missing)}${e.instancePath ? "" : " (SKILL.md needs name, description and exec.cmd)"}`;
      }
      return `${at(e.instancePath || "/")}: ${e.message}`;
    });
    throw new ConfigError(issues.join("; "), { code: "skill_invalid", fix: "see schemas/skill.schema.json for the allowed frontmatter", details: issues });
  }
  const f = front as SkillFrontmatter;
  let slots: Slot[];
  try {
    slots = parseTemplate(f.exec.cmd);
  } catch (e) {
    if (e instanceof TemplateError) throw skillError(at("/exec/cmd"), e.message, "write exec.cmd as a program and its arguments, with {{name}} placeholders");
    throw e;
  }
  const used = placeholders(slots);
  const declared = f.parameters?.properties;
  const params: Record<string, ParamSchema> = {};
  if (declared) {
    const unknown = used.filter((p) => !(p in declared));
    if (unknown.length) {
      const guess = didYouMean(unknown[0]!, Object.keys(declared));
      throw skillError(at("/exec/cmd"), `placeholder {{${unknown[0]}}} is not declared in parameters${guess ? `; did you mean {{${guess}}}?` : ""}`, guess ? `write {{${guess}}} in exec.cmd, or rename the parameter` : `add ${unknown[0]} to parameters.properties, or remove it from exec.cmd`);
    }
    const unused = Object.keys(declared).filter((p) => !used.includes(p));
    if (unused.length) throw skillError(at(`/parameters/properties/${unused[0]}`), `parameter "${unused[0]}" is declared but exec.cmd has no {{${unused[0]}}} placeholder`, `use {{${unused[0]}}} in exec.cmd or remove the parameter`);
  }
  for (const p of used) {
    const s = { ...DEFAULT_PARAM, ...(declared?.[p] ?? {}) };
    if (s.type === "string" && s.maxLength === undefined) s.maxLength = DEFAULT_PARAM.maxLength;
    params[p] = s;
  }
  const required = declared ? (f.parameters!.required ?? used.filter((p) => declared[p]!.default === undefined)) : used;
  const badReq = required.filter((r) => !used.includes(r));
  if (badReq.length) {
    const guess = didYouMean(badReq[0]!, used);
    throw skillError(at("/parameters/required"), `names "${badReq[0]}", which is not a placeholder${guess ? `; did you mean "${guess}"?` : ""}`, "list only placeholders of exec.cmd in required");
  }

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
    runsModelCode: modelCodeRisk(slots),
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
