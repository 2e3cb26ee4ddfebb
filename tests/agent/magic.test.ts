import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tmp, writeFile } from "../helpers/index.js";
import { SCRIPTS, writeEchoSkill } from "../fixtures/models/runtime.js";
import { dispatch } from "../../magics/dispatch.js";
import { makeContext } from "../../magics/commands/context.js";
import type { RuntimeEvent } from "../../runtime/events.js";

test("%%openclaw agent: the cell body is the prompt; live events reach the front door; the result renders as HTML", async (t) => {
  const dir = tmp(t);
  writeEchoSkill(join(dir, "skills"));
  const cfg = writeFile(join(dir, "openclaw.json"), {
    agentDefaults: { workspace: "./workspace", model: "openai/gpt-4o-mini" },
    models: { providers: { scripted: { scriptsDir: SCRIPTS } } },
    skills: { dirs: ["./skills"], bundled: false },
    stateDir: "./state",
    audit: { path: "./state/audit.jsonl" },
  });
  writeFile(join(dir, "workspace", ".keep"), "");
  const live: RuntimeEvent[] = [];
  const ctx = makeContext({ host: "kernel", cwd: dir, env: { PATH: process.env.PATH }, configPath: cfg, emit: (e) => live.push(e) });
  t.after(() => ctx.closeAll());
  const { result } = await dispatch("agent --model scripted/escape-attempt.json", ctx, { body: "Please try\nsomething risky." });
  assert.equal(result.command, "agent");
  assert.equal(result.exitCode, 0);
  const data = result.data as any;
  assert.equal(data.events[0].prompt, "Please try\nsomething risky.");
  assert.ok(live.some((e) => e.type === "tool.call") && live.some((e) => e.type === "turn.end"));
  assert.match(result.html!, /oc-agent/);
  assert.match(result.html!, /SCRIPTED/);
  assert.match(result.markdown!, /scripted replay/);
  const models = await dispatch("models list", ctx);
  assert.match(models.result.html!, /oc-models/);
  assert.ok((models.result.data as any).models.some((m: any) => m.ref === "scripted/escape-attempt.json"));
});
