/**
 * The freshness check of a long-lived host (kernel, gateway) without a stat per file on
 * every query: one inotify watch (fs.watch, not recursive) on every folder the last scan
 * walked. A folder's watch reports its entries' content writes, attribute changes (touch -r,
 * chmod), creations, deletions and renames, so "no event since the last check" means
 * nothing the index depends on changed. Any event only makes the next query run the full
 * stat pass (snapshotFresh) as before; it never decides on its own that something changed.
 *
 * Events are delivered by the event loop's poll phase. A query first lets the loop turn
 * twice (two setImmediate hops: the first may run in the current iteration's check phase,
 * the second runs only after a poll phase), so every event the kernel queued before the
 * query started, such as a file a cell wrote just before asking, has been seen.
 *
 * Where watches cannot be trusted the stat pass runs on every query, as in a fresh process:
 * a folder on a filesystem that is not a local one (NFS, FUSE mounts such as a Colab Drive,
 * 9p/WSL: changes made elsewhere raise no event there), more folders than MAX_WATCHED, a
 * watch that fails (the inotify watch limit) or reports an error. Files with other hard links
 * (a write through another name raises no event in this folder) are stat'ed on every query.
 * Writes through mmap raise no event either: a stat pass still runs when the last one is older
 * than MAX_QUIET_MS, so nothing a watch cannot see stays unseen for long.
 */
import { type FSWatcher, lstatSync, statfsSync, watch } from "node:fs";
import { type ScanSnapshot, snapshotFresh, stampMatches } from "./loaders.js";

/** A query after this long without a stat pass runs one even with no event (see above). */
export const MAX_QUIET_MS = 60_000;

/** Above this many folders the stat pass stays: watches are a per-user kernel budget other tools share. */
export const MAX_WATCHED = 4096;

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
  /** Files with other hard links: stat'ed on every query. */
  private linked: ScanSnapshot["files"] = [];
  /** Stat passes run (tests: none on a quiet workspace once armed). */
  passes = 0;
  private lastPass = 0;

  /** `max`: folders above which no watch is set; `maxQuietMs`: see MAX_QUIET_MS (tests lower both). */
  constructor(
    readonly snapshot: ScanSnapshot,
    max = MAX_WATCHED,
    private readonly maxQuietMs = MAX_QUIET_MS,
  ) {
    if (snapshot.dirs.length > max) {
      this.reason = `${snapshot.dirs.length} folders (more than ${max})`;
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
      for (const d of snapshot.dirs) {
        const w = watch(d.path, { persistent: false }, () => {
          this.dirty = true;
        });
        w.on("error", (e) => this.fail(`watching ${d.path} failed: ${e.message}`));
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

  /** True when nothing the snapshot records has changed (see the module comment). */
  async fresh(): Promise<boolean> {
    if (!this.watching) {
      this.passes++;
      return snapshotFresh(this.snapshot);
    }
    await turn();
    await turn();
    if (!this.watching) return this.fresh();
    if (!this.dirty && performance.now() - this.lastPass < this.maxQuietMs) {
      for (const f of this.linked) {
        try {
          if (!stampMatches(f, lstatSync(f.path))) return false;
        } catch {
          return false;
        }
      }
      return true;
    }
    // cleared first: an event during the pass leaves the next query to check again
    this.dirty = false;
    this.passes++;
    this.lastPass = performance.now();
    const linked: ScanSnapshot["files"] = [];
    const ok = snapshotFresh(this.snapshot, linked);
    if (!ok) this.dirty = true;
    else this.linked = linked;
    return ok;
  }

  close(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
