/**
 * The five Jupyter channels on zeromq 6: shell and control (ROUTER), iopub (PUB),
 * stdin (ROUTER), heartbeat (REP). Receives are authenticated by Session; every send
 * goes through its socket's SendQueue so none overlap (zeromq 6 EBUSY) and none are lost.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import * as zmq from "zeromq";
import { endpoint, type ConnectionInfo } from "./connection.js";
import type { ControlWorkerData, FromWorker, ToWorker } from "./control-worker.js";
import { SendQueue } from "./queue.js";
import { SYNC_RUNNING } from "./syncflag.js";
import { DroppedMessage, type Message, type Session } from "./session.js";

export type RequestChannel = "shell" | "control" | "stdin";
export type Handler = (msg: Message, channel: RequestChannel) => void | Promise<void>;
export type Log = (line: string) => void;

export interface WireEvents {
  /** The control thread answered an interrupt_request: abort the running cell. */
  onInterrupt?: () => void;
}

/** Largest inbound ZeroMQ frame by default: far above real cells and outputs, far below "read 300 MB, then check the signature". */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
const MIN_MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * The inbound frame limit: $OPENCLAW_KERNEL_MAX_MESSAGE_BYTES (bytes, at least 1 MiB), else
 * 64 MiB. ZeroMQ drops a peer that sends a larger frame before buffering it, so an
 * unsigned or forged 300 MB frame never reaches memory (the signature can only be checked
 * once the whole message is in). A bad value falls back to the default, with a warning.
 */
export function maxMessageBytes(env: NodeJS.ProcessEnv = process.env, warn?: (line: string) => void): number {
  const raw = env.OPENCLAW_KERNEL_MAX_MESSAGE_BYTES;
  if (raw === undefined || raw.trim() === "") return DEFAULT_MAX_MESSAGE_BYTES;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < MIN_MAX_MESSAGE_BYTES) {
    warn?.(`OPENCLAW_KERNEL_MAX_MESSAGE_BYTES=${JSON.stringify(raw.slice(0, 40))} is not a whole number of bytes >= ${MIN_MAX_MESSAGE_BYTES}; using ${DEFAULT_MAX_MESSAGE_BYTES}`);
    return DEFAULT_MAX_MESSAGE_BYTES;
  }
  return n;
}

/**
 * What the kernel needs from a transport: requests in (authenticated), replies to the
 * peer that asked, broadcasts, and a session for headers. `Wire` is the five ZeroMQ
 * channels of a Jupyter kernel; `StdioWire` (stdio-wire.ts) is the private pipe of the
 * IPython extension's host process. No policy lives in either.
 */
export interface KernelWire {
  readonly session: Pick<Session, "id" | "header">;
  /** Messages dropped, by reason (tests and `doctor` read these). */
  readonly dropped: Record<string, number>;
  /** Set by the kernel: what out-of-band notices (a control thread's interrupt) do. */
  events: WireEvents;
  listen(handler: Handler): void;
  reply(channel: RequestChannel, parent: Message, msgType: string, content: object, metadata?: Record<string, unknown>, header?: Message["header"]): Promise<void>;
  publish(msgType: string, content: object, parent?: Message | Message["header"], metadata?: Record<string, unknown>): Promise<void>;
  drain(): Promise<void>;
  close(): Promise<void>;
}

export class Wire implements KernelWire {
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly hb = new zmq.Reply();
  private readonly queues: Record<"shell" | "control" | "stdin" | "iopub", SendQueue>;
  private closed = false;
  /**
   * The control channel's and heartbeat's thread (so Stop reaches a cell stuck in a synchronous loop, and
   * the heartbeat answers meanwhile); absent if it could not start, then both run on this thread.
   */
  private worker: Worker | undefined;
  private handler: Handler | undefined;
  private readonly early: Array<[RequestChannel, Buffer[]]> = [];
  /** Messages dropped by authentication, by reason (tests and `doctor` read these). */
  readonly dropped: Record<string, number> = {};

  /** The inbound frame limit on every socket (see maxMessageBytes). */
  readonly maxMessageBytes: number;

  /** Set by the kernel: what the control thread's notices do. */
  events: WireEvents = {};

  constructor(readonly conn: ConnectionInfo, readonly session: Session, private readonly log: Log) {
    const onError = (name: string) => (e: unknown) => {
      if (!this.closed) this.log(`send on ${name} failed: ${(e as Error)?.message ?? e}`);
    };
    for (const s of [this.shell, this.control, this.stdin]) s.linger = 1000;
    this.iopub.linger = 1000;
    this.hb.linger = 0;
    this.maxMessageBytes = maxMessageBytes(process.env, log);
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) s.maxMessageSize = this.maxMessageBytes;
    this.hb.maxMessageSize = 64 * 1024; // heartbeats are a few bytes, echoed back
    this.queues = {
      shell: new SendQueue(this.shell, onError("shell")),
      control: new SendQueue(this.control, onError("control")),
      stdin: new SendQueue(this.stdin, onError("stdin")),
      iopub: new SendQueue(this.iopub, onError("iopub")),
    };
  }

  /**
   * Binds the channels. The control thread (control and heartbeat) starts alongside, off the
   * critical path of the first kernel_info_reply; if it cannot start, both bind on this thread.
   */
  async bind(): Promise<void> {
    this.controlReady = this.startControlWorker().then(async (threaded) => {
      if (!threaded) await Promise.all([this.control.bind(endpoint(this.conn, "control")), this.hb.bind(endpoint(this.conn, "hb"))]);
    });
    this.controlReady.catch((e) => this.log(`control channel could not bind: ${(e as Error).message}`));
    await Promise.all([
      this.shell.bind(endpoint(this.conn, "shell")),
      this.stdin.bind(endpoint(this.conn, "stdin")),
      this.iopub.bind(endpoint(this.conn, "iopub")),
    ]);
  }

  /** Resolves once the control channel and the heartbeat are listening (tests, shutdown). */
  controlReady: Promise<void> = Promise.resolve();

  /** Starts the control thread; resolves false (main-thread control socket) when it cannot run. */
  private async startControlWorker(): Promise<boolean> {
    const file = fileURLToPath(new URL("./control-worker.js", import.meta.url));
    if (!existsSync(file) || process.env.OPENCLAW_KERNEL_CONTROL_THREAD === "0") return false;
    const data: ControlWorkerData = { endpoint: endpoint(this.conn, "control"), hbEndpoint: endpoint(this.conn, "hb"), key: this.conn.key, signatureScheme: this.conn.signature_scheme, sessionId: this.session.id, syncFlag: SYNC_RUNNING.buffer as SharedArrayBuffer, maxMessageBytes: this.maxMessageBytes };
    const worker = new Worker(file, { workerData: data });
    const ok = await new Promise<boolean>((resolve) => {
      worker.once("error", (e) => {
        this.log(`control thread failed: ${e.message}; using the main thread`);
        resolve(false);
      });
      worker.on("message", (m: FromWorker) => {
        if (m.kind === "ready") resolve(true);
        else if (m.kind === "error") {
          this.log(`control thread could not bind: ${m.message}`);
          resolve(false);
        } else this.fromWorker(m);
      });
    });
    if (!ok) {
      await worker.terminate().catch(() => undefined);
      return false;
    }
    worker.unref();
    this.worker = worker;
    return true;
  }

  private fromWorker(m: FromWorker): void {
    if (m.kind === "log") this.log(m.line);
    else if (m.kind === "interrupted") this.events.onInterrupt?.();
    else if (m.kind === "message") void this.deliver("control", m.frames.map((f) => Buffer.from(f)));
  }

  /** Starts the receive loops; each message is authenticated before `handler` sees it. */
  listen(handler: Handler): void {
    this.handler = handler;
    for (const [name, frames] of this.early.splice(0)) void this.deliver(name, frames);
    for (const [name, sock] of [["shell", this.shell], ["stdin", this.stdin]] as const) void this.receive(name, sock);
    // Control and heartbeat: the thread serves them (control through deliver()); a main-thread fallback starts their loops once bound.
    void this.controlReady.then(() => {
      if (this.worker) return;
      void this.receive("control", this.control);
      void this.heartbeat();
    });
  }

  private async receive(name: RequestChannel, sock: zmq.Router): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await sock.receive();
      } catch (e) {
        if (this.closed) return;
        this.log(`receive on ${name} failed: ${(e as Error).message}`);
        continue;
      }
      await this.deliver(name, frames);
    }
  }

  private async deliver(name: RequestChannel, frames: Buffer[]): Promise<void> {
    const handler = this.handler;
    if (!handler) {
      // The control thread may pass a message on before listen(): keep it for then.
      this.early.push([name, frames]);
      return;
    }
    let msg: Message;
    try {
      msg = this.session.deserialize(frames);
    } catch (e) {
      if (e instanceof DroppedMessage) {
        this.dropped[e.reason] = (this.dropped[e.reason] ?? 0) + 1;
        this.log(`dropped a message on ${name}: ${e.message}`);
        return;
      }
      throw e;
    }
    try {
      await handler(msg, name);
    } catch (e) {
      this.log(`handler for ${msg.header.msg_type} failed: ${(e as Error)?.stack ?? e}`);
    }
  }

  /** The heartbeat on this thread: only when the control thread could not start (a busy cell then stalls it). */
  private async heartbeat(): Promise<void> {
    while (!this.closed) {
      try {
        const frames = await this.hb.receive();
        await this.hb.send(frames);
      } catch {
        if (this.closed) return;
      }
    }
  }

  /** A reply or request addressed to the peer that sent `parent` (shell, control or stdin). `header` lets a caller know the msg_id it sends. */
  reply(channel: RequestChannel, parent: Message, msgType: string, content: object, metadata: Record<string, unknown> = {}, header: Message["header"] = this.session.header(msgType)): Promise<void> {
    const frames = this.session.serialize({ identities: parent.identities, header, parent_header: parent.header, metadata, content });
    if (channel === "control" && this.worker) {
      this.worker.postMessage({ kind: "send", frames } satisfies ToWorker);
      return Promise.resolve();
    }
    return this.queues[channel].send(frames);
  }

  /** A broadcast on iopub; `parent` ties it to the request that caused it. */
  publish(msgType: string, content: object, parent?: Message | Message["header"], metadata: Record<string, unknown> = {}): Promise<void> {
    const parentHeader = parent ? ("header" in parent && typeof parent.header === "object" ? (parent as Message).header : (parent as Message["header"])) : {};
    const topic = Buffer.from(`kernel.${this.session.id}.${msgType}`);
    const frames = this.session.serialize({ identities: [topic], header: this.session.header(msgType), parent_header: parentHeader, metadata, content });
    return this.queues.iopub.send(frames);
  }

  /** Waits for every queued message to leave (before exit). */
  async drain(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.drain()));
  }

  async close(): Promise<void> {
    await this.drain().catch(() => undefined);
    this.closed = true;
    await this.controlReady.catch(() => undefined);
    if (this.worker) {
      const w = this.worker;
      const exited = new Promise((r) => w.once("exit", r));
      w.postMessage({ kind: "close" } satisfies ToWorker);
      // Terminating a thread that still holds a zeromq socket aborts the process (Napi::Error): let it close itself.
      const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000).unref())]);
      if (!gone) {
        this.log("control thread did not exit in 3 s; terminating it");
        await w.terminate().catch(() => undefined);
      }
    }
    for (const s of [this.shell, this.control, this.stdin, this.iopub, this.hb]) {
      try {
        s.close();
      } catch {
        /* already closed */
      }
    }
  }
}
