/** Runs a list of code cells on the kernel through nbclient (asynchronously, so a loopback server in this process can answer). */
import { join } from "node:path";
import { pythonJson, writeFile } from "../helpers/index.js";
import type { KernelEnv } from "../kernel/helpers.js";

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
  return pythonJson(["-c", RUN, file, "openclaw-test"], { env: { ...k.env, ...env }, cwd: k.cwd, timeoutMs, what: "nbclient" }).then((r) => r.value.cells);
}

/** All text of a cell's outputs (plain text, JSON, errors), for matching. */
export function cellText(c: { outputs: any[] }): string {
  return c.outputs.map((o) => (o.output_type === "error" ? `${o.ename}: ${o.evalue}` : o.text ?? JSON.stringify(o.data ?? {}))).join("\n");
}
