/** nbclient (Debian's python3-nbclient) executes a small notebook on the kernel, as CI does for tutorials. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../helpers/index.js";
import { kernelEnv, PYTHON } from "./helpers.js";

const RUN = `
import json, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, kernel_name=sys.argv[2], timeout=60, allow_errors=False).execute()
print(json.dumps(nb))
`;

describe("nbclient", { timeout: 120_000 }, () => {
  it("executes tests/fixtures/kernel/smoke.ipynb with every output in place", () => {
    const k = kernelEnv();
    try {
      const r = spawnSync(PYTHON, ["-c", RUN, join(ROOT, "tests/fixtures/kernel/smoke.ipynb"), "openclaw-test"], { env: k.env, cwd: k.cwd, encoding: "utf8", timeout: 90_000 });
      assert.equal(r.status, 0, r.stderr.slice(-3000));
      const nb = JSON.parse(r.stdout);
      const cells = nb.cells.filter((c: any) => c.cell_type === "code");
      assert.deepEqual(cells.map((c: any) => c.execution_count), [1, 2, 3, 4, 5]);
      assert.ok(cells[0].outputs[0].data["text/html"].includes("oc-help"));
      assert.equal(cells[1].outputs[0].output_type, "display_data");
      assert.deepEqual(cells[2].outputs.map((o: any) => o.output_type), ["stream", "execute_result"]);
      assert.equal(cells[2].outputs[0].text, "hello from TypeScript\n");
      assert.equal(cells[2].outputs[1].data["text/plain"], "21");
      assert.equal(cells[3].outputs.at(-1).data["text/plain"], "HELLO FROM TYPESCRIPT");
      assert.deepEqual(cells[4].outputs.map((o: any) => Object.keys(o.data).sort().join(",")), ["text/html", "application/json,text/plain"]);
    } finally {
      rmSync(k.dir, { recursive: true, force: true });
    }
  });
});
