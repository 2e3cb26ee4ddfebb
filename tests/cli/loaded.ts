// Every file a CLI process loads (ESM through a loader hook, CommonJS through require's cache at
// exit), for the tests of what each command pays for at start (start-loads.test.ts, lazy-table.test.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CLI, ROOT, tmp } from "../helpers/index.js";

/**
 * Runs `openclaw-kernel ARGS` (its exit code must be one of `codes`); the absolute paths of what it loaded, and its stdout.
 * The ES modules' graph unless `bundle` (doctor and config validate run from dist/bin/cli-doctor.cjs and cli-validate.cjs by default: bin/openclaw-kernel; the
 * graph is what a stale bundle, OPENCLAW_CLI_BUNDLE=0 and every other command run, and what the bundle is made of).
 */
export function loadedBy(t: { after(fn: () => void): void }, args: string[], codes = [0, 1], opts: { bundle?: boolean } = {}): { files: string[]; stdout: string } {
  const d = tmp(t);
  const out = join(d, "loaded.txt");
  writeFileSync(out, "");
  const hooks = join(d, "hooks.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) {\n  appendFileSync(${JSON.stringify(out)}, url + "\\n");\n  return next(url, context);\n}\n`,
  );
  const preload = join(d, "preload.mjs");
  writeFileSync(
    preload,
    `import { register, createRequire } from "node:module";\nimport { appendFileSync } from "node:fs";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\nconst cache = createRequire(import.meta.url).cache;\nprocess.on("exit", () => appendFileSync(${JSON.stringify(out)}, Object.keys(cache).join("\\n") + "\\n"));\n`,
  );
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(preload).href, CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, OPENCLAW_CONFIG: "", OPENCLAW_DOCTOR_CACHE: "0", OPENCLAW_CLI_BUNDLE: opts.bundle ? "" : "0" },
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.ok(codes.includes(r.status!), `${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  const files = readFileSync(out, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((u) => (u.startsWith("file://") ? new URL(u).pathname : u));
  return { files, stdout: r.stdout };
}
