/**
 * The IPython extension's private channel to its host process: Jupyter-shaped messages
 * as JSON lines, requests on the host's stdin, replies and broadcasts on its stdout.
 * Nothing listens on a socket: only the process that started the host (the Python
 * kernel) holds the other end of the pipes. EOF on stdin means that process is gone.
 *
 *   in : {"channel":"shell"|"control"|"stdin","header":{msg_id,msg_type,session,...},"parent_header":{},"content":{}}
 *   out: {"channel":"iopub"|"shell"|"control"|"stdin","header":{...},"parent_header":{...},"metadata":{},"content":{}}
 */
import type { Readable } from "node:stream";
import { maxMessageBytes, type Handler, type KernelWire, type Log, type RequestChannel, type WireEvents } from "./wire.js";
import { PROTOCOL_VERSION, Session, type Message, type MessageHeader } from "./session.js";

const CHANNELS: ReadonlySet<string> = new Set(["shell", "control", "stdin"]);

export interface StdioWireOptions {
  input?: Readable;
  /** Where lines go; defaults to the real stdout, captured now (the kernel later routes process.stdout to cells). */
  write?: (line: string, done: (err?: Error | null) => void) => void;
  log: Log;
  /** The other end closed stdin (the Python kernel exited or was killed). */
  onEnd?: () => void;
}

/** Parses one inbound line into a Message, or says why it cannot be one. */
export function parseLine(line: string): { channel: RequestChannel; msg: Message } | { error: string } {
  let o: any;
  try {
    o = JSON.parse(line);
  } catch (e) {
    return { error: `invalid JSON: ${(e as Error).message}` };
  }
  if (!o || typeof o !== "object" || Array.isArray(o)) return { error: "a line must be a JSON object" };
  if (!CHANNELS.has(o.channel)) return { error: `unknown channel ${JSON.stringify(String(o.channel)).slice(0, 40)}` };
  const h = o.header;
  if (!h || typeof h !== "object" || typeof h.msg_type !== "string" || typeof h.msg_id !== "string") return { error: "header needs msg_id and msg_type strings" };
  const header: MessageHeader = { username: "ipython", date: new Date().toISOString(), version: PROTOCOL_VERSION, session: "", ...h };
  const obj = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, any>) : {});
  return { channel: o.channel, msg: { identities: [], header, parent_header: obj(o.parent_header), metadata: obj(o.metadata), content: obj(o.content), buffers: [] } };
}

export class StdioWire implements KernelWire {
  readonly session = new Session({ key: "" });
  readonly dropped: Record<string, number> = {};
  events: WireEvents = {};
  private handler: Handler | undefined;
  private readonly early: Array<[RequestChannel, Message]> = [];
  private readonly input: Readable;
  private readonly write: NonNullable<StdioWireOptions["write"]>;
  private readonly limit = maxMessageBytes();
  private pending = new Set<Promise<void>>();
  private closed = false;
  private buf = "";
  private skipping = false;

  constructor(private readonly opts: StdioWireOptions) {
    this.input = opts.input ?? process.stdin;
    if (opts.write) this.write = opts.write;
    else {
      const out = process.stdout;
      const raw = out.write;
      this.write = (line, done) => void raw.call(out, line, "utf8", done);
      out.on("error", (e) => {
        this.opts.log(`stdout failed: ${e.message}`);
        this.end();
      });
    }
    this.input.setEncoding("utf8");
    this.input.on("data", (chunk: string) => this.onData(chunk));
    this.input.on("end", () => this.end());
    this.input.on("error", () => this.end());
  }

  private ended = false;
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.opts.onEnd?.();
  }

  private onData(chunk: string): void {
    let start = 0;
    for (let nl = chunk.indexOf("\n"); nl >= 0; nl = chunk.indexOf("\n", start)) {
      const piece = chunk.slice(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        this.buf = "";
        continue;
      }
      const line = this.buf + piece;
      this.buf = "";
      if (line.trim()) this.onLine(line);
    }
    if (this.skipping) return;
    this.buf += chunk.slice(start);
    if (this.buf.length > this.limit) {
      // Never hold an unbounded line: drop it up to its newline.
      this.buf = "";
      this.skipping = true;
      this.drop("too-large", `a line longer than ${this.limit} bytes`);
    }
  }

  private drop(reason: string, why: string): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
    this.opts.log(`dropped a message on stdin: ${why}`);
  }

  private onLine(line: string): void {
    const r = parseLine(line);
    if ("error" in r) return this.drop("malformed", r.error);
    if (!this.handler) {
      this.early.push([r.channel, r.msg]);
      return;
    }
    void this.deliver(r.channel, r.msg);
  }

  private async deliver(channel: RequestChannel, msg: Message): Promise<void> {
    try {
      await this.handler!(msg, channel);
    } catch (e) {
      this.opts.log(`handler for ${msg.header.msg_type} failed: ${(e as Error)?.stack ?? e}`);
    }
  }

  listen(handler: Handler): void {
    this.handler = handler;
    for (const [channel, msg] of this.early.splice(0)) void this.deliver(channel, msg);
  }

  private send(channel: string, header: MessageHeader, parent: Partial<MessageHeader>, metadata: Record<string, unknown>, content: object): Promise<void> {
    if (this.closed) return Promise.resolve();
    const line = JSON.stringify({ channel, header, parent_header: parent, metadata, content }) + "\n";
    const p = new Promise<void>((resolve) =>
      this.write(line, (err) => {
        if (err && !this.closed) this.opts.log(`send on ${channel} failed: ${err.message}`);
        resolve();
      }),
    );
    this.pending.add(p);
    void p.then(() => this.pending.delete(p));
    return p;
  }

  reply(channel: RequestChannel, parent: Message, msgType: string, content: object, metadata: Record<string, unknown> = {}, header: Message["header"] = this.session.header(msgType)): Promise<void> {
    return this.send(channel, header, parent.header, metadata, content);
  }

  publish(msgType: string, content: object, parent?: Message | Message["header"], metadata: Record<string, unknown> = {}): Promise<void> {
    const parentHeader = parent ? ("header" in parent && typeof parent.header === "object" ? (parent as Message).header : (parent as Message["header"])) : {};
    return this.send("iopub", this.session.header(msgType), parentHeader, metadata, content);
  }

  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    this.input.removeAllListeners("data");
    this.input.pause();
  }
}
