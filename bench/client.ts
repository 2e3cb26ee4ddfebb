/**
 * A minimal Jupyter client on zeromq 6 (shell/control DEALER, iopub SUB): what the
 * benchmark uses to drive this kernel, ipykernel and tslab the same way. Not used by the
 * kernel itself.
 */
import { randomUUID } from "node:crypto";
import * as zmq from "zeromq";
import { endpoint, type ConnectionInfo } from "../kernel/connection.js";
import { SendQueue } from "../kernel/queue.js";
import { Session, type Message } from "../kernel/session.js";

type Waiter = { resolve(m: Message): void; reject(e: Error): void; timer: NodeJS.Timeout };

export class KernelClient {
  readonly session: Session;
  private readonly shell = new zmq.Dealer({ routingId: randomUUID(), reconnectInterval: 5, linger: 0 });
  private readonly control = new zmq.Dealer({ routingId: randomUUID(), reconnectInterval: 5, linger: 0 });
  private readonly iopub = new zmq.Subscriber({ reconnectInterval: 5, linger: 0 });
  private readonly queues = { shell: new SendQueue(this.shell), control: new SendQueue(this.control) };
  private readonly replies = new Map<string, Waiter>();
  /** iopub messages by parent msg_id, and waiters for a parent's idle. */
  readonly iopubByParent = new Map<string, Message[]>();
  private readonly idleWaiters = new Map<string, Waiter>();
  private closed = false;

  constructor(readonly conn: ConnectionInfo) {
    this.session = new Session({ key: conn.key, signatureScheme: conn.signature_scheme, username: "bench" });
  }

  connect(): void {
    this.shell.connect(endpoint(this.conn, "shell"));
    this.control.connect(endpoint(this.conn, "control"));
    this.iopub.connect(endpoint(this.conn, "iopub"));
    this.iopub.subscribe();
    void this.pump(this.shell);
    void this.pump(this.control);
    void this.pumpIopub();
  }

  private async pump(sock: zmq.Dealer): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await sock.receive();
      } catch {
        return;
      }
      const m = this.session.deserialize(frames);
      const id = m.parent_header.msg_id;
      const w = id ? this.replies.get(id) : undefined;
      if (w) {
        this.replies.delete(id!);
        clearTimeout(w.timer);
        w.resolve(m);
      }
    }
  }

  private async pumpIopub(): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await this.iopub.receive();
      } catch {
        return;
      }
      const m = this.session.deserialize(frames);
      const id = m.parent_header.msg_id;
      if (!id) continue;
      if (!this.iopubByParent.has(id)) this.iopubByParent.set(id, []);
      this.iopubByParent.get(id)!.push(m);
      if (m.header.msg_type === "status" && (m.content as { execution_state?: string }).execution_state === "idle") {
        const w = this.idleWaiters.get(id);
        if (w) {
          this.idleWaiters.delete(id);
          clearTimeout(w.timer);
          w.resolve(m);
        }
      }
    }
  }

  private wait(map: Map<string, Waiter>, id: string, timeoutMs: number, what: string): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        map.delete(id);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      map.set(id, { resolve, reject, timer });
    });
  }

  /** Sends a request; `reply` resolves with its reply, `idle` with its idle status on iopub. */
  request(channel: "shell" | "control", msgType: string, content: object, timeoutMs = 30_000): { msgId: string; reply: Promise<Message>; idle: Promise<Message> } {
    const header = this.session.header(msgType);
    const reply = this.wait(this.replies, header.msg_id, timeoutMs, `${msgType} reply`);
    const idle = this.iopubByParent.get(header.msg_id)?.some((m) => m.header.msg_type === "status" && (m.content as { execution_state?: string }).execution_state === "idle")
      ? Promise.resolve({} as Message)
      : this.wait(this.idleWaiters, header.msg_id, timeoutMs, `${msgType} idle`);
    idle.catch(() => undefined);
    void this.queues[channel].send(this.session.serialize({ identities: [], header, parent_header: {}, metadata: {}, content }));
    return { msgId: header.msg_id, reply, idle };
  }

  execute(code: string, timeoutMs = 30_000) {
    return this.request("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }, timeoutMs);
  }

  close(): void {
    this.closed = true;
    for (const w of [...this.replies.values(), ...this.idleWaiters.values()]) clearTimeout(w.timer);
    for (const s of [this.shell, this.control, this.iopub]) s.close();
  }
}
