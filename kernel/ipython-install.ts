/**
 * `openclaw-kernel install --ipython [--user|--sys-prefix|--prefix P] [--python PY]`:
 * copies the IPython extension (python/openclaw_kernel_ext, shipped in the npm package)
 * where that Python imports it from, and records which node and CLI start its host.
 * No PyPI, no pip: Python 3.9+ and IPython 7+ are all it needs.
 * Self-contained so the CLI entry can call it however it parses arguments.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../runtime/errors.js";
import { VERSION } from "../runtime/version.js";

/** The package root (dist/kernel/ -> ../..). */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const EXTENSION = "openclaw_kernel_ext";
export const EXTENSION_SOURCE = join(ROOT, "python", EXTENSION);
export const CLI_PATH = join(ROOT, "bin", "openclaw-kernel");

export type IPythonTarget = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; prefix: string };

export interface IPythonInstallResult {
  python: string;
  pythonVersion: string;
  ipython: string | null;
  dir: string;
  target: IPythonTarget["kind"];
  host: { node: string; cli: string };
  onSysPath: boolean;
  load: string;
}

const PROBE = `
import json, site, sys, sysconfig
prefix = sys.argv[1] if len(sys.argv) > 1 else None
out = {"version": "%d.%d.%d" % sys.version_info[:3], "ok": sys.version_info >= (3, 9), "user_site": site.getusersitepackages(),
       "enable_user_site": bool(site.ENABLE_USER_SITE), "purelib": sysconfig.get_paths()["purelib"], "sys_path": sys.path}
if prefix:
    out["prefix_purelib"] = sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})["purelib"]
try:
    import IPython
    out["ipython"] = IPython.__version__
except Exception:
    out["ipython"] = None
print(json.dumps(out))
`;

export function installIPythonExtension(target: IPythonTarget, python = "python3", env: NodeJS.ProcessEnv = process.env): IPythonInstallResult {
  if (!existsSync(join(EXTENSION_SOURCE, "__init__.py"))) throw new UsageError(`the extension's source is missing: ${EXTENSION_SOURCE}`, { fix: "reinstall openclaw-kernel (the npm package ships python/)" });
  const probe = spawnSync(python, ["-c", PROBE, ...(target.kind === "prefix" ? [target.prefix] : [])], { encoding: "utf8", env, timeout: 60_000 });
  if (probe.error || probe.status !== 0) {
    throw new UsageError(`could not run ${python}: ${probe.error?.message ?? probe.stderr.trim().split("\n").pop()}`, { fix: "name the Python your notebooks use with --python PATH (e.g. --python /usr/bin/python3)" });
  }
  const info = JSON.parse(probe.stdout) as { version: string; ok: boolean; user_site: string; enable_user_site: boolean; purelib: string; prefix_purelib?: string; ipython: string | null; sys_path: string[] };
  if (!info.ok) throw new UsageError(`${python} is Python ${info.version}; the extension needs Python 3.9+`, { fix: "pass a newer one with --python PATH" });
  if (target.kind === "user" && !info.enable_user_site) {
    throw new UsageError(`${python} ignores the user site (a virtualenv, or PYTHONNOUSERSITE)`, { fix: "use `install --ipython --sys-prefix` for this environment" });
  }
  const base = target.kind === "user" ? info.user_site : target.kind === "sys-prefix" ? info.purelib : info.prefix_purelib!;
  const dir = join(base, EXTENSION);
  mkdirSync(base, { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  cpSync(EXTENSION_SOURCE, dir, { recursive: true, filter: (src) => !/__pycache__|\.pyc$/.test(src) });
  const host = { node: process.execPath, cli: CLI_PATH };
  writeFileSync(join(dir, "_host.json"), JSON.stringify({ ...host, version: VERSION }, null, 2) + "\n");
  return {
    python,
    pythonVersion: info.version,
    ipython: info.ipython,
    dir,
    target: target.kind,
    host,
    onSysPath: info.sys_path.includes(base),
    load: `%load_ext ${EXTENSION}`,
  };
}

/** The CLI's text for a result. */
export function describeInstall(r: IPythonInstallResult): string {
  const lines = [`installed the IPython extension ${EXTENSION} for ${r.python} (Python ${r.pythonVersion}) in ${r.dir}`, `  host: ${r.host.node} ${r.host.cli} host`];
  if (!r.ipython) lines.push(`  note: IPython is not installed for ${r.python}; the extension needs IPython 7+ (Jupyter's ipykernel brings it)`);
  if (r.target === "prefix" && !r.onSysPath) lines.push(`  ${r.python} does not import from there by default: add ${r.dir.replace(/\/[^/]+$/, "")} to PYTHONPATH`);
  else if (!r.onSysPath) lines.push(`  a Python kernel started before this install may need a restart to see it`);
  lines.push(`  in a notebook: ${r.load}`);
  return lines.join("\n");
}

/** `install --ipython ...` from argv (the CLI entry routes it here). Returns the exit code. */
export function installIPythonCli(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): number {
  const json = argv.includes("--json");
  let python = "python3";
  let prefix: string | undefined;
  const kinds: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (name: string) => {
      const eq = a.indexOf("=");
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${name} needs a value`, { fix: `e.g. ${name} /usr/bin/python3` });
      return v;
    };
    try {
      if (a === "install" || a === "--ipython" || a === "--json") continue;
      else if (a === "--user") kinds.push("--user");
      else if (a === "--sys-prefix") kinds.push("--sys-prefix");
      else if (a === "--prefix" || a.startsWith("--prefix=")) (kinds.push("--prefix"), (prefix = value("--prefix")));
      else if (a === "--python" || a.startsWith("--python=")) python = value("--python");
      else throw new UsageError(`install --ipython does not take ${JSON.stringify(a)}`, { fix: "install --ipython [--user|--sys-prefix|--prefix P] [--python PY] [--json]" });
    } catch (e) {
      err(`openclaw-kernel: ${(e as Error).message}${(e as UsageError).fix ? `\n  fix: ${(e as UsageError).fix}` : ""}\n`);
      return 2;
    }
  }
  if (kinds.length > 1) {
    err(`openclaw-kernel: choose one of ${kinds.join(", ")}\n  fix: e.g. install --ipython --user\n`);
    return 2;
  }
  const target: IPythonTarget = kinds[0] === "--prefix" ? { kind: "prefix", prefix: prefix! } : kinds[0] === "--sys-prefix" ? { kind: "sys-prefix" } : { kind: "user" };
  try {
    const r = installIPythonExtension(target, python);
    out((json ? JSON.stringify(r, null, 2) : describeInstall(r)) + "\n");
    return 0;
  } catch (e) {
    err(`openclaw-kernel: ${(e as Error).message}${(e as UsageError).fix ? `\n  fix: ${(e as UsageError).fix}` : ""}\n`);
    return (e as UsageError).exitCode ?? 1;
  }
}
