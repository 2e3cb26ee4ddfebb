/* eslint-disable */
// GENERATED from schemas/skill.schema.json by scripts/gen-types.mjs (json-schema-to-typescript). Do not edit:
// change the schema, then run `npm run gen:types`; tests/types/generated.test.ts fails while this file is stale.

/**
 * The YAML frontmatter of a skill's SKILL.md. exec.cmd is a fixed command template: split into argv when the skill loads, each {{name}} filling exactly one argument literally, never through a shell.
 */
export interface SkillFrontmatter {
  /**
   * Unique skill name; also the tool name a model sees.
   */
  name: string;
  description: string;
  exec: {
    /**
     * Command template, e.g. python rag.py --query "{{query}}" --topk 5. A relative script resolves against the skill's folder.
     */
    cmd: string;
    /**
     * Per-run limit (capped by tools.exec.timeoutSec).
     */
    timeoutSec?: number;
    /**
     * Per-skill background window (default tools.exec.backgroundMs).
     */
    backgroundMs?: number;
    /**
     * What the command does, for people and models.
     */
    description?: string;
  };
  /**
   * JSON Schema (type object) of the parameters; each property is a {{placeholder}} of exec.cmd. Without it every placeholder is a required string of at most 4096 characters.
   */
  parameters?: {
    type?: "object";
    properties: {
      [k: string]: {
        type?: "string" | "number" | "integer" | "boolean";
        /**
         * Allow a value starting with '-' (otherwise refused: option injection).
         */
        allowLeadingDash?: boolean;
        [k: string]: unknown;
      };
    };
    required?: string[];
    [k: string]: unknown;
  };
  requires?: {
    /**
     * Programs that must be on PATH; missing -> the skill is listed as blocked.
     */
    bins?: string[];
    /**
     * Environment variables passed to the child. A name or value that looks like a secret (…_TOKEN, …_KEY, …_PAT, …_PWD, …PASSWORD…, DATABASE_URL, a URL with user:password@, a high-entropy token) blocks the skill unless listed in secrets instead.
     */
    env?: string[];
    /**
     * Environment variables holding secrets the skill needs (e.g. GH_PAT, DATABASE_URL). Passed to the child; the skill then needs a person's approval for every run (risk high), and the approval prompt and the audit record name the variables (never their values). Variables that change what a program loads (LD_*, NODE_OPTIONS, …) and the runtime's own OPENCLAW_* variables are never passed.
     */
    secrets?: string[];
    os?: ("linux" | "darwin" | "win32" | "freebsd" | "openbsd")[];
  };
  /**
   * high: a person must approve each run.
   */
  risk?: "normal" | "high";
  license?: string;
  version?: string;
  homepage?: string;
  metadata?: {
    [k: string]: unknown;
  };
}
