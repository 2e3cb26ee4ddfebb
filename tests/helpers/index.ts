import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Verbatim copies of the seed files (openclaw.json, local-rag/SKILL.md, expected-output.json). */
export const SEED = join(ROOT, "tests", "fixtures", "seed");
export const CLI = join(ROOT, "bin", "openclaw-kernel");

/** A fresh temp folder removed after the test (t from node:test, or anything with after()). */
export function tmp(t: { after(fn: () => void): void }, prefix = "openclaw-test-", base = tmpdir()): string {
  const d = mkdtempSync(join(base, prefix));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export function writeFile(path: string, content: string | object): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}

/** Runs the real CLI (compiled) and returns its exit code and output. */
export function cli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeout?: number } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, OPENCLAW_CONFIG: "", ...opts.env },
    input: opts.input ?? "",
    encoding: "utf8",
    timeout: opts.timeout ?? 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

/**
 * The `skip` option for a test that needs a system tool: false when it is there, else the reason.
 * Under CI=true a missing tool is a failure, not a skip: this throws, naming the Debian package
 * to install, so CI cannot pass green with whole areas silently skipped.
 */
export function needsSystemTool(present: boolean, what: string, debPackage: string): false | string {
  if (present) return false;
  const reason = `${what}: install the Debian package ${debPackage} (apt-get install ${debPackage}, or run scripts/system-deps.sh as root)`;
  if (process.env.CI === "true") throw new Error(`CI=true and a required system tool is missing: ${reason}`);
  return reason;
}

const pythonChecked = new Set<string>();
/**
 * Throws (always: these tests never skip) unless Debian's python3 can import `modules`, naming the
 * Debian packages to install. Checked once per process and module list.
 */
export function requirePythonModules(modules: string[], debPackages: string[]): void {
  const key = modules.join(",");
  if (pythonChecked.has(key)) return;
  const r = spawnSync("/usr/bin/python3", ["-c", `import ${key}`], { encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`/usr/bin/python3 cannot import ${modules.join(", ")}: install the Debian packages ${debPackages.join(" ")} (apt-get install ${debPackages.join(" ")}, or run scripts/system-deps.sh as root)\n${(r.stderr ?? String(r.error)).trim().split("\n").pop()}`);
  }
  pythonChecked.add(key);
}

/**
 * Runs Debian's python3 with `args` and resolves with its stdout parsed as JSON (and its stderr);
 * SIGKILL after `timeoutMs`. A stdout that is not JSON rejects, naming `what`, its exit code and the
 * tail of both streams. The Python drivers of the kernel, IPython and agent tests print one JSON document.
 */
export function pythonJson(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number; what: string }): Promise<{ value: any; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn("/usr/bin/python3", args, { env: opts.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs);
    p.on("close", (code) => {
      clearTimeout(timer);
      try {
        resolve({ value: JSON.parse(out), stderr: err });
      } catch {
        reject(new Error(`${opts.what} exited ${code}: ${out.slice(-2000)}\n${err.slice(-4000)}`));
      }
    });
  });
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; a server started next binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
