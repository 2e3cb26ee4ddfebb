import type { OpenClawConfig } from "../config/index.js";
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import type { AuditHead, AuditInput, AuditLog, AuditRecord, VerifyReport } from "../audit/index.js";
import { didYouMean } from "../config/index.js";
import { PolicyError, UsageError } from "../errors.js";
import type { Actor, Approver, RuntimeEventInput } from "../events.js";
import type { ExecManager, ExecNotice, ExecResult, ExecSessionInfo } from "../exec/index.js";
import { gitDirsIn, ragIndexDir } from "../skills/protect.js";
import { approverDeclined, deny, isRuleId, noApprover, patchGate, patchProtected, sandboxGate, sandboxReadOnly, skillEnv, skillGate, type ApplyPatchConfig, type Denial, type PathFacts, type RuleId } from "../policy/index.js";
import { bindParams } from "../skills/params.js";
import { APPLY_PATCH_TOOL, commitPatch, planPatch, relPath } from "../skills/patch.js";
import type { SkillRegistry } from "../skills/registry.js";
import type { InvokeResult, SkillInfo, ToolSpec } from "../skills/types.js";
import type { CallOptions, PatchResult } from "./types.js";

/** What the governor is built from. It alone holds the ExecManager and the AuditLog. */
export interface GovernorOptions {
  exec: ExecManager;
  audit: AuditLog;
  skills: SkillRegistry;
  applyPatch: ApplyPatchConfig;
  /** The package, workspace, state dir, audit log and config paths (skill folders come from the registry). */
  paths: Omit<PathFacts, "skillFolders">;
  /** The host environment: the source of a skill's `requires.env`. */
  env: Readonly<Record<string, string | undefined>>;
  emit: (e: RuntimeEventInput) => void;
}

function emptyResult(skill: string, argv: string[], status: InvokeResult["status"], reason?: string, rule?: RuleId): InvokeResult {
  const r: InvokeResult = { skill, status, argv, exitCode: null, signal: null, timedOut: false, durationMs: 0, stdout: "", stderr: "", truncated: false, id: null };
  if (reason !== undefined) r.reason = reason;
  if (rule !== undefined) r.rule = rule;
  return r;
}

/** A rule named by a part (patch planning): a known id, or the generic one of its family. */
function ruleOf(s: string, fallback: RuleId): RuleId {
  return isRuleId(s) ? s : fallback;
}

/**
 * THE choke point between a wish (a model's tool call, `skills run`, a gateway request,
 * a TypeScript cell) and a process or a file write: policy (runtime/policy), approval,
 * exec, audit. Every method takes the acting Actor; the only callers are the Doors the
 * Runtime mints (runtime/governor/door.ts), which bind it at creation. A refusal is a
 * result (status "denied", audited), never an exception, so a model can read why.
 */
export class Governor {
  readonly #o: GovernorOptions;

  constructor(opts: GovernorOptions) {
    this.#o = opts;
  }

  /** The path facts policy decides on; for a sandboxed run also this workspace's RAG index and every .git in it (a scan). */
  private paths(opts: { sandbox?: boolean } = {}): PathFacts {
    const p: PathFacts = { ...this.#o.paths, skillFolders: this.#o.skills.folders().map((f) => f.dir) };
    if (opts.sandbox && this.#o.exec.config.sandbox !== "off") {
      p.ragIndexDir = ragIndexDir(p.stateDir, p.workspace);
      p.gitDirs = gitDirsIn(p.workspace);
    }
    return p;
  }

  private async audit(i: AuditInput): Promise<AuditRecord> {
    return this.#o.audit.append(i);
  }

  /** A refusal: audited, announced, returned. */
  private async refuse(actor: Actor, action: string, skill: string, argv: string[], d: Denial, extra?: Record<string, unknown>): Promise<InvokeResult> {
    await this.audit({ actor, action, skill, argv, cwd: this.#o.paths.workspace, decision: "deny", rule: d.rule, reason: d.reason, extra });
    this.#o.emit({ type: "policy.denied", skill, rule: d.rule, reason: d.reason });
    return emptyResult(skill, argv, "denied", d.reason, d.rule);
  }

  /** Asks the approver; no approver means no. Returns the refusal, or null when a person said yes. */
  private async approve(actor: Actor, approver: Approver | undefined, kind: "skill" | "apply_patch", skill: string, summary: string, argv: string[]): Promise<Denial | null> {
    if (!approver) return noApprover(kind, skill);
    this.#o.emit({ type: "approval.requested", kind, skill, summary, argv });
    let yes = false;
    try {
      yes = (await approver({ kind, summary, skill, argv, modelRef: actor.modelRef })) === true;
    } catch {
      yes = false;
    }
    await this.audit({ actor, action: "approval", skill, argv, decision: yes ? "allow" : "deny", rule: yes ? "approval.granted" : "approval.denied", reason: summary });
    return yes ? null : approverDeclined(summary);
  }

  async skills(): Promise<SkillInfo[]> {
    return this.#o.skills.list();
  }

  /** What `actor` may call as tools: runnable skills, plus apply_patch when the gate lets its model ref through. */
  async tools(actor: Actor): Promise<ToolSpec[]> {
    const out = this.#o.skills.tools();
    if (actor.modelRef !== undefined && !patchGate(this.#o.applyPatch, actor.modelRef)) out.push(APPLY_PATCH_TOOL);
    return out;
  }

  async invoke(actor: Actor, name: string, params: Record<string, unknown>, opts: CallOptions = {}): Promise<InvokeResult> {
    const reg = this.#o.skills;
    const s = reg.skill(name);
    const gate = skillGate(name, s, reg.names(), s ? undefined : didYouMean(name, reg.names()));
    if (gate.status === "denied") return this.refuse(actor, "skill.invoke", name, [], gate);
    const bound = bindParams(s!, params ?? {});
    if ("rule" in bound) return this.refuse(actor, "skill.invoke", name, [], deny(bound.rule, bound.reason), { params: Object.keys(params ?? {}) });
    const argv = bound.argv;
    const env = skillEnv({ stateDir: this.#o.paths.stateDir, workspace: this.#o.paths.workspace, configPath: this.#o.paths.configPath, requires: s!.front.requires, host: this.#o.env });
    if ("rule" in env) return this.refuse(actor, "skill.invoke", name, argv, env);
    const withSecrets = env.secrets.length ? ` with the secrets ${env.secrets.join(", ")} from the environment` : "";
    const sb = this.#o.exec.sandbox();
    const sbNo = sandboxGate(sb.mode, sb.available, sb.reason ?? "no sandbox");
    if (sbNo) return this.refuse(actor, "skill.invoke", name, argv, sbNo);
    if (gate.needsApproval) {
      const no = await this.approve(actor, opts.approver, "skill", name, `run skill ${name}: ${JSON.stringify(argv)}${withSecrets}`, argv);
      if (no) return this.refuse(actor, "skill.invoke", name, argv, no);
    }
    // Fail closed: a run whose record could not be written must not start.
    await this.#o.audit.ready();
    const exec = this.#o.exec;
    let r: ExecResult;
    try {
      r = await exec.run({ argv, env: env.env, timeoutSec: s!.front.exec.timeoutSec, backgroundMs: s!.front.exec.backgroundMs, signal: opts.signal, owner: opts.owner ?? actor.sessionId, label: name, readOnlyPaths: sandboxReadOnly(this.paths({ sandbox: true }), s!.dir), secretEnv: env.secrets });
    } catch (e) {
      // exec's own last-moment checks (cwd, argv, a sandbox that vanished): one conversion, here.
      if (e instanceof PolicyError) return this.refuse(actor, "skill.invoke", name, argv, deny(ruleOf(e.rule, "exec.usage"), e.message));
      if (e instanceof UsageError) return this.refuse(actor, "skill.invoke", name, argv, deny("exec.usage", e.message));
      await this.audit({ actor, action: "skill.invoke", skill: name, argv, decision: "error", reason: (e as Error).message });
      throw e;
    }
    const rec = this.execAudit(actor, name, r);
    if (env.secrets.length) rec.extra = { ...rec.extra, secrets: env.secrets };
    await this.audit(rec);
    if (r.status === "running") {
      // The run continues in the background: its end gets its own record.
      void exec
        .wait(r.id)
        .then((fin) => this.audit({ ...this.execAudit(actor, name, fin), action: "exec.exit" }))
        .catch(() => undefined);
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

  private execAudit(actor: Actor, name: string, r: ExecResult): AuditInput {
    return {
      actor,
      action: "skill.invoke",
      skill: name,
      argv: r.argv,
      cwd: this.#o.paths.workspace,
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
    const p = patchProtected(this.paths(), this.#o.skills.skillDirs());
    return { forbidden: [...new Set(p.forbidden.map(real))], forbiddenFiles: p.forbiddenFiles.map(real) };
  }

  /** The apply_patch tool: gate, containment, all-or-nothing, approval, audit. */
  async applyPatch(actor: Actor, patch: string, opts: CallOptions = {}): Promise<PatchResult> {
    const argv = ["apply_patch"];
    const refuse = (d: Denial, extra?: Record<string, unknown>) => this.refuse(actor, "apply_patch", "apply_patch", argv, d, extra);
    const gate = patchGate(this.#o.applyPatch, actor.modelRef);
    if (gate) return refuse(gate);
    const ws = this.#o.paths.workspace;
    let realWs: string;
    try {
      realWs = realpathSync(ws);
    } catch {
      return refuse(deny("applyPatch.workspace", `the workspace ${ws} does not exist`));
    }
    const text = typeof patch === "string" ? patch : "";
    const t0 = performance.now();
    const plan = planPatch(text, { workspace: realWs, ...this.protectedPaths() });
    if (!Array.isArray(plan)) {
      const rule = ruleOf(plan.rule, "applyPatch.parse");
      if (plan.status === "denied") return refuse(deny(rule, plan.reason));
      await this.audit({ actor, action: "apply_patch", skill: "apply_patch", argv, cwd: ws, decision: "error", rule, reason: plan.reason });
      return { ...emptyResult("apply_patch", argv, "failed", plan.reason, rule), stderr: plan.reason };
    }
    const files = plan.map((f) => relPath(realWs, f.abs));
    const no = await this.approve(actor, opts.approver, "apply_patch", "apply_patch", `apply a patch to ${files.join(", ")} as ${actor.modelRef}`, files);
    if (no) return refuse(no, { files });
    // The approval may have taken minutes, long enough for a background run to swap a folder
    // for a symlink: plan again, checking every path anew, and write only the same plan.
    const again = planPatch(text, { workspace: realWs, ...this.protectedPaths() });
    if (!Array.isArray(again)) return refuse(deny(ruleOf(again.rule, "applyPatch.changed"), `changed while waiting for approval: ${again.reason}`), { files });
    if (again.length !== plan.length || again.some((f, i) => f.abs !== plan[i]!.abs || f.before !== plan[i]!.before || f.after !== plan[i]!.after)) {
      return refuse(deny("applyPatch.changed", "the files changed while waiting for approval; nothing was written"), { files });
    }
    try {
      commitPatch(again);
    } catch (e) {
      const reason = `writing the patch failed, nothing kept: ${(e as Error).message}`;
      await this.audit({ actor, action: "apply_patch", skill: "apply_patch", argv, cwd: ws, decision: "error", rule: "applyPatch.write", reason, extra: { files } });
      return { ...emptyResult("apply_patch", argv, "failed", reason, "applyPatch.write"), files };
    }
    const durationMs = Math.round((performance.now() - t0) * 1000) / 1000;
    const stdout = `patched ${files.length} file${files.length === 1 ? "" : "s"}: ${files.join(", ")}\n`;
    await this.audit({ actor, action: "apply_patch", skill: "apply_patch", argv, cwd: ws, decision: "allow", rule: "applyPatch.allowed", durationMs, extra: { files } });
    return { ...emptyResult("apply_patch", argv, "ok"), exitCode: 0, durationMs, stdout, files };
  }

  async execList(limit?: number): Promise<ExecSessionInfo[]> {
    return this.#o.exec.list(limit);
  }

  async execLog(id: string): Promise<ExecResult> {
    return this.#o.exec.log(id);
  }

  /** Kills a session and records who did, whichever front door asked. */
  async execKill(actor: Actor, id: string): Promise<ExecResult> {
    await this.#o.audit.ready();
    let r: ExecResult;
    try {
      r = await this.#o.exec.kill(id);
    } catch (e) {
      await this.audit({ actor, action: "exec.kill", execId: id, decision: "error", rule: "exec.kill", reason: (e as Error).message });
      throw e;
    }
    await this.audit({ actor, action: "exec.kill", argv: r.argv, execId: id, decision: "allow", rule: "exec.kill", exitCode: r.exitCode, signal: r.signal, durationMs: r.durationMs });
    return r;
  }

  /** Exit notices of background runs for `owner`, each delivered once (the agent reads its own). */
  drainNotices(owner: string): ExecNotice[] {
    return this.#o.exec.drainNotices(owner);
  }

  async auditTail(n: number): Promise<AuditRecord[]> {
    return this.#o.audit.tail(n);
  }

  async auditVerify(opts: { anchor?: { hash: string; seq?: number } } = {}): Promise<VerifyReport> {
    return this.#o.audit.verify(opts.anchor ? { anchor: opts.anchor } : {});
  }

  async auditHead(): Promise<AuditHead> {
    return this.#o.audit.head();
  }

  /** Where the audit log is (for `audit tail` output). */
  auditPath(): string {
    return this.#o.audit.path;
  }

  /** Kills exec sessions, then closes the audit log. */
  async close(): Promise<void> {
    await this.#o.exec.close().catch(() => undefined);
    await this.#o.audit.close().catch(() => undefined);
  }
}

/**
 * Builds the governor with the ExecManager and the AuditLog it alone holds: the one place
 * either is constructed (the runtime asks for a governor, never for exec or audit).
 */
export async function createGovernor(o: Omit<GovernorOptions, "exec" | "audit"> & { config: OpenClawConfig }): Promise<Governor> {
  const [{ ExecManager }, { AuditLog }] = await Promise.all([import("../exec/index.js"), import("../audit/index.js")]);
  const c = o.config;
  const exec = new ExecManager({ config: c.tools.exec, workspace: c.agentDefaults.workspace, stateDir: c.stateDir, emit: o.emit });
  const audit = new AuditLog(c.audit);
  const { config: _c, ...rest } = o;
  return new Governor({ ...rest, exec, audit });
}
