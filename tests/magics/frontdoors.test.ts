// Terminal-only commands and the direction of imports: `install` and `kernel` keep their
// grammar in magics/ (help, README) but their code lives with the CLI entry, so nothing
// in magics/ or runtime/ imports kernel/; in a cell they say they are CLI-only.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { dispatch } from "../../magics/dispatch.js";
import { makeContext } from "../../magics/commands/context.js";
import { ROOT, tmp } from "../helpers/index.js";

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

test("`%openclaw install` (and kernel, gateway run) in a cell says CLI-only, not 'unknown command'", async (t) => {
  const dir = tmp(t);
  const k = makeContext({ host: "kernel", cwd: dir, env: {} });
  t.after(() => k.closeAll());
  for (const line of ["install", "install --user", "kernel --connection-file x.json", "gateway run"]) {
    await assert.rejects(dispatch(line, k), (e: any) => {
      assert.equal(e.exitCode, 2, line);
      assert.match(e.message, /is CLI-only/, line);
      assert.doesNotMatch(e.message, /unknown command/, line);
      assert.match(e.fix ?? "", /openclaw-kernel /, line);
      return true;
    });
  }
  // A front door without the CLI entry's runners cannot run them either: it says so.
  const cli = makeContext({ host: "cli", cwd: dir, env: {} });
  t.after(() => cli.closeAll());
  await assert.rejects(dispatch("install --user", cli), /CLI-only/);
  // Help still lists them for the terminal (README's command reference comes from the same table).
  assert.match((await dispatch("help", cli)).result.text!, /openclaw-kernel install/);
});

test("no file in magics/ or runtime/ imports kernel/, and kernel/client.ts (benchmarks only) lives in bench/", () => {
  for (const area of ["magics", "runtime"]) {
    for (const f of files(join(ROOT, area))) {
      const src = readFileSync(f, "utf8");
      assert.doesNotMatch(src, /(from|import\()\s*["'](\.\.\/)+kernel\//, `${f} imports kernel/`);
    }
  }
  assert.equal(existsSync(join(ROOT, "kernel/client.ts")), false);
  assert.equal(existsSync(join(ROOT, "bench/client.ts")), true);
});

test("magics/ and the gateway methods never reach exec or audit but through the door", () => {
  for (const f of [...files(join(ROOT, "magics")), join(ROOT, "runtime/gateway/methods.ts"), join(ROOT, "runtime/gateway/connection.ts"), ...files(join(ROOT, "runtime/operations"))]) {
    const src = readFileSync(f, "utf8");
    assert.doesNotMatch(src, /\.(exec|audit)\(\)/, `${f} calls runtime.exec() or runtime.audit()`);
  }
});

test("%%openclaw skill registers its body through the skills.register operation", async (t) => {
  const dir = tmp(t);
  const k = makeContext({ host: "kernel", cwd: dir, env: {} });
  t.after(() => k.closeAll());
  const body = "---\nname: hello-cell\ndescription: says hello\nexec:\n  cmd: echo hello\n---\n# hello\n";
  const r = (await dispatch("skill", k, { body })).result;
  assert.equal(r.command, "skill");
  assert.equal((r.data as { name: string }).name, "hello-cell");
  const listed = (await dispatch("skills list --json", k)).result.data as { skills: Array<{ name: string }> };
  assert.ok(listed.skills.some((s) => s.name === "hello-cell"));
  await assert.rejects(dispatch("skills register", k), /skills register needs PATH/);
});
