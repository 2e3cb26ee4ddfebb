/**
 * The Jupyter message envelope (protocol 5.3): identities, `<IDS|MSG>`, an HMAC-SHA256
 * signature over header, parent header, metadata and content, then the four JSON frames
 * and any binary buffers. Verification is constant-time and replayed signatures are
 * dropped, as jupyter_client's Session does (bounded digest history).
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const DELIMITER = "<IDS|MSG>";
export const PROTOCOL_VERSION = "5.3";

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
  [key: string]: unknown;
}

export interface Message<C = Record<string, any>> {
  /** ROUTER identities the reply must be addressed to. */
  identities: Buffer[];
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** Why a received message was dropped (for the kernel's log; never fatal). */
export type DropReason = "malformed" | "unsigned" | "bad-signature" | "replayed";

export class DroppedMessage extends Error {
  constructor(readonly reason: DropReason, detail: string) {
    super(`${reason}: ${detail}`);
  }
}

export interface SessionOptions {
  /** The connection file's key; empty means unsigned (only with --insecure). */
  key: string;
  signatureScheme?: string;
  /** How many recent signatures to remember for replay detection (jupyter_client: 2**16). */
  historySize?: number;
  username?: string;
  /** The session id in every header (the control thread shares the kernel's). */
  id?: string;
}

/** Signs and verifies messages for one connection. */
export class Session {
  readonly id: string;
  private readonly key: Buffer;
  private readonly algorithm: string;
  private readonly historySize: number;
  private readonly username: string;
  private readonly seen = new Set<string>();
  private readonly order: string[] = [];
  private orderHead = 0;

  constructor(opts: SessionOptions) {
    this.id = opts.id ?? randomUUID();
    this.key = Buffer.from(opts.key ?? "", "utf8");
    const scheme = opts.signatureScheme ?? "hmac-sha256";
    if (!/^hmac-/.test(scheme)) throw new Error(`unsupported signature_scheme "${scheme}"`);
    this.algorithm = scheme.slice(5);
    this.historySize = opts.historySize ?? 65536;
    this.username = opts.username ?? "openclaw";
  }

  get signed(): boolean {
    return this.key.length > 0;
  }

  sign(frames: Buffer[]): string {
    if (!this.signed) return "";
    const h = createHmac(this.algorithm, this.key);
    for (const f of frames) h.update(f);
    return h.digest("hex");
  }

  header(msgType: string): MessageHeader {
    return { msg_id: randomUUID(), msg_type: msgType, session: this.id, username: this.username, date: new Date().toISOString(), version: PROTOCOL_VERSION };
  }

  /** The wire frames for a message; `identities` address a ROUTER peer (or a PUB topic). */
  serialize(msg: Omit<Message, "buffers"> & { buffers?: Buffer[] }): Buffer[] {
    const parts = [msg.header, msg.parent_header ?? {}, msg.metadata ?? {}, msg.content ?? {}].map((o) => Buffer.from(JSON.stringify(o), "utf8"));
    return [...msg.identities, Buffer.from(DELIMITER), Buffer.from(this.sign(parts)), ...parts, ...(msg.buffers ?? [])];
  }

  /**
   * Parses and authenticates received frames. Throws DroppedMessage for anything that
   * must not be acted on: a missing delimiter, no signature while a key is set, a wrong
   * signature, or a signature seen before (a replay).
   */
  deserialize(frames: Buffer[]): Message {
    const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString("latin1") === DELIMITER);
    if (at < 0 || frames.length < at + 6) throw new DroppedMessage("malformed", `expected ${DELIMITER} and 5 frames, got ${frames.length} frames`);
    const identities = frames.slice(0, at);
    const sig = frames[at + 1]!.toString("latin1");
    const parts = frames.slice(at + 2, at + 6);
    if (this.signed) {
      if (!sig) throw new DroppedMessage("unsigned", "message has no signature but the connection has a key");
      const want = Buffer.from(this.sign(parts), "latin1");
      const got = Buffer.from(sig, "latin1");
      if (got.length !== want.length || !timingSafeEqual(got, want)) throw new DroppedMessage("bad-signature", "HMAC does not match");
      if (this.seen.has(sig)) throw new DroppedMessage("replayed", `signature ${sig.slice(0, 12)}… was already used`);
      this.remember(sig);
    }
    let json: unknown[];
    try {
      json = parts.map((p) => JSON.parse(p.toString("utf8")));
    } catch (e) {
      throw new DroppedMessage("malformed", `invalid JSON: ${(e as Error).message}`);
    }
    const [header, parent, metadata, content] = json as [MessageHeader, Partial<MessageHeader>, Record<string, unknown>, Record<string, unknown>];
    if (!header || typeof header.msg_type !== "string") throw new DroppedMessage("malformed", "header has no msg_type");
    return { identities, header, parent_header: parent ?? {}, metadata: metadata ?? {}, content: content ?? {}, buffers: frames.slice(at + 6) };
  }

  /** A bounded FIFO of signatures: the oldest is forgotten once the history is full. */
  private remember(sig: string): void {
    this.seen.add(sig);
    this.order.push(sig);
    if (this.order.length - this.orderHead > this.historySize) {
      this.seen.delete(this.order[this.orderHead]!);
      this.orderHead++;
      if (this.orderHead > 4096) {
        this.order.splice(0, this.orderHead);
        this.orderHead = 0;
      }
    }
  }
}
