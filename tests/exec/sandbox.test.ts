import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { probeSandbox } from "../../runtime/exec/index.js";
import { needsSystemTool, tmp } from "../helpers/index.js";
import { makeExec } from "./setup.js";

const bwrap = probeSandbox();
const skip = needsSystemTool(bwrap.available, `bubblewrap cannot sandbox here (${bwrap.reason})`, "bubblewrap");

test("sandbox: the workspace is writable, anything outside it is not", { skip }, async (t) => {
  const { ex, workspace, dir } = makeExec(t, { sandbox: "required" });
  // A folder outside the workspace the test can see on the host, outside /tmp (which the sandbox replaces).
  const outside = mkdtempSync(join(homedir(), ".openclaw-sandbox-test-"));
  t.after(() => rmSync(outside, { recursive: true, force: true }));
  const r = await ex.run({ argv: ["sh", "-c", `echo in > inside.txt; echo out > ${outside}/escaped.txt; echo rc=$?; echo t > ${dir}/beside-workspace.txt`] });
  assert.equal(r.sandboxed, true);
  assert.match(r.stdout, /rc=[1-9]/);
  assert.match(r.stderr, /Read-only file system/);
  assert.equal(existsSync(join(workspace, "inside.txt")), true);
  assert.equal(existsSync(join(outside, "escaped.txt")), false);
  assert.equal(existsSync(join(dir, "beside-workspace.txt")), false);
});

test("sandbox: no network, not even loopback", { skip }, async (t) => {
  const srv = createServer((s) => {
    s.on("error", () => undefined); // the client exits at once: a reset is expected
    s.end("hello");
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  t.after(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  const { ex } = makeExec(t, { sandbox: "required" });
  const script = `require("net").connect(${port}, "127.0.0.1").on("connect", () => { console.log("CONNECTED"); process.exit(0) }).on("error", (e) => { console.log("ERR " + e.code); process.exit(3) })`;
  const r = await ex.run({ argv: [process.execPath, "-e", script] });
  assert.equal(r.sandboxed, true);
  assert.doesNotMatch(r.stdout, /CONNECTED/);
  assert.match(r.stdout, /ERR (ECONNREFUSED|ENETUNREACH|EADDRNOTAVAIL)/);
  // The same program unsandboxed connects: the refusal above is the sandbox's doing.
  const { ex: open } = makeExec(t, { sandbox: "off" });
  assert.match((await open.run({ argv: [process.execPath, "-e", script] })).stdout, /CONNECTED/);
});

test("sandbox: the state dir is hidden and node/python run from the read-only root", { skip }, async (t) => {
  const { ex, stateDir } = makeExec(t, { sandbox: "auto" });
  writeFileSync(join(stateDir, "gateway.token"), "secret-token");
  const r = await ex.run({ argv: ["sh", "-c", `cat ${stateDir}/gateway.token; ls -A ${stateDir} | wc -l; python3 -c 'print(6*7)'; node -e 'console.log(process.version)'`] });
  assert.equal(r.sandboxed, true);
  assert.doesNotMatch(r.stdout, /secret-token/);
  assert.match(r.stdout, /^0$/m);
  assert.match(r.stdout, /^42$/m);
  assert.match(r.stdout, /^v\d+\./m);
});

test("sandbox required without bubblewrap refuses and runs nothing; auto falls back unsandboxed", async (t) => {
  const marker = join(tmp(t), "ran");
  const none = { bwrapCandidates: ["/nonexistent/bwrap"] };
  const req = makeExec(t, { sandbox: "required" }, none);
  await assert.rejects(req.ex.run({ argv: ["/usr/bin/touch", marker] }), (e: Error & { rule?: string; exitCode?: number }) => e.rule === "sandbox.required" && e.exitCode === 78 && /bubblewrap not found/.test(e.message));
  assert.equal(existsSync(marker), false, "nothing ran");
  const auto = makeExec(t, { sandbox: "auto" }, none);
  const r = await auto.ex.run({ argv: ["/usr/bin/touch", marker] });
  assert.equal(r.status, "ok");
  assert.equal(r.sandboxed, false);
  assert.equal(auto.ex.sandbox().available, false);
});

// Regression: CI clones into a folder under /tmp, which the sandbox replaces with a private
// tmpfs; the package must stay visible, and a read-only bind of a folder that holds the
// workspace must not make the workspace read-only.
test("sandbox: a read-only folder under /tmp that holds the workspace stays readable, the workspace stays writable", { skip }, async (t) => {
  // Under /tmp itself whatever TMPDIR says: that is the folder the sandbox replaces.
  const { ex, workspace, dir } = makeExec(t, { sandbox: "required" }, {}, "/tmp");
  writeFileSync(join(dir, "package-file.txt"), "from the package\n");
  const r = await ex.run({ argv: ["sh", "-c", `cat ${dir}/package-file.txt; echo w > inside.txt && echo wrote; echo x > ${dir}/nope.txt || echo refused`], readOnlyPaths: [dir] });
  assert.equal(r.sandboxed, true);
  assert.ok(dir.startsWith("/tmp/") && workspace.startsWith(dir), "the fixture mirrors a clone under /tmp with the workspace inside it");
  assert.match(r.stdout, /from the package/);
  assert.match(r.stdout, /wrote/);
  assert.match(r.stdout, /refused/);
  assert.equal(existsSync(join(workspace, "inside.txt")), true);
  assert.equal(existsSync(join(dir, "nope.txt")), false);
});

test("sandbox: a state dir inside a read-only package stays hidden; the most specific mount wins", { skip }, async (t) => {
  const { ex, dir, stateDir } = makeExec(t, { sandbox: "required" });
  // The fixture's state dir sits beside the workspace inside `dir`, which is exposed read-only.
  writeFileSync(join(stateDir, "secret-audit.jsonl"), "must stay hidden\n");
  const r = await ex.run({ argv: ["sh", "-c", `cat ${stateDir}/secret-audit.jsonl || echo hidden; echo ok > inside.txt && echo wrote`], readOnlyPaths: [dir] });
  assert.equal(r.sandboxed, true);
  assert.doesNotMatch(r.stdout, /must stay hidden/);
  assert.match(r.stdout, /hidden/);
  assert.match(r.stdout, /wrote/);
});

test("sandbox: a state dir that holds the workspace is still hidden, the workspace still writable", { skip }, async (t) => {
  const dir = (await import("../helpers/index.js")).tmp(t as { after(fn: () => void): void });
  const { ExecManager } = await import("../../runtime/exec/index.js");
  const stateDir = join(dir, "state");
  const workspace = join(stateDir, "ws");
  mkdirSync(join(stateDir, "gateway"), { recursive: true });
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(stateDir, "gateway", "token"), "tok-must-stay-hidden\n");
  const ex = new ExecManager({ config: { backgroundMs: 10000, timeoutSec: 30, cleanupMs: 60000, notifyOnExit: true, notifyOnExitEmptySuccess: false, applyPatch: { enabled: false, allowedModels: [] }, sandbox: "required", maxOutputBytes: 1 << 20, maxLogBytes: 32 << 20, env: [] }, workspace, stateDir, emit: () => undefined, hostEnv: { PATH: process.env.PATH } });
  t.after(() => ex.close());
  const r = await ex.run({ argv: ["sh", "-c", "cat ../gateway/token || echo hidden; echo w > inside.txt && echo wrote"] });
  assert.equal(r.sandboxed, true);
  assert.doesNotMatch(r.stdout, /tok-must-stay-hidden/);
  assert.match(r.stdout, /hidden[\s\S]*wrote/);
  assert.equal(existsSync(join(workspace, "inside.txt")), true);
});

test("sandbox: skill folders in the workspace are read-only, even when the run would create them", { skip }, async (t) => {
  const { ex, workspace } = makeExec(t, { sandbox: "required" });
  const r = await ex.run({ argv: ["sh", "-c", "mkdir -p skills/planted && echo x > skills/planted/SKILL.md && echo planted || echo refused"] });
  assert.equal(r.sandboxed, true);
  assert.match(r.stdout, /refused/);
  assert.equal(existsSync(join(workspace, "skills", "planted")), false);
});

test("sandbox: a read-only list that names the workspace itself leaves it writable (skills registered from a cell live there)", { skip }, async (t) => {
  const { ex, workspace } = makeExec(t, { sandbox: "required" });
  const r = await ex.run({ argv: ["sh", "-c", "echo w > inside.txt && echo wrote"], readOnlyPaths: [workspace] });
  assert.equal(r.sandboxed, true);
  assert.match(r.stdout, /wrote/);
  assert.equal(existsSync(join(workspace, "inside.txt")), true);
});

test("sandbox: mounts use real paths, and the layout probe (doctor) works with a symlinked state dir", { skip }, async (t) => {
  const { probeLayout, sandboxArgv } = await import("../../runtime/exec/sandbox.js");
  const { mkdtempSync, symlinkSync, realpathSync } = await import("node:fs");
  const home = mkdtempSync(join(process.env.HOME ?? "/root", ".openclaw-h6-"));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, "real-state"));
  mkdirSync(join(home, "real-ws"));
  symlinkSync(join(home, "real-state"), join(home, "state"));
  symlinkSync(join(home, "real-ws"), join(home, "ws"));
  const layout = { workspace: join(home, "ws"), cwd: join(home, "ws"), hide: [join(home, "state")], readOnly: [] };
  const argv = sandboxArgv(bwrap.path!, layout, ["/bin/true"]);
  assert.ok(argv.includes(realpathSync(join(home, "real-state"))), "the state dir is hidden at its real path");
  assert.ok(!argv.includes(join(home, "state")), "never through the symlink");
  assert.equal(probeLayout(bwrap.path!, layout), null);
});
