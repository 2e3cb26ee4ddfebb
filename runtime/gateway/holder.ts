/**
 * Who holds a port, for the "port in use" message: our own gateway (it answers /health),
 * or a process `ss` can name. Best effort: undefined when nothing can be found.
 */
import { execFile } from "node:child_process";
import { probeHealth } from "./probe.js";

export async function findPortHolder(host: string, port: number): Promise<string | undefined> {
  const probe = await probeHealth(host, port, { timeoutMs: 800 });
  if (probe.state === "ours") return `an openclaw-kernel gateway (version ${probe.health?.version})`;
  return new Promise((resolve) => {
    // argv only, no shell; ss ships with iproute2. -H: no header, -p: the process.
    execFile("ss", ["-ltnpH", `sport = :${port}`], { timeout: 2000 }, (err, stdout) => {
      if (err) return resolve(undefined);
      const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
      resolve(m ? `${m[1]} (pid ${m[2]})` : undefined);
    });
  });
}
