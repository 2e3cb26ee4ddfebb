/** A kernel must not outlive the Jupyter process that started it (JPY_PARENT_PID, like ipykernel). */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { describe, it } from "node:test";
import { kernelEnv, PYTHON } from "./helpers.js";

const START_AND_DIE = `
import os
from jupyter_client.manager import KernelManager
km = KernelManager(kernel_name=os.environ["OC_KERNEL"])
km.start_kernel(cwd=os.environ["OC_CWD"])
kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)
print(km.provisioner.process.pid, flush=True)
os._exit(0)  # die without shutting the kernel down, as a crashed server would
`;

function running(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

describe("orphaned kernel", { timeout: 60_000 }, () => {
  it("exits by itself within seconds once its Jupyter parent is gone", async () => {
    const k = kernelEnv();
    let pid = 0;
    try {
      const r = spawnSync(PYTHON, ["-c", START_AND_DIE], { env: k.env, encoding: "utf8", timeout: 60_000 });
      pid = Number(r.stdout.trim().split("\n").at(-1));
      assert.ok(pid > 0, r.stderr.slice(-2000));
      const until = Date.now() + 10_000;
      while (running(pid) && Date.now() < until) await new Promise((res) => setTimeout(res, 100));
      assert.equal(running(pid), false, "the kernel kept running after its parent died");
    } finally {
      if (pid && running(pid)) process.kill(pid, "SIGKILL");
      rmSync(k.dir, { recursive: true, force: true });
    }
  });
});
