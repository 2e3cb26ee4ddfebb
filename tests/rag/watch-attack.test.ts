// Review 4: changes the folder watches of runtime/rag/watch.ts do not see, so a long-lived host
// served a passage whose cited lines no longer hold its text (until MAX_QUIET_MS passed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, linkSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Rag } from "../../runtime/rag/index.js";
import { needsSystemTool } from "../helpers/index.js";
import { CORPUS, makeRuntime, watchedRag } from "./helpers.js";

/** The boathouse passage is gone from the workspace: serving it would cite lines that no longer hold it. */
async function assertNotStale(rag: Rag): Promise<void> {
  const r = await rag.query("boathouse key", { mode: "lexical", topk: 1 });
  assert.ok(!/boathouse/.test(r.results[0]?.text ?? ""), `stale passage served from ${r.results[0]?.source}: ${JSON.stringify(r.results[0]?.text)}`);
}

test("a hard link made after the watches were armed, then written through: the change is seen", async (t) => {
  const env = makeRuntime(t);
  const inside = join(env.workspace, "late.md");
  writeFileSync(inside, "# Late\n\nThe boathouse key hangs by the door.\n");
  const { rag } = await watchedRag(t, { workspace: env.workspace, arm: true });
  // link(2) raises IN_ATTRIB on the inode only: no event reaches the folder's watch
  const outside = join(env.root, "late-link.md");
  linkSync(inside, outside);
  await rag.query("boathouse key", { mode: "lexical" });
  writeFileSync(outside, "# Late\n\nThe lighthouse lamp is trimmed at dusk.\n");
  await assertNotStale(rag);
});

test("a parent folder of the workspace swapped (mv + new copy): the new files are served, not the old index", async (t) => {
  // workspace = <root>/site/ws; the watches are on the inodes of the old site/ws
  const env = makeRuntime(t, { workspace: undefined });
  const site = join(env.root, "site");
  const ws = join(site, "ws");
  mkdirSync(site);
  cpSync(CORPUS, ws, { recursive: true });
  writeFileSync(join(ws, "swap.md"), "# Swap\n\nThe boathouse key hangs by the door.\n");
  const { rag } = await watchedRag(t, { workspace: ws, arm: true });
  renameSync(site, join(env.root, "site.old"));
  mkdirSync(site);
  cpSync(CORPUS, ws, { recursive: true });
  writeFileSync(join(ws, "swap.md"), "# Swap\n\nThe lighthouse lamp is trimmed at dusk.\n");
  await assertNotStale(rag);
});

test("the workspace reached through a symlinked parent that is re-pointed (release switch): the new tree is served", async (t) => {
  const env = makeRuntime(t, { workspace: undefined });
  const v1 = join(env.root, "v1");
  const v2 = join(env.root, "v2");
  for (const [v, text] of [[v1, "The boathouse key hangs by the door."], [v2, "The lighthouse lamp is trimmed at dusk."]] as const) {
    cpSync(CORPUS, join(v, "ws"), { recursive: true });
    writeFileSync(join(v, "ws", "swap.md"), `# Swap\n\n${text}\n`);
  }
  const current = join(env.root, "current");
  symlinkSync(v1, current);
  const { rag } = await watchedRag(t, { workspace: join(current, "ws"), arm: true });
  const tmp = join(env.root, "current.new");
  symlinkSync(v2, tmp);
  renameSync(tmp, current); // ln -sfn, atomically
  await assertNotStale(rag);
});

test("a workspace path that is itself a symlink, re-pointed (ln -sfn): the new tree is served", async (t) => {
  const env = makeRuntime(t, { workspace: undefined });
  const v1 = join(env.root, "v1");
  const v2 = join(env.root, "v2");
  for (const [v, text] of [[v1, "The boathouse key hangs by the door."], [v2, "The lighthouse lamp is trimmed at dusk."]] as const) {
    cpSync(CORPUS, v, { recursive: true });
    writeFileSync(join(v, "swap.md"), `# Swap\n\n${text}\n`);
  }
  const ws = join(env.root, "docs");
  symlinkSync(v1, ws);
  const { rag } = await watchedRag(t, { workspace: ws, arm: true });
  const tmp = join(env.root, "docs.new");
  symlinkSync(v2, tmp);
  renameSync(tmp, ws);
  await assertNotStale(rag);
});

test("a sandboxed skill that links an indexed file into a hidden folder and writes through it: the change is seen", { skip: needsSystemTool(existsSync("/usr/bin/bwrap"), "bubblewrap not found at /usr/bin/bwrap", "bubblewrap") }, async (t) => {
  const { sandboxArgv } = await import("../../runtime/exec/sandbox.js");
  const env = makeRuntime(t);
  const file = join(env.workspace, "swap.md");
  writeFileSync(file, "# Swap\n\nThe boathouse key hangs by the door.\n");
  mkdirSync(join(env.workspace, ".cache")); // a hidden folder that is there already (.git, .cache, .venv): not indexed, not watched
  const { rag } = await watchedRag(t, { workspace: env.workspace, arm: true });
  const skill = (sh: string) => execFileSync("/usr/bin/bwrap", sandboxArgv("/usr/bin/bwrap", { workspace: env.workspace, cwd: env.workspace, hide: [env.stateDir], readOnly: [] }, ["/bin/sh", "-c", sh]));
  skill("ln swap.md .cache/x");
  await rag.query("boathouse key", { mode: "lexical" });
  skill("printf '# Swap\\n\\nThe lighthouse lamp is trimmed at dusk.\\n' > .cache/x");
  await assertNotStale(rag);
});
