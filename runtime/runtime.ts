import type { LoadedConfig, OpenClawConfig, ConfigSource } from "./config/index.js";
import type { Actor, Approver, EventSink, RuntimeEvent, RuntimeEventInput } from "./events.js";
import type { ExecNotice } from "./exec/index.js";
import { doorFactories } from "./governor/door.js";
import type { Governor } from "./governor/governor.js";
import type { Door, DoorFactory, ModelDoorFactory } from "./governor/types.js";
import type { SkillRegistry } from "./skills/index.js";
import type { ModelRegistry } from "./models/index.js";
import type { Agent } from "./agent/index.js";
import type { Rag } from "./rag/index.js";
import type { Gateway } from "./gateway/index.js";

export type HostKind = Actor["host"];

export interface RuntimeOptions {
  host: HostKind;
  sessionId?: string;
  env?: NodeJS.ProcessEnv;
  /** Secrets entered at run time (`%openclaw secret NAME`): memory only, read by providers. */
  secrets?: Map<string, string>;
}

/**
 * The control plane: builds every part from one validated config and owns their
 * lifetimes. Parts load on first use (dynamic import) so a front door that only
 * answers `kernel_info` or `config validate` never pays for llama.cpp or embeddings.
 *
 * Exec and the audit log belong to the governor (runtime/governor), built inside on first
 * use and never handed out: front doors act through `door()` (a person), the agent loop
 * through the model door factory it gets at construction. Parts get narrow ports, not
 * the runtime.
 */
export class Runtime {
  readonly config: OpenClawConfig;
  readonly source: ConfigSource;
  readonly host: HostKind;
  readonly sessionId: string;
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: Map<string, string>;
  readonly #parts = new Map<string, Promise<unknown>>();
  private readonly listeners = new Set<EventSink>();
  private closed = false;
  /** `door()`: a person's door, bound to this runtime's host and session (DoorFactory). */
  readonly door: DoorFactory;
  readonly #modelDoor: ModelDoorFactory;
  readonly #notices: (owner: string) => Promise<ExecNotice[]>;

  constructor(loaded: LoadedConfig, opts: RuntimeOptions) {
    this.config = loaded.config;
    this.source = loaded.source;
    this.host = opts.host;
    // Web Crypto's UUID: importing node:crypto here loaded 16 internal modules into every CLI start.
    this.sessionId = opts.sessionId ?? globalThis.crypto.randomUUID();
    this.env = opts.env ?? process.env;
    this.secrets = opts.secrets ?? new Map();
    const f = doorFactories({ host: this.host, sessionId: this.sessionId }, () => this.#governor());
    this.door = f.door;
    this.#modelDoor = f.modelDoor;
    this.#notices = f.notices;
  }

  /** A secret by env-var name: a run-time secret first, then the environment. Never logged. */
  secret(name: string): string | undefined {
    return this.secrets.get(name) ?? this.env[name];
  }

  /** Runtime-wide events (exit notices, progress) for whoever listens: kernel, gateway. */
  on(listener: EventSink): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: RuntimeEventInput): void {
    const e = { ts: Date.now(), ...event } as RuntimeEvent;
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a broken listener must not break the runtime */
      }
    }
  }

  #part<T>(name: string, build: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`runtime is closed (asked for ${name})`));
    let p = this.#parts.get(name) as Promise<T> | undefined;
    if (!p) {
      p = build();
      this.#parts.set(name, p);
      p.catch(() => this.#parts.delete(name)); // a failed build may be retried
    }
    return p;
  }

  /** The governor, with the ExecManager and AuditLog it alone holds. Private: reach it through a Door. */
  #governor(): Promise<Governor> {
    return this.#part("governor", async () => {
      const [{ createGovernor }, { packageRoot }] = await Promise.all([import("./governor/governor.js"), import("./paths.js")]);
      const c = this.config;
      return createGovernor({
        config: c,
        skills: await this.skills(),
        applyPatch: c.tools.exec.applyPatch,
        paths: { packageRoot: packageRoot(), workspace: c.agentDefaults.workspace, stateDir: c.stateDir, auditPath: c.audit.path, configPath: this.source.path ?? null },
        env: this.env,
        emit: (e) => this.emit(e),
      });
    });
  }

  skills(): Promise<SkillRegistry> {
    return this.#part("skills", async () => {
      // The registry alone: the skills barrel also loads the params validator (ajv) and the patch tool (diff).
      const { SkillRegistry } = await import("./skills/registry.js");
      const reg = new SkillRegistry({ skills: this.config.skills, workspace: this.config.agentDefaults.workspace, env: this.env });
      await reg.load();
      return reg;
    });
  }

  models(): Promise<ModelRegistry> {
    return this.#part("models", async () => new (await import("./models/index.js")).ModelRegistry({ config: this.config, env: this.env, secret: (n) => this.secret(n) }));
  }

  agent(): Promise<Agent> {
    return this.#part("agent", async () => {
      const { Agent } = await import("./agent/index.js");
      return new Agent({
        config: this.config.agentDefaults,
        sessionId: this.sessionId,
        models: () => this.models(),
        door: this.door(),
        modelDoor: this.#modelDoor,
        notices: this.#notices,
        emit: (e) => this.emit(e),
        stateDir: this.config.stateDir,
        prices: this.config.models.prices,
        providerNames: Object.keys(this.config.models.named),
      });
    });
  }

  rag(): Promise<Rag> {
    return this.#part("rag", async () => new (await import("./rag/index.js")).Rag({ runtime: this }));
  }

  gateway(): Promise<Gateway> {
    return this.#part("gateway", async () => new (await import("./gateway/index.js")).Gateway({ runtime: this }));
  }

  /** Whether a part has been built (so close() and status never build one). */
  has(name: "governor" | "skills" | "models" | "agent" | "rag" | "gateway"): boolean {
    return this.#parts.has(name);
  }

  /** Stop the gateway, kill exec sessions, flush the audit log. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    const get = async <T>(n: string) => (this.#parts.has(n) ? ((await this.#parts.get(n)!.catch(() => undefined)) as T | undefined) : undefined);
    const gw = await get<Gateway>("gateway");
    await gw?.stop().catch(() => undefined);
    const ag = await get<{ close?: () => Promise<void> }>("agent");
    await ag?.close?.().catch(() => undefined);
    const md = await get<{ close?: () => Promise<void> }>("models");
    await md?.close?.().catch(() => undefined);
    // the RAG fill behind the lexical index stops (its vectors so far saved) and embedding workers end
    const rag = await get<{ close?: () => Promise<void> }>("rag");
    await rag?.close?.().catch(() => undefined);
    const gov = await get<Governor>("governor");
    await gov?.close().catch(() => undefined);
    this.closed = true;
    this.#parts.clear();
  }
}

export type { Approver, Door };
