/**
 * The gateway's own log: one JSON object per line in <stateDir>/gateway/gateway.log
 * (0600). Requests, refusals, connections, method calls; never a token, a pairing
 * code or a request body. Writes go through one append stream so a busy gateway
 * does not block on the disk.
 */
import { closeSync, createReadStream, createWriteStream, existsSync, openSync, readSync, statSync, watch, type WriteStream } from "node:fs";
import { join } from "node:path";

export function logPath(stateDir: string): string {
  return join(stateDir, "gateway", "gateway.log");
}

export type LogLevel = "info" | "warn" | "error";

export class GatewayLog {
  private stream: WriteStream | undefined;
  constructor(readonly path: string) {}

  open(): void {
    if (this.stream) return;
    this.stream = createWriteStream(this.path, { flags: "a", mode: 0o600 });
    this.stream.on("error", () => {
      // A full disk must not take the gateway down; the log is best-effort.
      this.stream = undefined;
    });
  }

  write(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    this.stream?.write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }) + "\n");
  }

  close(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.end(() => resolve()));
  }
}

/** The last n lines of the log (reads only the file's tail, however large it is). */
export function tailLines(path: string, n: number): string[] {
  if (!existsSync(path) || n <= 0) return [];
  const size = statSync(path).size;
  const fd = openSync(path, "r");
  try {
    let pos = size;
    let text = "";
    const chunk = 64 * 1024;
    while (pos > 0) {
      const len = Math.min(chunk, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, pos);
      text = buf.toString("utf8") + text;
      if (text.split("\n").length > n + 1) break;
    }
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    return lines.slice(-n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Calls onLine for every line appended after `from` (a byte offset) until the signal
 * aborts. fs.watch plus a slow poll: watch events can be missed on some file systems.
 */
export function followLines(path: string, from: number, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let pos = from;
    let partial = "";
    let reading = false;
    const readMore = () => {
      if (reading || signal.aborted || !existsSync(path)) return;
      const size = statSync(path).size;
      if (size < pos) pos = 0; // truncated or replaced: start over
      if (size === pos) return;
      reading = true;
      const rs = createReadStream(path, { start: pos, end: size - 1, encoding: "utf8" });
      rs.on("data", (d) => {
        partial += d;
        const lines = partial.split("\n");
        partial = lines.pop() ?? "";
        for (const l of lines) if (l.trim()) onLine(l);
      });
      rs.on("close", () => {
        pos = size;
        reading = false;
      });
    };
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      watcher = watch(path, () => readMore());
    } catch {
      watcher = undefined;
    }
    const timer = setInterval(readMore, 500);
    const done = () => {
      clearInterval(timer);
      watcher?.close();
      resolve();
    };
    if (signal.aborted) done();
    else signal.addEventListener("abort", done, { once: true });
  });
}
