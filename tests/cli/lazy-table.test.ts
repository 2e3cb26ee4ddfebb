// The CLI's lazy command table (bin/cli-table.ts, issue 18 CLI start): a CLI process reads every
// command's grammar from dist/bin/cli-table.json and imports only the command it runs. Checked
// here: what `config validate`, `help` and `doctor` load (a trace of every module the process
// loads), that the table file is the built grammar itself (same fields, same values, same order),
// and that a table older than the modules it was made from is not used. Needs the build (dist/,
// dist/bin/cli-table.json), which npm test makes first.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, utimesSync, writeFileSync, appendFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { ROOT, SEED, tmp } from "../helpers/index.js";
import { loadedBy as traced } from "./loaded.js";
import type { CommandSpec } from "../../magics/types.js";

type CliTable = typeof import("../../bin/cli-table.js");
type Help = typeof import("../../magics/commands/help.js");

const DIST = join(ROOT, "dist");
const CLI = join(ROOT, "bin", "openclaw-kernel");
const fromDist = <T>(rel: string): Promise<T> => import(pathToFileURL(join(DIST, rel)).href) as Promise<T>;

const loadedBy = (t: { after(fn: () => void): void }, args: string[]) => traced(t, args).files;

const rel = (loaded: string[]) => loaded.filter((p) => p.startsWith(ROOT + "/")).map((p) => p.slice(ROOT.length + 1));
const GROUPS = ["help", "config", "doctor", "gateway", "models", "skills", "agent", "rag", "exec", "audit", "secret", "kernel"];
const group = (g: string) => `dist/magics/commands/${g}.js`;

test("config validate loads the config checker and its renderer: no command module, no operation table", (t) => {
  const loaded = rel(loadedBy(t, ["config", "validate", "--config", join(SEED, "openclaw.json")]));
  assert.ok(loaded.includes("dist/bin/cli-table.js") && loaded.includes("dist/magics/render/config-validate.js"), "the CLI's config validate ran");
  assert.ok(loaded.includes("dist/validators/d-openclaw.schema.cjs"), "the precompiled config validator is used");
  assert.ok(!loaded.includes("dist/magics/commands/index.js"), "the whole grammar (every command's module) was imported: the table file was not used");
  for (const g of GROUPS.filter((x) => x !== "help")) assert.ok(!loaded.includes(group(g)), `config validate loaded the ${g} commands`);
  for (const m of ["dist/runtime/operations/table.js", "dist/magics/bind.js", "dist/runtime/operations/services.js"]) assert.ok(!loaded.includes(m), `config validate loaded ${m}`);
  const heavy = loaded.filter((p) => /^dist\/(kernel\/|runtime\/(rag|agent|models|gateway|governor|skills|audit|exec|doctor)\/|runtime\/runtime\.js|magics\/render\/(markdown|transcript|citations|format)\.js)/.test(p) || /node_modules\/(stemmer|yaml|ajv\/dist\/(ajv|core|compile))/.test(p));
  assert.deepEqual(heavy, [], "config validate loaded runtime parts it does not use");
  // A budget, so a new static import on this path is a decision, not an accident (was 62 before the lazy table).
  assert.ok(loaded.length <= 36, `config validate loads ${loaded.length} files (budget 36):\n${loaded.join("\n")}`);
});

test("help reads the grammar from the table file: no command module but help's, no config checker", (t) => {
  const loaded = rel(loadedBy(t, ["help"]));
  assert.ok(loaded.includes("dist/bin/cli-table.js"));
  for (const g of GROUPS.filter((x) => x !== "help")) assert.ok(!loaded.includes(group(g)), `help loaded the ${g} commands`);
  assert.deepEqual(loaded.filter((p) => p.startsWith("dist/runtime/config/") || p.startsWith("dist/validators/")), ["dist/runtime/config/didyoumean.js"], "help loaded the config checker");
  assert.ok(loaded.length <= 20, `help loads ${loaded.length} files (budget 20, was 57 before the lazy table):\n${loaded.join("\n")}`);
});

test("doctor loads the doctor and its checks, not the other commands", (t) => {
  const loaded = rel(loadedBy(t, ["doctor", "--config", join(SEED, "openclaw.json")]));
  assert.ok(loaded.includes("dist/runtime/doctor/index.js"), "the doctor ran");
  for (const g of GROUPS.filter((x) => x !== "doctor" && x !== "help")) assert.ok(!loaded.includes(group(g)), `doctor loaded the ${g} commands`);
  assert.ok(!loaded.some((p) => /^dist\/(kernel\/|magics\/render\/(markdown|transcript|citations)\.js)/.test(p)), "doctor loaded the kernel or the agent's renderers");
});

test("the table file is the built grammar: every command, field and value, in help's order", async () => {
  const table = await fromDist<CliTable>("bin/cli-table.js");
  const onDisk = table.readTable();
  assert.ok(onDisk, "dist/bin/cli-table.json is present and as new as its sources (the build writes it)");
  assert.deepEqual(onDisk, await table.buildCliTable(), "the file differs from the grammar it was made from");
  const { COMMANDS } = await fromDist<{ COMMANDS: CommandSpec[] }>("magics/commands/index.js");
  const lazy = await table.cliTable();
  assert.equal(table.tableKind, "lazy");
  assert.deepEqual(
    lazy.map((c) => c.path.join(" ")),
    COMMANDS.map((c) => c.path.join(" ")),
  );
  const help = await fromDist<Help>("magics/commands/help.js");
  for (const [i, eager] of COMMANDS.entries()) {
    const l = lazy[i]!;
    // Field by field against the live spec (not through JSON), so a grammar value JSON cannot carry would show.
    for (const [k, v] of Object.entries(eager)) if (k !== "run" && k !== "present") assert.deepStrictEqual((l as unknown as Record<string, unknown>)[k], v, `${eager.path.join(" ")}: ${k}`);
    assert.equal(typeof l.present, typeof eager.present, `${eager.path.join(" ")}: present`);
    for (const host of ["cli", "kernel"] as const) assert.deepEqual(help.commandHelp(l, host), help.commandHelp(eager, host));
  }
  assert.deepEqual(help.groupHelp(lazy, undefined, "cli"), help.groupHelp(COMMANDS, undefined, "cli"));
});

test("a table file older than a module it was made from, or of another size, or missing, is not used", async (t) => {
  const table = await fromDist<CliTable>("bin/cli-table.js");
  const real = table.readTable();
  assert.ok(real);
  // A dist-shaped copy: the table file and the modules it records.
  const d = tmp(t);
  const copy = (r: string) => {
    mkdirSync(dirname(join(d, r)), { recursive: true });
    copyFileSync(join(DIST, r), join(d, r));
  };
  for (const r of Object.keys(real.sources)) copy(r);
  copy("bin/cli-table.json");
  const past = new Date(Date.now() - 3600_000);
  for (const r of Object.keys(real.sources)) utimesSync(join(d, r), past, past);
  assert.deepEqual(table.readTable(d), real, "a fresh copy is used");
  // Same mtime everywhere (an npm pack'ed install) is fresh too.
  const same = new Date(499162860000);
  for (const r of [...Object.keys(real.sources), "bin/cli-table.json"]) utimesSync(join(d, r), same, same);
  assert.deepEqual(table.readTable(d), real, "equal mtimes (a packed install) count as fresh");
  // tsc rebuilt a group module after the table was written
  const g = join(d, "magics", "commands", "rag.js");
  utimesSync(g, new Date(), new Date(Date.now() + 5000));
  assert.equal(table.readTable(d), undefined, "a module newer than the table makes it stale");
  utimesSync(g, same, same);
  assert.deepEqual(table.readTable(d), real);
  // a module of another size (edited, same mtime)
  appendFileSync(join(d, "runtime", "operations", "table.js"), "\n");
  utimesSync(join(d, "runtime", "operations", "table.js"), same, same);
  assert.equal(table.readTable(d), undefined, "a module of another size makes it stale");
  assert.equal(table.readTable(join(d, "nowhere")), undefined, "no table file: undefined (the CLI imports the whole grammar)");
  writeFileSync(join(d, "bin", "cli-table.json"), "{not json");
  assert.equal(table.readTable(d), undefined, "a broken table file is not used");
});

// The CLI runs `config validate` without the operation table (bin/openclaw-kernel.ts): its output,
// exit code and errors must be the bound command's, which the kernel and the gateway run.
test("the CLI's config validate answers as the bound command does: text, --json, exit codes, errors", async (t) => {
  const d = tmp(t);
  const files: Record<string, string | undefined> = {
    valid: join(SEED, "openclaw.json"),
    syntax: '{"gateway": {',
    unknownKey: '{"gatewy": {}}',
    unsafe: '{"gateway": {"bind": "0.0.0.0:18789"}}',
    secret: '{"models": {"providers": {"openai": {"baseURL": "https://user:pw@example.com/v1"}}}}',
    missing: undefined,
  };
  const { dispatch } = await fromDist<typeof import("../../magics/dispatch.js")>("magics/dispatch.js");
  const { makeContext } = await fromDist<typeof import("../../magics/commands/context.js")>("magics/commands/context.js");
  const { toJson, toText } = await fromDist<typeof import("../../magics/render/mime.js")>("magics/render/mime.js");
  const { formatError, OpenClawError } = await fromDist<typeof import("../../runtime/errors.js")>("runtime/errors.js");
  const env = { ...process.env, OPENCLAW_CONFIG: "" };
  for (const [name, content] of Object.entries(files)) {
    const path = name === "valid" ? content! : join(d, `${name}.json`);
    if (name !== "valid" && content !== undefined) writeFileSync(path, content);
    for (const json of [false, true]) {
      const argv = ["config", "validate", "--config", path, ...(json ? ["--json"] : [])];
      const ctx = makeContext({ host: "cli", cwd: d, env, isTTY: false });
      let want: { stdout: string; stderr: string; code: number };
      try {
        const { result } = await dispatch(argv, ctx);
        want = { stdout: (json ? toJson(result) : toText(result)) + "\n", stderr: "", code: result.exitCode };
      } catch (e) {
        assert.ok(e instanceof OpenClawError, `${name}: ${String(e)}`);
        want = { stdout: json ? JSON.stringify(e.toJSON(), null, 2) + "\n" : "", stderr: formatError(e) + "\n", code: e.exitCode };
      } finally {
        await ctx.closeAll();
      }
      const r = spawnSync(process.execPath, [CLI, ...argv], { cwd: d, env, encoding: "utf8", timeout: 60_000 });
      assert.deepEqual({ stdout: r.stdout, stderr: r.stderr, code: r.status }, want, `${name}${json ? " --json" : ""}`);
    }
  }
});
