/** A kernel-host front door (one session) against an OpenAI-compatible server on loopback. */
import { join } from "node:path";
import { tmp, writeFile } from "../helpers/index.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fixtures/models/openai-server.js";
import { writeEchoSkill } from "../fixtures/models/runtime.js";
import { makeContext } from "../../magics/commands/context.js";
import type { CommandContext } from "../../magics/types.js";

const KEY = "sk-test-abcdef0123456789";

/** A kernel front door (one session) talking to an OpenAI-compatible server on loopback. */
export async function kernelSetup(t: any, extra: { agentDefaults?: Record<string, unknown>; models?: Record<string, unknown> } = {}): Promise<{ srv: FakeOpenAI; ctx: CommandContext & { closeAll(): Promise<void> }; dir: string }> {
  const srv = await startFakeOpenAI();
  const dir = tmp(t);
  writeEchoSkill(join(dir, "skills"));
  writeEchoSkill(join(dir, "skills"), { name: "shout" });
  const models = (extra.models ?? {}) as { providers?: Record<string, unknown> };
  const cfg = writeFile(join(dir, "openclaw.json"), {
    agentDefaults: { workspace: "./workspace", model: "openai/gpt-4o-mini", ...(extra.agentDefaults ?? {}) },
    models: { ...models, providers: { openai: { baseURL: srv.url, maxRetries: 0, timeoutMs: 10_000 }, scripted: { scriptsDir: "./scripts" }, ...(models.providers ?? {}) } },
    skills: { dirs: ["./skills"], bundled: false },
    stateDir: "./state",
    audit: { path: "./state/audit.jsonl" },
  });
  writeFile(join(dir, "workspace", ".keep"), "");
  const ctx = makeContext({ host: "kernel", cwd: dir, env: { PATH: process.env.PATH, OPENAI_API_KEY: KEY }, configPath: cfg });
  t.after(async () => {
    await ctx.closeAll();
    await srv.close();
  });
  return { srv, ctx, dir };
}

