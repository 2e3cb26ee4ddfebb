/**
 * Input history, kept across kernel restarts like IPython's: one JSON line per executed cell
 * ({session, line, input}) in <stateDir>/kernel/history.jsonl (mode 600). Each kernel start is
 * a new session number. Answers history_request: tail, range and search (glob pattern, unique).
 * Best effort: a history that cannot be read or written never fails a cell.
 */
import { appendFileSync, chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

export type HistoryEntry = [session: number, line: number, input: string];

/** Kept on disk at most; older entries are dropped when the kernel starts. */
const MAX_ENTRIES = 10_000;

export function historyPath(env: NodeJS.ProcessEnv): string {
  const state = env.OPENCLAW_STATE_DIR ? resolve(env.OPENCLAW_STATE_DIR) : join(homedir(), ".openclaw-kernel");
  return join(state, "kernel", "history.jsonl");
}

export class History {
  private entries: HistoryEntry[] | undefined;
  private sessionNo = 0;

  constructor(private readonly file: string, private readonly log: (line: string) => void = () => undefined) {}

  private load(): HistoryEntry[] {
    if (this.entries) return this.entries;
    let all: HistoryEntry[] = [];
    try {
      for (const l of readFileSync(this.file, "utf8").split("\n")) {
        if (!l.trim()) continue;
        try {
          const o = JSON.parse(l) as { session?: unknown; line?: unknown; input?: unknown };
          if (Number.isInteger(o.session) && Number.isInteger(o.line) && typeof o.input === "string") all.push([o.session as number, o.line as number, o.input]);
        } catch {
          /* a torn line (a crash mid-write): skip it */
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") this.log(`history: cannot read ${this.file}: ${(e as Error).message}`);
    }
    if (all.length > MAX_ENTRIES) {
      all = all.slice(-MAX_ENTRIES);
      try {
        const tmp = `${this.file}.${process.pid}.tmp`;
        writeFileSync(tmp, all.map(([session, line, input]) => JSON.stringify({ session, line, input })).join("\n") + "\n", { mode: 0o600 });
        renameSync(tmp, this.file);
      } catch {
        /* read-only: keep appending */
      }
    }
    this.sessionNo = all.reduce((m, e) => Math.max(m, e[0]), 0) + 1;
    this.entries = all;
    return all;
  }

  /** This kernel's session number (1 + the last one on disk). */
  get session(): number {
    this.load();
    return this.sessionNo;
  }

  add(line: number, input: string): void {
    const all = this.load();
    all.push([this.sessionNo, line, input]);
    const text = JSON.stringify({ session: this.sessionNo, line, input, ts: new Date().toISOString() }) + "\n";
    // After this kernel's first write (folder made, file owner-only), a cell costs one append;
    // an append that fails (the folder was removed) goes the whole way again.
    if (this.ready) {
      try {
        appendFileSync(this.file, text, { mode: 0o600 });
        return;
      } catch {
        this.ready = false;
      }
    }
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      appendFileSync(this.file, text, { mode: 0o600 });
      chmodSync(this.file, 0o600);
      this.ready = true;
    } catch (e) {
      this.log(`history: cannot write ${this.file}: ${(e as Error).message}`);
    }
  }

  /** This kernel wrote the file once (folder made, mode 600 set). */
  private ready = false;

  /** The history_reply content for a history_request. */
  query(c: Record<string, unknown>): { status: "ok"; history: HistoryEntry[] } {
    const all = this.load();
    const kind = String(c.hist_access_type ?? "tail");
    const n = Number.isInteger(c.n) && (c.n as number) > 0 ? (c.n as number) : undefined;
    let out: HistoryEntry[];
    if (kind === "range") {
      // IPython: session 0 or negative counts back from this one; start/stop are line numbers, stop exclusive.
      const s = Number(c.session ?? 0);
      const session = s > 0 ? s : this.sessionNo + s;
      const start = Number(c.start ?? 0);
      const stop = c.stop === undefined || c.stop === null ? Infinity : Number(c.stop);
      out = all.filter((e) => e[0] === session && e[1] >= start && e[1] < stop);
    } else if (kind === "search") {
      const re = globToRegExp(String(c.pattern ?? "*"));
      out = all.filter((e) => re.test(e[2]));
      if (c.unique) {
        const seen = new Set<string>();
        out = out.reverse().filter((e) => (seen.has(e[2]) ? false : (seen.add(e[2]), true))).reverse();
      }
      if (n) out = out.slice(-n);
    } else {
      out = all.slice(-(n ?? 10));
    }
    return { status: "ok", history: out };
  }
}

/** IPython's search pattern: a glob (* and ?) matched against the whole input. */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}
