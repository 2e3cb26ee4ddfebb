import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ExecManager } from "../../runtime/exec/index.js";
import { makeExec } from "./setup.js";

test("a stdout flood is capped on disk (tools.exec.maxLogBytes) and another process's `exec log` reads the tail", { timeout: 60_000 }, async (t) => {
  const a = makeExec(t, { backgroundMs: 50, maxLogBytes: 65536, maxOutputBytes: 4096 });
  const total = 4 * 1024 * 1024;
  const script = `const b = Buffer.alloc(65536, 120); let n = 0; const w = () => { while (n < ${total}) { n += b.length; if (!process.stdout.write(b)) return process.stdout.once("drain", w); } process.stdout.write("\\nEND-MARKER\\n"); }; w();`;
  const r = await a.ex.run({ argv: [process.execPath, "-e", script] });
  assert.equal(r.status, "running");
  const fin = await a.ex.wait(r.id);
  assert.equal(fin.status, "ok");
  assert.equal(fin.stdoutBytes, total + "\nEND-MARKER\n".length);
  const dir = fin.logDir!;
  const onDisk = readdirSync(dir).filter((f) => f.startsWith("stdout.log")).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
  assert.ok(onDisk <= 65536, `the log on disk is capped (${onDisk} bytes for ${total} written)`);
  // Another process on the same state dir: the tail, the whole stream's size and hash from meta.json.
  const b = new ExecManager({ config: a.ex.config, workspace: a.workspace, stateDir: a.stateDir, emit: () => undefined });
  t.after(() => b.close());
  const seen = await b.log(r.id);
  assert.match(seen.stdout, /END-MARKER\n$/);
  assert.ok(seen.stdout.length <= 4096);
  assert.equal(seen.stdoutBytes, fin.stdoutBytes);
  assert.equal(seen.stdoutSha256, fin.stdoutSha256);
  assert.equal(seen.truncated, true);
});
