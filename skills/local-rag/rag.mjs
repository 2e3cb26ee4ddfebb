#!/usr/bin/env node
// The bundled local-rag skill's script: prints exactly the JSON of `rag query --json`.
// It finds the package from its own path (the exec runner sets cwd to the workspace,
// gives a minimal env and may sandbox it with a read-only root and no network).
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, "..", "..");
const dist = join(pkg, "dist");

function fail(code, name, message, fix, exitCode) {
  process.stdout.write(JSON.stringify({ error: name, code, message, details: [], fix: fix ?? null }, null, 2) + "\n");
  process.stderr.write(`${name}: ${message}${fix ? `\nfix: ${fix}` : ""}\n`);
  process.exit(exitCode);
}

let args;
try {
  args = parseArgs({
    options: { query: { type: "string", short: "q" }, topk: { type: "string", short: "k" }, mode: { type: "string" } },
    allowPositionals: false,
    strict: true,
  }).values;
} catch (e) {
  fail("usage", "UsageError", e.message, 'usage: node rag.mjs --query "QUESTION" [--topk N] [--mode hybrid|dense|lexical]', 2);
}
if (!existsSync(join(dist, "runtime", "index.js"))) fail("not_built", "OpenClawError", `openclaw-kernel is not built (${dist} is missing)`, "run `npm run build` in the package folder", 1);

// The package's public entry (package.json "exports" "."), by its own file: no deep import
// of internal modules, and no dependence on how (or whether) the package is installed.
const { loadConfig, Runtime, OpenClawError, formatError } = await import(pathToFileURL(join(dist, "runtime", "index.js")).href);

const env = process.env;
let rt;
try {
  // Only $OPENCLAW_CONFIG is honoured: an openclaw.json inside the workspace could be
  // written by anyone who can write the workspace, so the search starts from here.
  const loaded = loadConfig({ env, cwd: here });
  const workspace = resolve(env.OPENCLAW_WORKSPACE || process.cwd());
  const config = { ...loaded.config, agentDefaults: { ...loaded.config.agentDefaults, workspace } };
  rt = new Runtime({ ...loaded, config }, { host: "cli", env });
  const topk = args.topk === undefined ? undefined : Number(args.topk);
  const rag = await rt.rag();
  const result = await rag.query(args.query ?? "", { topk, mode: args.mode });
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  await rag.close();
  await rt.close();
} catch (e) {
  if (e instanceof OpenClawError) {
    process.stdout.write(JSON.stringify(e.toJSON(), null, 2) + "\n");
    process.stderr.write(formatError(e) + "\n");
    process.exitCode = e.exitCode;
  } else {
    fail("error", "Error", String(e?.message ?? e), null, 1);
  }
}
