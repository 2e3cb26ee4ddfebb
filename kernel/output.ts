/**
 * Everything a cell shows goes out on iopub through here, in order: stdout/stderr
 * coalesced into `stream` messages (flushed before any other output so lines never
 * overtake a display), displays, and live displays updated in place by display_id.
 */
import { randomUUID } from "node:crypto";
import type { Message } from "./session.js";
import type { KernelWire as Wire } from "./wire.js";

export type Bundle = Record<string, unknown>;

/** The request outputs are attributed to (the running cell, else the last one). */
export interface ParentRef {
  current: Message | undefined;
}

export class Output {
  private buf: Record<"stdout" | "stderr", string> = { stdout: "", stderr: "" };
  private order: Array<"stdout" | "stderr"> = [];
  private timer: NodeJS.Timeout | undefined;
  /** Bytes a single stream message carries at most (keeps frames small for front ends). */
  private static readonly CHUNK = 64 * 1024;

  constructor(private readonly wire: Wire, private readonly parent: ParentRef) {}

  /** Buffers text for a stream; flushed within a few ms or before the next other message. */
  write(name: "stdout" | "stderr", text: string): void {
    if (!text) return;
    if (this.order[this.order.length - 1] !== name) this.order.push(name);
    this.buf[name] += text;
    if (this.buf[name].length >= Output.CHUNK) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), 5);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const parent = this.parent.current;
    for (const name of this.order) {
      const text = this.buf[name];
      this.buf[name] = "";
      if (text) void this.wire.publish("stream", { name, text }, parent);
    }
    this.order = [];
  }

  /** Any non-stream iopub message: streams written before it go first. */
  publish(msgType: string, content: object, parent = this.parent.current): Promise<void> {
    this.flush();
    return this.wire.publish(msgType, content, parent);
  }

  display(data: Bundle, opts: { displayId?: string; metadata?: object } = {}): Promise<void> {
    return this.publish("display_data", { data, metadata: opts.metadata ?? {}, transient: opts.displayId ? { display_id: opts.displayId } : {} });
  }

  updateDisplay(displayId: string, data: Bundle, metadata: object = {}): Promise<void> {
    return this.publish("update_display_data", { data, metadata, transient: { display_id: displayId } });
  }

  /** A display a caller can update in place (agent transcripts, progress). */
  live(): LiveDisplay {
    return new LiveDisplay(this);
  }
}

/**
 * One display updated in place: the first show() sends display_data with a display_id,
 * later ones update_display_data, throttled so a chatty event stream costs little.
 */
export class LiveDisplay {
  readonly id = randomUUID();
  private shown = false;
  /** The latest state, rendered only when it is sent (a long transcript is not re-rendered per event). */
  private pending: Bundle | (() => Bundle) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  constructor(private readonly out: Output, private readonly minIntervalMs = 100) {}

  get opened(): boolean {
    return this.shown;
  }

  show(data: Bundle | (() => Bundle)): void {
    if (!this.shown) {
      this.shown = true;
      this.last = Date.now();
      void this.out.display(typeof data === "function" ? data() : data, { displayId: this.id });
      return;
    }
    this.pending = data;
    const wait = this.minIntervalMs - (Date.now() - this.last);
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  /** Sends the latest state now (before the cell's reply). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    const d = this.pending;
    this.pending = undefined;
    this.last = Date.now();
    void this.out.updateDisplay(this.id, typeof d === "function" ? d() : d);
  }

  /** The final state: replaces whatever was shown (or shows it if nothing was). */
  finish(data: Bundle): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    if (!this.shown) {
      this.shown = true;
      void this.out.display(data, { displayId: this.id });
    } else void this.out.updateDisplay(this.id, data);
  }
}
