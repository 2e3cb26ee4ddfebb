/**
 * A second real Linux user for the shared-host tests: created with useradd (needs root),
 * removed with userdel after the test. `run` executes a program as that user
 * (runuser -u, no shell) and resolves with its exit code and output.
 */
import { execFileSync, execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, statSync } from "node:fs";
import { dirname } from "node:path";

type T = { after(fn: () => void | Promise<void>): void };

/** Why these tests cannot run here, or undefined when they can. */
export function cannotMakeUsers(): string | undefined {
  if (process.platform !== "linux") return "needs Linux";
  if (process.getuid?.() !== 0) return "needs root (useradd, runuser)";
  for (const p of ["/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/sbin/runuser"]) if (!existsSync(p)) return `needs ${p}`;
  return undefined;
}

/**
 * The other users must run this checkout's CLI: a checkout under a folder they cannot enter (a
 * clone in `mktemp -d`, mode 0700) gets the search bit for others on each such ancestor for the
 * test (nothing readable is added), restored after it.
 */
export function letOthersReach(t: T, dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    const mode = statSync(d).mode & 0o7777;
    if (!(mode & 0o001)) {
      chmodSync(d, mode | 0o001);
      t.after(() => chmodSync(d, mode));
    }
    if (d === dirname(d)) break;
  }
}

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  run(argv: string[], opts?: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; signal?: AbortSignal }): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export function makeUser(t: T, opts: { home?: boolean } = {}): TestUser {
  const name = `ock${randomBytes(4).toString("hex")}`;
  const home = `/home/${name}`;
  execFileSync("/usr/sbin/useradd", [...(opts.home ? ["-m", "-d", home] : ["-M", "-d", "/nonexistent"]), "-s", "/bin/sh", "-U", name], { stdio: "pipe" });
  t.after(() => {
    try {
      execFileSync("/usr/sbin/userdel", [...(opts.home ? ["-r"] : []), "-f", name], { stdio: "pipe" });
    } catch {
      /* already gone */
    }
  });
  const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
  return {
    name,
    uid,
    gid,
    home: opts.home ? home : "/nonexistent",
    run: (argv, o = {}) =>
      new Promise((resolve) => {
        execFile("/usr/sbin/runuser", ["-u", name, "--", ...argv], { cwd: o.cwd ?? "/", env: o.env ?? { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8" }, timeout: o.timeoutMs ?? 60_000, signal: o.signal, encoding: "utf8" }, (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
        });
      }),
  };
}
