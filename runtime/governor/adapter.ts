// TEMPORARY: replaced by H1's governor at merge.
// A Door on top of today's parts (SkillRegistry, ExecManager, AuditLog), so the
// operation table can be coded and tested against the Door contract before the
// governor lands. Its one addition to behaviour: execKill writes an audit record with
// the door's actor, whichever front door asked. Drop this file and Runtime.door()'s
// body when the governor is merged.
import type { Runtime } from "../runtime.js";
import type { CallOptions, Door, PersonActor } from "./types.js";

export function adapterDoor(rt: Runtime, extra: { clientId?: string; host?: PersonActor["host"] } = {}): Door {
  if ("modelRef" in (extra as object)) throw new Error("a front door acts for a person, never as a model (actor.model)");
  const actor: PersonActor = { host: extra.host ?? rt.host, sessionId: rt.sessionId, ...(extra.clientId ? { clientId: extra.clientId } : {}) };
  const frozen = Object.freeze({ ...actor });
  const opts = (o: CallOptions = {}) => ({ actor: { host: frozen.host, sessionId: frozen.sessionId }, signal: o.signal, approver: o.approver, owner: o.owner ?? frozen.sessionId });
  return {
    actor: frozen,
    invoke: async (name, params, o) => (await rt.skills()).invoke(name, params, opts(o)),
    applyPatch: async (patch, o) => (await rt.skills()).applyPatch(patch, opts(o)),
    skills: async () => (await rt.skills()).list(),
    tools: async () => (await rt.skills()).tools(),
    execList: async () => (await rt.exec()).list(),
    execLog: async (id) => (await rt.exec()).log(id),
    async execKill(id) {
      const log = await rt.audit();
      const who = { host: frozen.host, sessionId: frozen.sessionId };
      try {
        const r = await (await rt.exec()).kill(id);
        await log.append({ actor: who, action: "exec.kill", argv: r.argv, execId: id, decision: "allow", rule: "exec.kill", exitCode: r.exitCode, signal: r.signal, durationMs: r.durationMs, ...(frozen.clientId ? { extra: { clientId: frozen.clientId } } : {}) });
        return r;
      } catch (e) {
        await log.append({ actor: who, action: "exec.kill", execId: id, decision: "error", rule: "exec.kill", reason: String((e as Error)?.message ?? e) });
        throw e;
      }
    },
    auditTail: async (n) => (await rt.audit()).tail(n),
    auditVerify: async () => (await rt.audit()).verify(),
  };
}
