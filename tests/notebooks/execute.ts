import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { CLI, requirePythonModules, ROOT, tmp } from "../helpers/index.js";

export interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
export interface Cell {
  cell_type: string;
  source: string;
  outputs: Output[];
  metadata: { tags?: string[] };
}

const PY = "/usr/bin/python3";

/** Installs the kernelspec into a private prefix (JUPYTER_PATH) once per process. */
let jupyterPath: string | undefined;
export function kernelspecPrefix(): string {
  if (jupyterPath) return jupyterPath;
  requirePythonModules(["nbformat", "nbclient", "nbconvert"], ["python3-nbclient", "jupyter-nbconvert"]);
  const prefix = mkdtempSync(join(tmpdir(), "openclaw-nb-prefix-"));
  // One prefix for the whole test process: removed when the process exits.
  process.on("exit", () => rmSync(prefix, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [CLI, "install", "--prefix", prefix, "--json"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`kernelspec install failed: ${r.stderr || r.stdout}`);
  jupyterPath = join(prefix, "share", "jupyter");
  return jupyterPath;
}

const DRIVER = `
import sys, nbformat, nbclient
src, out, cwd = sys.argv[1], sys.argv[2], sys.argv[3]
nb = nbformat.read(src, as_version=4)
client = nbclient.NotebookClient(nb, kernel_name="openclaw", timeout=300, startup_timeout=60, resources={"metadata": {"path": cwd}})
try:
    client.execute()
finally:
    nbformat.write(nb, out)
`;

/**
 * Executes a notebook top to bottom through the real kernel with Debian's nbclient,
 * the way Jupyter would; returns the executed cells (sources joined). The executed copy
 * (outPath) lives in a temp folder removed after t.
 */
export function executeNotebook(t: { after(fn: () => void): void }, name: string, env: NodeJS.ProcessEnv = {}): { cells: Cell[]; outPath: string; stderr: string } {
  const src = join(ROOT, "notebooks", `${name}.ipynb`);
  const outDir = tmp(t, "openclaw-nb-out-");
  const outPath = join(outDir, `${basename(name)}.ipynb`);
  const driver = join(outDir, "run.py");
  writeFileSync(driver, DRIVER);
  const r = spawnSync(PY, [driver, src, outPath, dirname(src)], {
    encoding: "utf8",
    timeout: 600_000,
    env: { ...process.env, JUPYTER_PATH: kernelspecPrefix(), OPENCLAW_CONFIG: "", ...env },
  });
  if (r.status !== 0) throw new Error(`${name} did not execute:\n${r.stderr.slice(-4000)}`);
  const nb = JSON.parse(readFileSync(outPath, "utf8"));
  const cells = nb.cells.map((c: any) => ({ ...c, source: Array.isArray(c.source) ? c.source.join("") : c.source, outputs: c.outputs ?? [] }));
  return { cells, outPath, stderr: r.stderr };
}

/** The code cell whose source starts with `prefix` (first match). */
export function cell(cells: Cell[], prefix: string): Cell {
  const c = cells.find((x) => x.cell_type === "code" && x.source.startsWith(prefix));
  if (!c) throw new Error(`no cell starting with ${JSON.stringify(prefix)}`);
  return c;
}

/** All text a cell produced: streams, text/plain, text/html, errors. */
export function allText(c: Cell): string {
  return c.outputs
    .map((o) => {
      const t = Array.isArray(o.text) ? o.text.join("") : o.text ?? "";
      const d = o.data ? Object.values(o.data).map((v) => (typeof v === "string" ? v : Array.isArray(v) ? v.join("") : JSON.stringify(v))).join("\n") : "";
      return [t, d, o.ename ?? "", o.evalue ?? "", ...(o.traceback ?? [])].join("\n");
    })
    .join("\n");
}

export function mimeTypes(c: Cell): string[] {
  return [...new Set(c.outputs.flatMap((o) => Object.keys(o.data ?? {})))].sort();
}
