import { randomUUID } from "node:crypto";
import type { LoadedConfig, OpenClawConfig, ConfigSource } from "./config/index.js";
import type { Actor, Approver, EventSink, RuntimeEvent, RuntimeEventInput } from "./events.js";
import type { AuditLog } from "./audit/index.js";
import type { ExecManager } from "./exec/index.js";
import type { SkillRegistry } from "./skills/index.js";
import type { ModelRegistry } from "./models/index.js";
import type { Agent } from "./agent/index.js";
import type { Rag } from "./rag/index.js";
import type { Gateway } from "./gateway/index.js";
import type { Door } from "./governor/types.js";
import { adapterDoor } from "./governor/adapter.js";

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
 * Policy lives in the parts, never in the front doors.
 */
export class Runtime {
  readonly config: OpenClawConfig;
  readonly source: ConfigSource;
  readonly host: HostKind;
  readonly sessionId: string;
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: Map<string, string>;
  private readonly parts = new Map<string, Promise<unknown>>();
  private readonly listeners = new Set<EventSink>();
  private closed = false;

  constructor(loaded: LoadedConfig, opts: RuntimeOptions) {
    this.config = loaded.config;
    this.source = loaded.source;
    this.host = opts.host;
    this.sessionId = opts.sessionId ?? randomUUID();
    this.env = opts.env ?? process.env;
    this.secrets = opts.secrets ?? new Map();
  }

  /** The actor for actions a person (not a model) starts from this host. */
  actor(extra: Partial<Actor> = {}): Actor {
    return { host: this.host, sessionId: this.sessionId, ...extra };
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

  private part<T>(name: string, build: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`runtime is closed (asked for ${name})`));
    let p = this.parts.get(name) as Promise<T> | undefined;
    if (!p) {
      p = build();
      this.parts.set(name, p);
      p.catch(() => this.parts.delete(name)); // a failed build may be retried
    }
    return p;
  }

  audit(): Promise<AuditLog> {
    return this.part("audit", async () => new (await import("./audit/index.js")).AuditLog(this.config.audit));
  }

  exec(): Promise<ExecManager> {
    return this.part("exec", async () => {
      const { ExecManager } = await import("./exec/index.js");
      return new ExecManager({ config: this.config.tools.exec, workspace: this.config.agentDefaults.workspace, stateDir: this.config.stateDir, emit: (e) => this.emit(e) });
    });
  }

  skills(): Promise<SkillRegistry> {
    return this.part("skills", async () => {
      const { SkillRegistry } = await import("./skills/index.js");
      const reg = new SkillRegistry({ runtime: this });
      await reg.load();
      return reg;
    });
  }

  models(): Promise<ModelRegistry> {
    return this.part("models", async () => new (await import("./models/index.js")).ModelRegistry({ runtime: this }));
  }

  agent(): Promise<Agent> {
    return this.part("agent", async () => new (await import("./agent/index.js")).Agent({ runtime: this }));
  }

  rag(): Promise<Rag> {
    return this.part("rag", async () => new (await import("./rag/index.js")).Rag({ runtime: this }));
  }

  gateway(): Promise<Gateway> {
    return this.part("gateway", async () => new (await import("./gateway/index.js")).Gateway({ runtime: this }));
  }

  /**
   * The actor-bound handle onto the governor for a front door of this runtime.
   * TEMPORARY: replaced by H1's governor at merge (see governor/adapter.ts).
   */
  door(extra?: { clientId?: string; host?: HostKind }): Door {
    return adapterDoor(this, extra);
  }

  /** Whether a part has been built (so close() and status never build one). */
  has(name: "audit" | "exec" | "skills" | "models" | "agent" | "rag" | "gateway"): boolean {
    return this.parts.has(name);
  }

  /** Stop the gateway, kill exec sessions, flush the audit log. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    const get = async <T>(n: string) => (this.parts.has(n) ? ((await this.parts.get(n)!.catch(() => undefined)) as T | undefined) : undefined);
    const gw = await get<Gateway>("gateway");
    await gw?.stop().catch(() => undefined);
    const ag = await get<{ close?: () => Promise<void> }>("agent");
    await ag?.close?.().catch(() => undefined);
    const md = await get<{ close?: () => Promise<void> }>("models");
    await md?.close?.().catch(() => undefined);
    const ex = await get<ExecManager>("exec");
    await ex?.close().catch(() => undefined);
    const au = await get<AuditLog>("audit");
    await au?.close().catch(() => undefined);
    this.closed = true;
    this.parts.clear();
  }
}

export type { Approver };
