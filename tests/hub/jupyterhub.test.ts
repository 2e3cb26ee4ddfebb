// The JupyterHub end-to-end check (scripts/hub-test.sh: Debian's jupyterhub, npm's
// configurable-http-proxy, two Linux users, kernels and gateways started through the hub's
// REST API). About 30 s; needs root and jupyterhub (scripts/system-deps.sh), else skipped.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cannotMakeUsers, letOthersReach } from "../helpers/linux-user.js";

const ROOT = new URL("../..", import.meta.url).pathname;

function why(): string | undefined {
  const users = cannotMakeUsers();
  if (users) return users;
  if (!existsSync("/usr/bin/jupyterhub")) return "needs Debian's jupyterhub (scripts/system-deps.sh)";
  if (!existsSync(join(ROOT, "node_modules", ".bin", "configurable-http-proxy"))) return "needs configurable-http-proxy (npm ci)";
  return undefined;
}

test("JupyterHub: two users' kernels and gateways through the hub; B refused by A's gateway; A's files closed to B; pins hold", { skip: why(), timeout: 600_000 }, async (t) => {
  letOthersReach(t, ROOT);
  const r = await new Promise<{ code: number | null; out: string }>((resolve) =>
    execFile("bash", [join(ROOT, "scripts", "hub-test.sh")], { cwd: ROOT, timeout: 540_000, maxBuffer: 64 * 1024 * 1024 }, (e, stdout, stderr) => resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, out: stdout + stderr })),
  );
  const checks = r.out.split("\n").filter((l) => /^(ok|FAIL) /.test(l));
  assert.equal(r.code, 0, checks.join("\n") + "\n" + r.out.slice(-3000));
  assert.ok(checks.length >= 11 && checks.every((l) => l.startsWith("ok")), checks.join("\n"));
  assert.match(r.out, /hub-test: all checks passed/);
});
