import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, renameSync, writeSync } from "node:fs";

/**
 * One output stream of a child: the tail kept in memory (at most `cap` bytes), a
 * running sha256 and byte count of everything, and, once a file is attached, every
 * byte on disk for post-mortem. The file is attached lazily (when the run goes to the
 * background or first overflows the cap), so a short foreground run touches no disk.
 * On disk the log is bounded too (`logCap`): when the file reaches half of it, it becomes
 * <name>.1 (replacing the older half) and a fresh file starts, so at most logCap bytes of
 * the newest output are kept however much a child writes.
 */
export class Capture {
  private chunks: Buffer[] = [];
  private held = 0;
  private readonly hash: Hash = createHash("sha256");
  private digestHex: string | null = null;
  private fd: number | null = null;
  private path: string | null = null;
  private fileBytes = 0;
  bytes = 0;
  truncated = false;

  constructor(
    private readonly cap: number,
    /** Opens the log file on first need; null when there is nowhere to write. */
    private readonly openFile: () => string | null,
    /** Bytes of log kept on disk (both halves). */
    private readonly logCap: number = 32 * 1024 * 1024,
  ) {}

  /** Appends to the log, rotating to <file>.1 at half the disk cap. */
  private write(buf: Buffer): void {
    const half = Math.max(1, Math.floor(this.logCap / 2));
    let off = 0;
    while (off < buf.length && this.fd !== null) {
      if (this.fileBytes >= half) {
        closeSync(this.fd);
        renameSync(this.path!, `${this.path}.1`);
        this.fd = openSync(this.path!, "w", 0o600);
        this.fileBytes = 0;
        this.truncated = true;
      }
      const n = Math.min(buf.length - off, half - this.fileBytes);
      writeSync(this.fd, buf, off, n);
      this.fileBytes += n;
      off += n;
    }
  }

  push(buf: Buffer): void {
    this.hash.update(buf);
    this.bytes += buf.length;
    if (this.fd === null && this.held + buf.length > this.cap) this.attach();
    if (this.fd !== null) this.write(buf);
    this.chunks.push(buf);
    this.held += buf.length;
    while (this.held > this.cap) {
      const first = this.chunks[0]!;
      const over = this.held - this.cap;
      if (first.length <= over) {
        this.chunks.shift();
        this.held -= first.length;
      } else {
        this.chunks[0] = first.subarray(over);
        this.held -= over;
      }
      this.truncated = true;
    }
  }

  /** Starts writing to the log file, beginning with everything still held. */
  attach(): void {
    if (this.fd !== null) return;
    const path = this.openFile();
    if (!path) return;
    this.path = path;
    this.fd = openSync(path, "a", 0o600);
    for (const c of this.chunks) this.write(c);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }

  /** Of everything so far; final after close(). */
  sha256(): string {
    return this.digestHex ?? this.hash.copy().digest("hex");
  }

  close(): void {
    this.digestHex ??= this.hash.digest("hex");
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
