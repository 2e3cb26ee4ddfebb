import { PolicyError } from "../errors.js";
import type { Actor } from "../events.js";
import type { ExecNotice } from "../exec/index.js";
import type { Governor } from "./governor.js";
import type { Door, DoorFactory, ModelDoorFactory, PersonActor } from "./types.js";

type GetGovernor = () => Promise<Governor>;

function freeze<T extends object>(o: T): Readonly<T> {
  return Object.freeze({ ...o });
}

/**
 * A Door: the actor fixed at creation (a private field, frozen), every call forwarded to
 * the governor with it. Nothing a caller passes per call can change who acts.
 */
class GovernedDoor implements Door {
  readonly #gov: GetGovernor;
  readonly #actor: Readonly<Actor>;

  constructor(actor: Actor, gov: GetGovernor) {
    this.#actor = freeze(actor);
    this.#gov = gov;
  }

  get actor(): Door["actor"] {
    return this.#actor as Door["actor"];
  }

  async invoke(...a: Parameters<Door["invoke"]>) {
    return (await this.#gov()).invoke(this.#actor, ...a);
  }
  async applyPatch(...a: Parameters<Door["applyPatch"]>) {
    return (await this.#gov()).applyPatch(this.#actor, ...a);
  }
  async skills() {
    return (await this.#gov()).skills();
  }
  async tools() {
    return (await this.#gov()).tools(this.#actor);
  }
  async execList(limit?: number) {
    return (await this.#gov()).execList(limit);
  }
  async execLog(id: string) {
    return (await this.#gov()).execLog(id);
  }
  async execKill(id: string) {
    return (await this.#gov()).execKill(this.#actor, id);
  }
  async auditTail(n: number) {
    return (await this.#gov()).auditTail(n);
  }
  async auditVerify(opts?: { anchor?: { hash: string; seq?: number } }) {
    return (await this.#gov()).auditVerify(opts);
  }
  async auditHead() {
    return (await this.#gov()).auditHead();
  }
}

/**
 * The two factories of one runtime: person doors for front doors, model doors for the
 * agent loop only. `gov` builds the governor on first use (so a door costs nothing until
 * it is used) and `notices` is the agent's read of background exit notices.
 */
export function doorFactories(base: { host: PersonActor["host"]; sessionId: string }, gov: GetGovernor): { door: DoorFactory; modelDoor: ModelDoorFactory; notices: (owner: string) => Promise<ExecNotice[]> } {
  // Doors this runtime minted: a model door is only ever made under one of them.
  const minted = new WeakSet<Door>();
  const mint = (actor: Actor) => {
    const d = new GovernedDoor(actor, gov);
    minted.add(d);
    return d;
  };
  const door: DoorFactory = (extra = {}) => {
    if (extra && typeof extra === "object" && ("modelRef" in extra || "modelId" in extra)) {
      throw new PolicyError("a front door acts for a person; a model ref cannot be given to door()", { rule: "actor.model", fix: "only the agent loop acts as a model" });
    }
    const actor: Actor = { host: extra.host ?? base.host, sessionId: base.sessionId };
    if (extra.clientId !== undefined) {
      if (typeof extra.clientId !== "string" || !extra.clientId) throw new PolicyError("door({ clientId }) takes a non-empty string", { rule: "actor.model" });
      actor.clientId = extra.clientId;
    }
    return mint(actor);
  };
  const modelDoor: ModelDoorFactory = (under, model) => {
    if (!minted.has(under) || "modelRef" in under.actor) throw new PolicyError("a model door is made only under a person's door of this runtime", { rule: "actor.model" });
    if (typeof model?.modelRef !== "string" || !model.modelRef) throw new PolicyError("a model door needs the model's ref", { rule: "actor.model" });
    const a = under.actor as PersonActor;
    return mint({ host: a.host, sessionId: a.sessionId, ...(a.clientId !== undefined ? { clientId: a.clientId } : {}), modelRef: model.modelRef, ...(model.modelId ? { modelId: model.modelId } : {}) });
  };
  return { door, modelDoor, notices: async (owner) => (await gov()).drainNotices(owner) };
}
