/**
 * One send at a time per zeromq socket. zeromq 6's `send()` throws EBUSY when a send is
 * already in flight; tslab does not await its sends and loses messages that way (512 of
 * 1000 lines, missing `idle`). Every send here goes through a per-socket promise chain.
 */
export interface Sendable {
  send(frames: Buffer[]): Promise<void>;
}

export class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly socket: Sendable, private readonly onError: (e: unknown) => void = () => {}) {}

  /** Queues frames; resolves when this message has been handed to zeromq (a failure is reported once, to onError). */
  send(frames: Buffer[]): Promise<void> {
    this.pending++;
    const settled = this.tail
      .then(() => this.socket.send(frames))
      .then(
        () => undefined,
        (e) => this.onError(e),
      )
      .finally(() => this.pending--);
    this.tail = settled;
    return settled;
  }

  /** Resolves once every queued message has been sent. */
  drain(): Promise<void> {
    return this.tail;
  }

  get size(): number {
    return this.pending;
  }
}
