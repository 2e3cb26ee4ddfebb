/**
 * The freshness check of a long-lived host (kernel, gateway) without a stat per file on
 * every query: an inotify watch (fs.watch, not recursive) on every folder the last scan walked
 * and on every indexed file. A file's watch is on its inode, so it reports writes and attribute
 * changes (touch -r, chmod, a new hard link) whichever name they come through; a folder's
 * reports entries created, deleted and renamed. Watches follow inodes while citations follow
 * names, so each query also stats every folder by path (folders are few: 493 against 4,809
 * files at 27k chunks): a parent folder swapped, a symlink in the path re-pointed or a mount
 * over a folder changes what a path leads to without any event. Any event, and any folder whose
 * stamp moved, makes the query run the full stat pass (snapshotFresh) as before; events never
 * decide on their own that something changed.
 *
 * Events are delivered by the event loop's poll phase. A query first lets the loop turn
 * twice (two setImmediate hops: the first may run in the current iteration's check phase,
 * the second runs only after a poll phase), so every event the kernel queued before the
 * query started, such as a file a cell wrote just before asking, has been seen.
 *
 * Where watches cannot be trusted the stat pass runs on every query, as in a fresh process:
 * a folder on a filesystem that is not a local one (NFS, FUSE mounts such as a Colab Drive,
 * 9p/WSL: changes made elsewhere raise no event there), more folders and files than the watch
 * budget (MAX_WATCHED, and at most a quarter of this user's inotify watches: other tools share
 * them), a watch that fails or reports an error. Writes through mmap raise no event: a stat pass
 * still runs when the last one is older than MAX_QUIET_MS, so nothing a watch cannot see stays
 * unseen for long.
 */
import { type FSWatcher, lstatSync, readFileSync, statfsSync, watch } from "node:fs";
import { type ScanSnapshot, snapshotFresh } from "./loaders.js";

/** A query after this long without a stat pass runs one even with no event (see above). */
export const MAX_QUIET_MS = 60_000;

/** Above this many folders and files the stat pass stays; also at most a quarter of the user's inotify watches (other tools share them). */
export const MAX_WATCHED = 16_384;

function watchBudget(max: number): number {
  try {
    return Math.min(max, Math.floor(Number(readFileSync("/proc/sys/fs/inotify/max_user_watches", "utf8").trim()) / 4) || 0);
  } catch {
    return Math.min(max, 2048);
  }
}

/** statfs f_type of filesystems whose inotify events cover every change (all writes go through this kernel). */
const LOCAL_FS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x794c7630, // overlayfs (containers)
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
  0x52654973, // reiserfs
  0x3153464a, // jfs
  0xca451a4e, // bcachefs
]);

const turn = () => new Promise<void>((r) => setImmediate(r));

export class FreshnessWatch {
  private watchers: FSWatcher[] = [];
  /** True until a stat pass ran with every watch in place, and after any event. */
  private dirty = true;
  /** Why events cannot be trusted (the stat pass runs on every query), or undefined. */
  reason?: string;
  /** Full stat passes run (tests: none on a quiet workspace once armed). */
  passes = 0;
  private lastPass = 0;

  /** `max`: folders and files above which no watch is set; `maxQuietMs`: see MAX_QUIET_MS (tests lower both). */
  constructor(
    readonly snapshot: ScanSnapshot,
    max = MAX_WATCHED,
    private readonly maxQuietMs = MAX_QUIET_MS,
  ) {
    const n = snapshot.dirs.length + snapshot.files.length;
    const budget = watchBudget(max);
    if (n > budget) {
      this.reason = `${n} folders and files (more than ${budget} watches)`;
      return;
    }
    try {
      for (const d of snapshot.dirs) {
        const type = statfsSync(d.path).type;
        if (!LOCAL_FS.has(type)) {
          this.reason = `${d.path} is on a filesystem without reliable change events (statfs type 0x${type.toString(16)})`;
          return;
        }
      }
      for (const p of [...snapshot.dirs.map((d) => d.path), ...snapshot.files.map((f) => f.path)]) {
        const w = watch(p, { persistent: false }, () => {
          this.dirty = true;
        });
        w.on("error", (e) => this.fail(`watching ${p} failed: ${e.message}`));
        this.watchers.push(w);
      }
    } catch (e) {
      this.fail(`watching folders failed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  private fail(reason: string): void {
    this.reason ??= reason;
    this.close();
  }

  get watching(): boolean {
    return this.reason === undefined;
  }

  /** Every folder the snapshot records still has its mtime and ctime, looked up by path. */
  private foldersSame(): boolean {
    try {
      for (const d of this.snapshot.dirs) {
        const st = lstatSync(d.path);
        if (st.mtimeMs !== d.mtimeMs || st.ctimeMs !== d.ctimeMs) return false;
      }
      return true;
    } catch {
      return false;
    }
  }

  /** True when nothing the snapshot records has changed (see the module comment). */
  async fresh(): Promise<boolean> {
    if (!this.watching) {
      this.passes++;
      return snapshotFresh(this.snapshot);
    }
    await turn();
    await turn();
    if (!this.watching) return this.fresh();
    if (!this.dirty && performance.now() - this.lastPass < this.maxQuietMs && this.foldersSame()) return true;
    // cleared first: an event during the pass leaves the next query to check again
    this.dirty = false;
    this.passes++;
    this.lastPass = performance.now();
    const ok = snapshotFresh(this.snapshot);
    if (!ok) this.dirty = true;
    return ok;
  }

  close(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
