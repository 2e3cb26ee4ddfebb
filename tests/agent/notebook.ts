/** Runs a list of code cells on the kernel through nbclient (asynchronously, so a loopback server in this process can answer). */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { writeFile } from "../helpers/index.js";
import { PYTHON, type KernelEnv } from "../kernel/helpers.js";

const RUN = `
import json, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell(src) for src in json.load(open(sys.argv[1]))]
NotebookClient(nb, kernel_name=sys.argv[2], timeout=120, allow_errors=True).execute()
print(json.dumps(nb))
`;

/** Each cell's outputs (allow_errors: a failing cell is recorded and the next still runs). */
export function runCells(k: KernelEnv, cells: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Promise<Array<{ outputs: any[] }>> {
  const file = writeFile(join(k.dir, `cells-${Date.now()}.json`), JSON.stringify(cells));
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, ["-c", RUN, file, "openclaw-test"], { env: { ...k.env, ...env }, cwd: k.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("close", (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out).cells);
      } catch {
        reject(new Error(`nbclient exited ${code}: ${out.slice(-2000)}\n${err.slice(-4000)}`));
      }
    });
  });
}

/** All text of a cell's outputs (plain text, JSON, errors), for matching. */
export function cellText(c: { outputs: any[] }): string {
  return c.outputs.map((o) => (o.output_type === "error" ? `${o.ename}: ${o.evalue}` : o.text ?? JSON.stringify(o.data ?? {}))).join("\n");
}
