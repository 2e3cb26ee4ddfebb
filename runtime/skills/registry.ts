import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { AuditInput, AuditLog } from "../audit/index.js";
import { didYouMean } from "../config/index.js";
import { OpenClawError, PolicyError, UsageError } from "../errors.js";
import type { ExecManager, ExecResult } from "../exec/index.js";
import { skillEnv } from "../exec/env.js";
import { isInside } from "../exec/sandbox.js";
import { bundledSkillsDir, packageRoot } from "../paths.js";
import type { Runtime } from "../runtime.js";
import { loadSkillFile, parseSkill, type Skill } from "./loader.js";
import { bindParams } from "./params.js";
import { APPLY_PATCH_TOOL, commitPatch, planPatch, relPath } from "./patch.js";
import { gitDirsIn, ragIndexDir } from "./protect.js";
import type { InvokeOptions, InvokeResult, SkillInfo, ToolSpec } from "./types.js";

/** What list()/get() hand out: the public info, never the internals. */
function info(s: Skill): SkillInfo {
  const { name, description, source, path, argvTemplate, parameters, risk, blocked, overrides } = s;
  return { name, description, source, path, argvTemplate, parameters, risk, blocked, overrides };
}

function emptyResult(skill: string, argv: string[], status: InvokeResult["status"], reason?: string, rule?: string): InvokeResult {
  const r: InvokeResult = { skill, status, argv, exitCode: null, signal: null, timedOut: false, durationMs: 0, stdout: "", stderr: "", truncated: false, id: null };
  if (reason !== undefined) r.reason = reason;
  if (rule !== undefined) r.rule = rule;
  return r;
}

/**
 * The skills of this runtime and THE choke point between a wish (a model's tool call,
 * `skills run`, a gateway request) and a process: invoke() validates parameters,
 * applies policy, asks for approval, runs exec and writes the audit record. A refusal
 * is a result (status "denied", audited), not an exception, so a model can read why.
 */
export class SkillRegistry {
  private readonly runtime: Runtime;
  private skills = new Map<string, Skill>();
  private loadErrors: Array<{ path: string; message: string }> = [];
  private readonly session = new Map<string, Skill>();

  constructor(opts: { runtime: Runtime }) {
    this.runtime = opts.runtime;
  }

  /** Skill folders in precedence order: later ones override earlier ones. */
  folders(): Array<{ dir: string; source: SkillInfo["source"] }> {
    const c = this.runtime.config;
    const out: Array<{ dir: string; source: SkillInfo["source"] }> = [];
    if (c.skills.bundled) out.push({ dir: bundledSkillsDir(), source: "bundled" });
    for (const d of c.skills.dirs) out.push({ dir: d, source: "config" });
    out.push({ dir: join(c.agentDefaults.workspace, "skills"), source: "workspace" });
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
          this.put(found, loadSkillFile(folder, source, this.runtime.env));
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
      const ws = this.runtime.config.agentDefaults.workspace;
      s = parseSkill(pathOrSkillMd, { dir: ws, path: "session:(text)", source: "session", env: this.runtime.env });
      s.path = `session:${s.name}`;
    } else s = loadSkillFile(resolve(pathOrSkillMd), "session", this.runtime.env);
    s.source = "session";
    s.overrides = null;
    this.session.set(s.name, s);
    this.put(this.skills, s);
    return info(s);
  }

  patchAllowed(modelRef: string | undefined): boolean {
    const ap = this.runtime.config.tools.exec.applyPatch;
    return ap.enabled && modelRef !== undefined && ap.allowedModels.includes(modelRef);
  }

  /** What a model may call: every skill that can run here, plus apply_patch when the gate allows its ref. */
  tools(modelRef?: string): ToolSpec[] {
    const out: ToolSpec[] = this.list()
      .filter((s) => !s.blocked)
      .map((s) => ({ name: s.name, description: s.description, parameters: s.parameters }));
    if (this.patchAllowed(modelRef)) out.push(APPLY_PATCH_TOOL);
    return out;
  }

  private async audit(i: AuditInput): Promise<void> {
    const log: AuditLog = await this.runtime.audit();
    await log.append(i);
  }

  /** A refusal: audited, then returned. */
  private async deny(opts: InvokeOptions, action: string, skill: string, argv: string[], rule: string, reason: string, extra?: Record<string, unknown>): Promise<InvokeResult> {
    await this.audit({ actor: opts.actor, action, skill, argv, cwd: this.runtime.config.agentDefaults.workspace, decision: "deny", rule, reason, extra });
    this.runtime.emit({ type: "policy.denied", skill, rule, reason });
    return emptyResult(skill, argv, "denied", reason, rule);
  }

  /** Asks the approver for a risky action; no approver means no. */
  private async approve(opts: InvokeOptions, kind: "skill" | "apply_patch", skill: string, summary: string, argv: string[]): Promise<{ rule: string; reason: string } | null> {
    if (!opts.approver) return { rule: "approval.none", reason: `${kind === "skill" ? `skill ${skill} is risk: high and needs` : "apply_patch needs"} a person's approval, and this host has no approver (non-interactive)` };
    this.runtime.emit({ type: "approval.requested", kind, skill, summary, argv });
    let yes = false;
    try {
      yes = await opts.approver({ kind, summary, skill, argv, modelRef: opts.actor.modelRef });
    } catch {
      yes = false;
    }
    await this.audit({ actor: opts.actor, action: "approval", skill, argv, decision: yes ? "allow" : "deny", rule: yes ? "approval.granted" : "approval.denied", reason: summary });
    return yes ? null : { rule: "approval.denied", reason: `the approver declined: ${summary}` };
  }

  /** THE choke point. See the class comment. */
  async invoke(name: string, params: Record<string, unknown>, opts: InvokeOptions): Promise<InvokeResult> {
    const s = this.skills.get(name);
    if (!s) {
      const near = didYouMean(name, this.skills.keys());
      return this.deny(opts, "skill.invoke", name, [], "skill.unknown", `no skill named "${name}"${near ? `; did you mean "${near}"?` : ""} (known: ${[...this.skills.keys()].join(", ") || "none"})`);
    }
    if (s.blocked) return this.deny(opts, "skill.invoke", name, [], "skill.blocked", `skill ${name} is blocked: ${s.blocked}`);
    const bound = bindParams(s, params ?? {});
    if ("rule" in bound) return this.deny(opts, "skill.invoke", name, [], bound.rule, bound.reason, { params: Object.keys(params ?? {}) });
    const argv = bound.argv;
    // requires.env / requires.secrets: what the child gets; declared secrets are named (never shown) in the approval and the audit record.
    const passed = skillEnv(s.front.requires, this.runtime.env);
    if (passed.blocked) return this.deny(opts, "skill.invoke", name, argv, "exec.env", passed.blocked);
    if (s.risk === "high") {
      const no = await this.approve(opts, "skill", name, `run skill ${name}: ${JSON.stringify(argv)}${passed.secrets.length ? ` with the secrets ${passed.secrets.join(", ")} from the environment` : ""}`, argv);
      if (no) return this.deny(opts, "skill.invoke", name, argv, no.rule, no.reason);
    }
    // Fail closed: a run whose record could not be written must not start.
    await (await this.runtime.audit()).ready();
    const exec: ExecManager = await this.runtime.exec();
    // Where the runtime keeps its state and config: paths, never secrets. Skills built on
    // openclaw-kernel (the bundled local-rag) read the RAG index through them.
    const env: Record<string, string> = { OPENCLAW_STATE_DIR: this.runtime.config.stateDir, OPENCLAW_WORKSPACE: this.runtime.config.agentDefaults.workspace };
    if (this.runtime.source.path) env.OPENCLAW_CONFIG = this.runtime.source.path;
    Object.assign(env, passed.env);
    let r: ExecResult;
    try {
      r = await exec.run({ argv, env, timeoutSec: s.front.exec.timeoutSec, backgroundMs: s.front.exec.backgroundMs, signal: opts.signal, owner: opts.owner, label: name, readOnlyPaths: this.readOnlyFor(s), secretEnv: passed.secrets });
    } catch (e) {
      if (e instanceof PolicyError) return this.deny(opts, "skill.invoke", name, argv, e.rule, e.message);
      if (e instanceof UsageError) return this.deny(opts, "skill.invoke", name, argv, "exec.usage", e.message);
      await this.audit({ actor: opts.actor, action: "skill.invoke", skill: name, argv, decision: "error", reason: (e as Error).message });
      throw e;
    }
    const rec = this.execAudit(opts, name, r);
    if (passed.secrets.length) rec.extra = { ...rec.extra, secrets: passed.secrets };
    await this.audit(rec);
    if (r.status === "running") {
      // The run continues in the background: its end gets its own record.
      void exec.wait(r.id).then((fin) => this.audit({ ...this.execAudit(opts, name, fin), action: "exec.exit" })).catch(() => undefined);
    }
    const out: InvokeResult = {
      skill: name,
      status: r.status === "aborted" ? "failed" : r.status,
      argv,
      exitCode: r.exitCode,
      signal: r.signal,
      timedOut: r.timedOut,
      durationMs: r.durationMs,
      stdout: r.stdout,
      stderr: r.stderr,
      truncated: r.truncated,
      id: r.id,
    };
    if (r.error) out.reason = r.error;
    else if (r.status === "aborted") out.reason = "aborted (Stop / interrupt)";
    return out;
  }

  /**
   * What the sandbox keeps read-only even inside the writable workspace: the skill's
   * own folder, the config file and (unless the hidden state dir holds it) the audit log.
   */
  private readOnlyFor(s: Skill): string[] {
    const c = this.runtime.config;
    // The RAG index is the workspace's own text, re-exposed read-only inside the hidden
    // state dir so local-rag queries it instead of re-embedding the workspace every run.
    // The package itself stays visible even when it lives under /tmp (a private tmpfs in
    // the sandbox): bundled skills such as local-rag run its compiled code.
    // Every skill folder (and the workspace's .git) is read-only inside the sandbox, so a run
    // cannot plant or edit skills, or git hooks and config, for a later run or the host.
    const out = [packageRoot(), ...this.folders().map((f) => f.dir), s.dir, ragIndexDir(c.stateDir, c.agentDefaults.workspace), ...gitDirsIn(c.agentDefaults.workspace)];
    if (this.runtime.source.path) out.push(this.runtime.source.path);
    const auditDir = dirname(c.audit.path);
    if (!isInside(c.stateDir, auditDir)) out.push(auditDir);
    return out;
  }

  private execAudit(opts: InvokeOptions, name: string, r: ExecResult): AuditInput {
    return {
      actor: opts.actor,
      action: "skill.invoke",
      skill: name,
      argv: r.argv,
      cwd: this.runtime.config.agentDefaults.workspace,
      decision: r.error ? "error" : "allow",
      rule: "skill.allowed",
      ...(r.error ? { reason: r.error } : {}),
      exitCode: r.exitCode,
      signal: r.signal,
      timedOut: r.timedOut,
      durationMs: r.durationMs,
      stdout: { sha256: r.stdoutSha256, bytes: r.stdoutBytes },
      stderr: { sha256: r.stderrSha256, bytes: r.stderrBytes },
      execId: r.id,
      extra: { status: r.status, sandboxed: r.sandboxed, truncated: r.truncated },
    };
  }

  /** Real paths apply_patch may never touch. */
  private protectedPaths(): { forbidden: string[]; forbiddenFiles: string[] } {
    const real = (p: string) => {
      try {
        return realpathSync(p);
      } catch {
        return resolve(p);
      }
    };
    const c = this.runtime.config;
    const dirs = [c.stateDir, dirname(c.audit.path), ...this.folders().map((f) => f.dir), ...[...this.skills.values()].filter((s) => s.source !== "session" || !s.path.startsWith("session:")).map((s) => s.dir)];
    const files = [c.audit.path, `${c.audit.path}.head`, ...(this.runtime.source.path ? [this.runtime.source.path] : [])];
    return { forbidden: [...new Set(dirs.map(real))], forbiddenFiles: files.map(real) };
  }

  /** The apply_patch tool: gate, containment, all-or-nothing, approval, audit. */
  async applyPatch(patch: string, opts: InvokeOptions): Promise<InvokeResult & { files?: string[] }> {
    const ap = this.runtime.config.tools.exec.applyPatch;
    const ref = opts.actor.modelRef;
    const argv = ["apply_patch"];
    if (!ap.enabled) return this.deny(opts, "apply_patch", "apply_patch", argv, "applyPatch.disabled", "apply_patch is disabled (tools.exec.applyPatch.enabled is false)");
    if (!this.patchAllowed(ref)) return this.deny(opts, "apply_patch", "apply_patch", argv, "applyPatch.model", `${ref ? `model ${ref} is` : "a caller without a model ref is"} not in tools.exec.applyPatch.allowedModels (exact refs only)`);
    const ws = this.runtime.config.agentDefaults.workspace;
    let realWs: string;
    try {
      realWs = realpathSync(ws);
    } catch {
      return this.deny(opts, "apply_patch", "apply_patch", argv, "applyPatch.workspace", `the workspace ${ws} does not exist`);
    }
    const t0 = performance.now();
    const plan = planPatch(typeof patch === "string" ? patch : "", { workspace: realWs, ...this.protectedPaths() });
    if (!Array.isArray(plan)) {
      if (plan.status === "denied") return this.deny(opts, "apply_patch", "apply_patch", argv, plan.rule, plan.reason);
      await this.audit({ actor: opts.actor, action: "apply_patch", skill: "apply_patch", argv, cwd: ws, decision: "error", rule: plan.rule, reason: plan.reason });
      return { ...emptyResult("apply_patch", argv, "failed", plan.reason, plan.rule), stderr: plan.reason };
    }
    const files = plan.map((f) => relPath(realWs, f.abs));
    const no = await this.approve(opts, "apply_patch", "apply_patch", `apply a patch to ${files.join(", ")} as ${ref}`, files);
    if (no) return this.deny(opts, "apply_patch", "apply_patch", argv, no.rule, no.reason, { files });
    // The approval may have taken minutes, long enough for a background run to swap a folder
    // for a symlink: plan again, checking every path anew, and write only the same plan.
    const again = planPatch(typeof patch === "string" ? patch : "", { workspace: realWs, ...this.protectedPaths() });
    if (!Array.isArray(again)) return this.deny(opts, "apply_patch", "apply_patch", argv, again.rule, `changed while waiting for approval: ${again.reason}`, { files });
    if (again.length !== plan.length || again.some((f, i) => f.abs !== plan[i]!.abs || f.before !== plan[i]!.before || f.after !== plan[i]!.after)) {
      return this.deny(opts, "apply_patch", "apply_patch", argv, "applyPatch.changed", "the files changed while waiting for approval; nothing was written", { files });
    }
    try {
      commitPatch(again);
    } catch (e) {
      const reason = `writing the patch failed, nothing kept: ${(e as Error).message}`;
      await this.audit({ actor: opts.actor, action: "apply_patch", skill: "apply_patch", argv, cwd: ws, decision: "error", rule: "applyPatch.write", reason, extra: { files } });
      return { ...emptyResult("apply_patch", argv, "failed", reason, "applyPatch.write"), files };
    }
    const durationMs = Math.round((performance.now() - t0) * 1000) / 1000;
    const stdout = `patched ${files.length} file${files.length === 1 ? "" : "s"}: ${files.join(", ")}\n`;
    await this.audit({ actor: opts.actor, action: "apply_patch", skill: "apply_patch", argv, cwd: ws, decision: "allow", rule: "applyPatch.allowed", durationMs, extra: { files } });
    return { ...emptyResult("apply_patch", argv, "ok"), exitCode: 0, durationMs, stdout, files };
  }
}
