import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createTwoFilesPatch } from "diff";
import type { Actor } from "../../runtime/events.js";
import { probeSandbox } from "../../runtime/exec/index.js";
import { indexDirFor } from "../../runtime/rag/store.js";
import { needsSystemTool } from "../helpers/index.js";
import { makeRuntime, type RuntimeFixtureOptions } from "../fixtures/runtime.js";

const REF = "openai/gpt-4o-mini";
const yes = async () => true;
const bwrap = probeSandbox();
const skip = needsSystemTool(bwrap.available, `bubblewrap cannot sandbox here (${bwrap.reason})`, "bubblewrap");
const md = (front: string) => `---\n${front}\n---\nbody\n`;
const SH = md("name: sh\ndescription: d\nexec: { cmd: 'sh -c {{s}}' }");

/** A model actor: only the agent loop has a door like this; tests use the fixture's test-only governor. */
const model = (modelRef: string): Actor => ({ host: "cli", sessionId: "test", modelRef });

type T = Parameters<typeof makeRuntime>[0];

/** A runtime (sandbox required) whose session skill `sh` runs one shell script, invoked through a person's door. */
async function withSh(t: T, opts: RuntimeFixtureOptions = {}) {
  const fx = makeRuntime(t, { ...opts, config: { ...(opts.config ?? {}), tools: { exec: { sandbox: "required" } } } });
  const reg = await fx.rt.skills();
  await reg.register(SH, { fromText: true });
  const door = fx.rt.door();
  const sh = (s: string) => door.invoke("sh", { s });
  return { ...fx, reg, sh };
}

test("apply_patch: .git reached through a symlink alias, a nested repository's .git, or a git dir under another name is refused", async (t) => {
  const { ws, governor } = makeRuntime(t, { config: { tools: { exec: { applyPatch: { enabled: true, allowedModels: [REF] } } } } });
  const gov = await governor();
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
    const r = await gov.applyPatch(model(REF), createTwoFilesPatch(`a/${path}`, `b/${path}`, "[core]\n", hostile), { approver: yes });
    assert.equal(r.status, "denied", `${path}: ${r.reason}`);
    assert.match(r.rule!, /^applyPatch\.(git|symlink)$/, `${path}: ${r.rule}`);
  }
  for (const f of [".git/config", "sub/.git/config", "bare.git/config"]) assert.equal(readFileSync(join(ws, f), "utf8"), "[core]\n");
  // Each refusal is audited as the model that asked.
  const recs = (await gov.auditTail(5)).filter((r) => r.action === "apply_patch");
  assert.deepEqual(recs.map((r) => [r.decision, r.actor.modelRef]), Array(5).fill(["deny", REF]));
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
  const { stateDir, sh, rt } = await withSh(t);
  const mine = indexDirFor(stateDir, rt.config.agentDefaults.workspace);
  const other = indexDirFor(stateDir, "/some/other/workspace");
  assert.notEqual(mine, other);
  for (const d of [mine, other]) mkdirSync(d, { recursive: true });
  writeFileSync(join(mine, "manifest.json"), "mine\n");
  writeFileSync(join(other, "manifest.json"), "other-secret\n");
  const r = await sh(`ls "$OPENCLAW_STATE_DIR/rag"; cat "${mine}/manifest.json"; cat "${other}/manifest.json"; echo x > "${mine}/manifest.json"; echo end`);
  assert.equal(r.status, "ok", r.reason ?? r.stderr);
  assert.match(r.stdout, /mine/);
  assert.match(r.stdout, /end/);
  assert.doesNotMatch(r.stdout, /other-secret/);
  assert.doesNotMatch(r.stdout, new RegExp(other.split("/").pop()!));
  assert.equal(readFileSync(join(mine, "manifest.json"), "utf8"), "mine\n");
  assert.equal(readFileSync(join(other, "manifest.json"), "utf8"), "other-secret\n");
});

test("sandbox: an absent skills.dirs folder inside the workspace cannot be created by a skill, and nothing loads from it", { skip }, async (t) => {
  // skills.dirs names a folder in the workspace that does not exist yet.
  const { rt, ws, sh, reg } = await withSh(t, { config: { skills: { dirs: ["./workspace/my-skills"] } } });
  const dir = join(ws, "my-skills");
  assert.equal(existsSync(dir), false);
  const r = await sh("mkdir -p my-skills/evil && printf -- '---\\nname: evil\\ndescription: d\\nexec: { cmd: true }\\n---\\n' > my-skills/evil/SKILL.md; echo end");
  assert.equal(r.status, "ok", r.reason ?? r.stderr);
  assert.match(r.stdout, /end/);
  assert.equal(existsSync(join(dir, "evil", "SKILL.md")), false, "the skill could not plant a skill");
  await reg.load();
  assert.equal(reg.get("evil"), undefined);
  assert.equal((await rt.door().invoke("evil", {})).rule, "skill.unknown");
});

test("sandbox: a symlinked state dir and workspace work, and the state dir stays hidden", { skip }, async (t) => {
  // Outside /tmp (the sandbox's private tmpfs hides /tmp anyway): in HOME, link and target.
  const home = mkdtempSync(join(process.env.HOME ?? "/root", ".openclaw-h6-"));
  const dir = mkdtempSync(join(tmpdir(), "openclaw-rt-"));
  let close: (() => Promise<void>) | undefined;
  // The fixture does not remove a folder it was given: close the runtime (idempotent), then remove both.
  t.after(async () => {
    await close?.();
    rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const realState = join(home, "real-state");
  mkdirSync(realState);
  writeFileSync(join(realState, "gateway.token"), "secret-token\n");
  symlinkSync(realState, join(home, "state-link"));
  mkdirSync(join(dir, "real-ws"));
  symlinkSync(join(dir, "real-ws"), join(dir, "workspace"));
  const { sh, rt } = await withSh(t, { dir, config: { stateDir: join(home, "state-link"), audit: { path: join(home, "state-link", "audit", "audit.jsonl") } } });
  close = () => rt.close();
  const r = await sh(`echo hi > made.txt; cat "${realState}/gateway.token"; cat "$OPENCLAW_STATE_DIR/gateway.token"; echo end`);
  assert.equal(r.status, "ok", `${r.reason} ${r.stderr}`);
  assert.match(r.stdout, /end/);
  assert.doesNotMatch(r.stdout, /secret-token/);
  assert.equal(readFileSync(join(dir, "real-ws", "made.txt"), "utf8"), "hi\n");
});
