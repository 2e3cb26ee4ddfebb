/**
 * Doctor's probe cache. Two checks answer by starting a process: bubblewrap builds a
 * throw-away sandbox (twice: in general and with this config's folders) and python3 looks
 * for Jupyter; together most of a `doctor` run. A passing answer is kept in
 * <stateDir>/cache/doctor-probes.json for a short time (PROBE_TTL_MS) and only while what
 * it depends on is unchanged: the key holds the identity (device, inode, size, mtime,
 * ctime) of the binaries and package folders involved and the kernel settings that decide
 * whether a sandbox can be built, so a replaced, upgraded or removed binary, or a changed
 * sysctl, probes again. Every key also holds this process's own confinement (seccomp mode and
 * filter count, no_new_privs, effective capabilities, its user/mount/pid namespaces, its LSM
 * label): a doctor run under a seccomp filter or in another namespace (a container, systemd
 * RestrictNamespaces=, a wrapper) may be unable to build a sandbox that worked outside it, so
 * it probes again instead of reusing the outside's answer. A failing answer is never kept (the person is fixing it and wants
 * to see the effect at once).
 *
 * The cache is only read from a regular file this user owns that nobody else can write, in
 * an existing state dir (doctor does not create the state dir); anything else is ignored.
 * OPENCLAW_DOCTOR_CACHE=0 turns it off.
 */
import { lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, renameSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

export const PROBE_TTL_MS = 10 * 60_000;
const FILE = "doctor-probes.json";

export interface ProbeCacheOptions {
  /** The state dir; no cache without one (or when it does not exist). */
  stateDir?: string;
  env: NodeJS.ProcessEnv;
  ttlMs?: number;
  now?: () => number;
  /** What confines this process (default processConfinement); part of every key. Tests inject it. */
  confinement?: () => string;
}

/**
 * This process's confinement, as far as it decides whether a probe's answer carries over:
 * the Seccomp, Seccomp_filters, NoNewPrivs and CapEff lines of /proc/self/status, the
 * user, mount and pid namespaces (/proc/self/ns/*, e.g. "user:[4026531837]") and the LSM
 * label (/proc/self/attr/current, when readable). "-" for whatever cannot be read.
 */
export function processConfinement(): string {
  const parts: string[] = [];
  try {
    for (const line of readFileSync("/proc/self/status", "utf8").split("\n")) if (/^(Seccomp|NoNewPrivs|CapEff)/.test(line)) parts.push(line.replace(/\s+/g, " "));
  } catch {
    parts.push("status=-");
  }
  for (const ns of ["user", "mnt", "pid"]) {
    try {
      parts.push(readlinkSync(`/proc/self/ns/${ns}`));
    } catch {
      parts.push(`${ns}=-`);
    }
  }
  try {
    parts.push(`attr=${readFileSync("/proc/self/attr/current", "utf8").replace(/\0/g, "").trim()}`);
  } catch {
    parts.push("attr=-");
  }
  return parts.join("|");
}

interface Entry {
  key: string;
  at: number;
  value: unknown;
}

/** The identity of each path (after symlinks): a changed, replaced or removed file changes it. */
export function fileStamp(paths: readonly string[]): string {
  return paths
    .map((p) => {
      try {
        const real = realpathSync(p);
        const s = statSync(real);
        return `${p}=${real}:${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
      } catch {
        return `${p}=-`;
      }
    })
    .join("|");
}

/** The contents of small files (sysctls under /proc/sys), "-" for a missing one. */
export function fileContents(paths: readonly string[]): string {
  return paths
    .map((p) => {
      try {
        return `${p}=${readFileSync(p, "utf8").trim()}`;
      } catch {
        return `${p}=-`;
      }
    })
    .join("|");
}

function cacheFile(o: ProbeCacheOptions): string | undefined {
  if (o.env.OPENCLAW_DOCTOR_CACHE === "0" || !o.stateDir || !existsSync(o.stateDir)) return undefined;
  return join(o.stateDir, "cache", FILE);
}

function readEntries(file: string): Record<string, Entry> {
  try {
    const st = lstatSync(file);
    const uid = process.getuid?.();
    // Only a plain file of this user that nobody else can write is believed.
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || st.mode & 0o022) return {};
    const data = JSON.parse(readFileSync(file, "utf8")) as { v?: number; entries?: Record<string, Entry> };
    return data?.v === 1 && data.entries && typeof data.entries === "object" ? data.entries : {};
  } catch {
    return {};
  }
}

function writeEntry(file: string, name: string, entry: Entry): void {
  try {
    const dir = join(file, "..");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const entries = { ...readEntries(file), [name]: entry };
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ v: 1, entries }) + "\n", { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // A cache we cannot write only costs the next doctor its probe.
  }
}

/**
 * The probe's answer: from the cache when an entry with the same key is younger than the
 * TTL, else computed (and kept when `keep` says it passed). `cachedAt` is set for a cached answer.
 */
export async function cachedProbe<T>(o: ProbeCacheOptions, name: string, key: string, compute: () => T | Promise<T>, keep: (v: T) => boolean): Promise<{ value: T; cachedAt?: number }> {
  const file = cacheFile(o);
  const now = o.now ?? Date.now;
  const ttl = o.ttlMs ?? PROBE_TTL_MS;
  if (file) key = `${key}\n${(o.confinement ?? processConfinement)()}`;
  if (file) {
    const e = readEntries(file)[name];
    const age = e ? now() - e.at : Infinity;
    if (e && e.key === key && age >= 0 && age < ttl) return { value: e.value as T, cachedAt: e.at };
  }
  const value = await compute();
  if (file && keep(value)) writeEntry(file, name, { key, at: now(), value });
  return { value };
}

/** " (probed 3 min ago, cached)" for a cached answer, "" for a fresh one. */
export function cachedNote(cachedAt: number | undefined, now = Date.now()): string {
  if (cachedAt === undefined) return "";
  const s = Math.max(0, Math.round((now - cachedAt) / 1000));
  return ` (probed ${s < 60 ? `${s} s` : `${Math.round(s / 60)} min`} ago, cached)`;
}
