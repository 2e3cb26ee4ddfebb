import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createTwoFilesPatch } from "diff";
import { loadConfig } from "../../runtime/config/index.js";
import { probeSandbox } from "../../runtime/exec/index.js";
import { Runtime } from "../../runtime/runtime.js";
import { indexDirFor } from "../../runtime/rag/store.js";
import { makeRuntime } from "./setup.js";

const REF = "openai/gpt-4o-mini";
const yes = async () => true;
const bwrap = probeSandbox();
const skip = bwrap.available ? false : `bubblewrap cannot sandbox here: ${bwrap.reason}`;
const md = (front: string) => `---\n${front}\n---\nbody\n`;

/** A new runtime on the config at `path` after `edit`. */
function reopen(t: Parameters<typeof makeRuntime>[0], path: string, edit: (c: any) => void): Runtime {
  const cfg = JSON.parse(readFileSync(path, "utf8"));
  edit(cfg);
  writeFileSync(path, JSON.stringify(cfg));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: "C.UTF-8" };
  const rt = new Runtime(loadConfig({ configPath: path, env }), { host: "cli", env });
  t.after(() => rt.close());
  return rt;
}

/** A runtime whose session skill `sh` runs one shell script (in the sandbox unless told). */
async function withSh(t: Parameters<typeof makeRuntime>[0], opts: Parameters<typeof makeRuntime>[1] = {}) {
  const env = makeRuntime(t, { ...opts, exec: { sandbox: "required", ...(opts.exec ?? {}) } });
  const reg = await env.rt.skills();
  await reg.register(md("name: sh\ndescription: d\nexec: { cmd: 'sh -c {{s}}' }"), { fromText: true });
  const sh = (s: string) => reg.invoke("sh", { s }, { actor: env.rt.actor() });
  return { ...env, reg, sh };
}

test("apply_patch: .git reached through a symlink alias, a nested repository's .git, or a git dir under another name is refused", async (t) => {
  const { rt, ws } = makeRuntime(t, { exec: { applyPatch: { enabled: true, allowedModels: [REF] } } });
  const reg = await rt.skills();
  for (const g of [join(ws, ".git"), join(ws, "sub", ".git")]) {
    mkdirSync(g, { recursive: true });
    writeFileSync(join(g, "config"), "[core]\n");
  }
  symlinkSync(join(ws, ".git"), join(ws, "alias"));
  symlinkSync(join(ws, "sub", ".git"), join(ws, "alias2"));
  symlinkSync("sub", join(ws, "subalias"));
  mkdirSync(join(ws, "bare.git", "objects"), { recursive: true });
  mkdirSync(join(ws, "bare.git", "refs"));
  writeFileSync(join(ws, "bare.git", "HEAD"), "ref: refs/heads/main\n");
  writeFileSync(join(ws, "bare.git", "config"), "[core]\n");
  const hostile = "[core]\n\tfsmonitor = touch /tmp/pwned\n";
  for (const path of ["alias/config", "alias2/config", "sub/.git/config", "subalias/.git/config", "bare.git/config"]) {
    const r = await reg.applyPatch(createTwoFilesPatch(`a/${path}`, `b/${path}`, "[core]\n", hostile), { actor: rt.actor({ modelRef: REF }), approver: yes });
    assert.equal(r.status, "denied", `${path}: ${r.reason}`);
    assert.match(r.rule!, /^applyPatch\.(git|symlink)$/, `${path}: ${r.rule}`);
  }
  for (const f of [".git/config", "sub/.git/config", "bare.git/config"]) assert.equal(readFileSync(join(ws, f), "utf8"), "[core]\n");
});

test("sandbox: nested repositories' .git are read-only; with no .git a skill cannot create one", { skip }, async (t) => {
  const { ws, sh } = await withSh(t);
  mkdirSync(join(ws, "sub", ".git"), { recursive: true });
  writeFileSync(join(ws, "sub", ".git", "config"), "[core]\n");
  const r = await sh("printf '[core]\\n\\tfsmonitor = x\\n' >> sub/.git/config; mkdir -p .git/hooks; echo '[core]' > .git/config; echo done");
  assert.equal(r.status, "ok", r.reason ?? r.stderr);
  assert.match(r.stdout, /done/);
  assert.match(r.stderr, /Read-only file system/);
  assert.equal(readFileSync(join(ws, "sub", ".git", "config"), "utf8"), "[core]\n");
  assert.equal(existsSync(join(ws, ".git", "config")), false, "no .git/config was created");
  assert.deepEqual(readdirSync(join(ws, ".git")), [], "the placeholder .git stays empty (inert for git)");
});

test("sandbox: only this workspace's RAG index is visible, read-only; other workspaces' are hidden", { skip }, async (t) => {
  const { ws, stateDir, sh, rt } = await withSh(t);
  const mine = indexDirFor(stateDir, rt.config.agentDefaults.workspace);
  const other = indexDirFor(stateDir, "/some/other/workspace");
  for (const d of [mine, other]) mkdirSync(d, { recursive: true });
  writeFileSync(join(mine, "manifest.json"), "mine\n");
  writeFileSync(join(other, "manifest.json"), "other-secret\n");
  const r = await sh(`ls "$OPENCLAW_STATE_DIR/rag"; cat "${mine}/manifest.json"; cat "${other}/manifest.json"; echo x > "${mine}/manifest.json"; echo end`);
  assert.equal(r.status, "ok", r.reason ?? r.stderr);
  assert.match(r.stdout, /mine/);
  assert.doesNotMatch(r.stdout, /other-secret/);
  assert.doesNotMatch(r.stdout, new RegExp(other.split("/").pop()!));
  assert.equal(readFileSync(join(mine, "manifest.json"), "utf8"), "mine\n");
  assert.ok(ws);
});

test("sandbox: an absent skills.dirs folder inside the workspace cannot be created by a skill, and nothing loads from it", { skip }, async (t) => {
  const env = makeRuntime(t, { exec: { sandbox: "required" }, skillsDirs: [] });
  const dir = join(env.ws, "my-skills");
  // A config whose skills.dirs names a folder in the workspace that does not exist yet.
  const rt = reopen(t, env.configPath, (c) => (c.skills.dirs = ["./workspace/my-skills"]));
  const reg = await rt.skills();
  assert.equal(existsSync(dir), false);
  await reg.register(md("name: sh\ndescription: d\nexec: { cmd: 'sh -c {{s}}' }"), { fromText: true });
  const r = await reg.invoke("sh", { s: "mkdir -p my-skills/evil && printf -- '---\\nname: evil\\ndescription: d\\nexec: { cmd: true }\\n---\\n' > my-skills/evil/SKILL.md; echo end" }, { actor: rt.actor() });
  assert.equal(r.status, "ok", r.reason ?? r.stderr);
  assert.equal(existsSync(join(dir, "evil", "SKILL.md")), false, "the skill could not plant a skill");
  await reg.load();
  assert.equal(reg.get("evil"), undefined);
});

test("sandbox: a symlinked state dir and workspace work, and the state dir stays hidden", { skip }, async (t) => {
  const env = makeRuntime(t, { exec: { sandbox: "required" } });
  // Outside /tmp (the sandbox's private tmpfs hides /tmp anyway): in HOME, link and target.
  const home = mkdtempSync(join(process.env.HOME ?? "/root", ".openclaw-h6-"));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const realState = join(home, "real-state");
  mkdirSync(realState);
  writeFileSync(join(realState, "gateway.token"), "secret-token\n");
  symlinkSync(realState, join(home, "state-link"));
  renameSync(env.ws, join(env.dir, "real-ws"));
  symlinkSync(join(env.dir, "real-ws"), env.ws);
  const rt = reopen(t, env.configPath, (c) => (c.stateDir = join(home, "state-link")));
  const reg = await rt.skills();
  await reg.register(md("name: sh\ndescription: d\nexec: { cmd: 'sh -c {{s}}' }"), { fromText: true });
  const r = await reg.invoke("sh", { s: `echo hi > made.txt; cat "${realState}/gateway.token"; cat "$OPENCLAW_STATE_DIR/gateway.token"; echo end` }, { actor: rt.actor() });
  assert.equal(r.status, "ok", `${r.reason} ${r.stderr}`);
  assert.match(r.stdout, /end/);
  assert.doesNotMatch(r.stdout, /secret-token/);
  assert.equal(readFileSync(join(env.dir, "real-ws", "made.txt"), "utf8"), "hi\n");
});
