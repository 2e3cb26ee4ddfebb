/**
 * The control channel and the heartbeat on their own thread. A TypeScript cell stuck in a synchronous loop
 * blocks the main thread, so an interrupt_request read there would never be seen. Here
 * it is read, authenticated (its own replay history) and answered; the main thread is
 * told to abort the cell's signal, and when the cell is inside its synchronous code (a
 * shared flag says so) the process also gets SIGINT, which breakOnSigint turns into a throw.
 * Every other control message goes to the main thread as raw frames (it authenticates
 * them again with the shell's session), and its replies come back here to be sent.
 * The heartbeat (REP) echoes here too, so a busy cell never makes the kernel look dead.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as zmq from "zeromq";
import { SendQueue } from "./queue.js";
import { DroppedMessage, Session } from "./session.js";

export interface ControlWorkerData {
  endpoint: string;
  /** The heartbeat's endpoint (REP): echoed on this thread. */
  hbEndpoint: string;
  key: string;
  signatureScheme: string;
  sessionId: string;
  /** SYNC_RUNNING's buffer: 1 while the main thread runs a cell's synchronous code. */
  syncFlag: SharedArrayBuffer;
  /** The inbound frame limit (Wire.maxMessageBytes). */
  maxMessageBytes?: number;
}

export type ToWorker = { kind: "send"; frames: Uint8Array[] } | { kind: "close" };
export type FromWorker = { kind: "ready" } | { kind: "error"; message: string } | { kind: "message"; frames: Uint8Array[] } | { kind: "log"; line: string } | { kind: "interrupted" };

const data = workerData as ControlWorkerData;
const syncRunning = new Int32Array(data.syncFlag);
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const session = new Session({ key: data.key, signatureScheme: data.signatureScheme, id: data.sessionId });
const sock = new zmq.Router({ linger: 1000, ...(data.maxMessageBytes ? { maxMessageSize: data.maxMessageBytes } : {}) });
const hb = new zmq.Reply({ linger: 0, maxMessageSize: 64 * 1024 }); // heartbeats are a few bytes, echoed back
const queue = new SendQueue(sock, (e) => post({ kind: "log", line: `send on control failed: ${(e as Error).message}` }));
let closed = false;

port.on("message", (m: ToWorker) => {
  if (m.kind === "send") void queue.send(m.frames.map((f) => Buffer.from(f)));
  else if (m.kind === "close") {
    closed = true;
    void queue.drain().then(() => {
      sock.close();
      hb.close();
      port.close();
    });
  }
});

async function main(): Promise<void> {
  try {
    await Promise.all([sock.bind(data.endpoint), hb.bind(data.hbEndpoint)]);
  } catch (e) {
    // Close both before saying so: the main thread then binds control and heartbeat itself.
    sock.close();
    hb.close();
    post({ kind: "error", message: (e as Error).message });
    return;
  }
  post({ kind: "ready" });
  void heartbeat();
  while (!closed) {
    let frames: Buffer[];
    try {
      frames = await sock.receive();
    } catch {
      if (closed) return;
      continue;
    }
    // Peek at the type without trusting it: only a verified interrupt is acted on here.
    let type: string | undefined;
    try {
      type = JSON.parse(frames[frames.findIndex((f) => f.toString("latin1") === "<IDS|MSG>") + 2]?.toString("utf8") ?? "{}").msg_type;
    } catch {
      type = undefined;
    }
    if (type !== "interrupt_request") {
      post({ kind: "message", frames });
      continue;
    }
    try {
      const msg = session.deserialize(frames);
      // The main thread aborts the cell when it reads this; a synchronous loop never would, so it also gets SIGINT.
      post({ kind: "interrupted" });
      if (Atomics.load(syncRunning, 0) === 1) process.kill(process.pid, "SIGINT");
      void queue.send(session.serialize({ identities: msg.identities, header: session.header("interrupt_reply"), parent_header: msg.header, metadata: {}, content: { status: "ok" } }));
    } catch (e) {
      post({ kind: "log", line: e instanceof DroppedMessage ? `dropped a message on control: ${e.message}` : `control: ${(e as Error).message}` });
    }
  }
}

/** Echoes every heartbeat ping (the Jupyter protocol: whatever arrives goes straight back). */
async function heartbeat(): Promise<void> {
  while (!closed) {
    try {
      await hb.send(await hb.receive());
    } catch {
      if (closed) return;
    }
  }
}

void main();
