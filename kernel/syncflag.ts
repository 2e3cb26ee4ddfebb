/**
 * Shared between the main thread and the control thread: 1 while a cell's synchronous
 * code runs (vm script with breakOnSigint). Only then does an interrupt_request become a
 * SIGINT; otherwise the control thread asks the main thread to abort the cell, so no
 * stray signal can land on a later cell.
 */
export const SYNC_RUNNING = new Int32Array(new SharedArrayBuffer(4));

export function runningSync<T>(f: () => T): T {
  Atomics.store(SYNC_RUNNING, 0, 1);
  try {
    return f();
  } finally {
    Atomics.store(SYNC_RUNNING, 0, 0);
  }
}
