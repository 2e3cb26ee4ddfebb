/**
 * The CLI as one CommonJS file (dist/bin/cli.cjs), written by the build after tsc
 * (scripts/gen-validators.mjs calls it last). bin/openclaw-kernel runs it for the commands
 * whose start it shortens (doctor, config validate, help: issue 18, CLI start) and loads it
 * through runtime/code-cache.ts, whose V8 data holds the functions that command ran: one
 * file read and no compiling, instead of ~30-90 ES modules compiled (Node 20) or read from
 * Node 22's compile cache one by one, each of which still compiles its functions on first call.
 *
 * The bundle is the whole closure of dist/bin/openclaw-kernel.js (every static and dynamic
 * import of the package's own modules), so one process never holds two copies of a module
 * (one class OpenClawError, one table). Packages and node builtins stay require()s, made
 * where the module that needs them first runs. Each module keeps its own import.meta.url
 * (its file in dist/), so paths it finds from its own place (schemas, validators, workers,
 * the cli table) are the same as when it runs as an ES module. dist/bin/cli-bundle.json
 * records every input's size: bin/openclaw-kernel uses the bundle only while every input is
 * as it was and none is newer than the bundle (a `tsc` rebuild alone makes it stale; the
 * launcher then runs the ES modules).
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";

export async function writeCliBundle(root) {
  const require = createRequire(join(root, "package.json"));
  const { build } = require("esbuild");
  const dist = join(root, "dist");
  const out = join(dist, "bin", "cli.cjs");
  const ownUrl = {
    name: "own-import-meta-url",
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, (args) => {
        let src = readFileSync(args.path, "utf8");
        if (src.includes("import.meta.url")) {
          const rel = relative(dirname(out), args.path);
          src = src.replaceAll("import.meta.url", `__oc_url.pathToFileURL(__oc_path.join(__dirname, ${JSON.stringify(rel)})).href`);
        }
        return { contents: src, loader: "js" };
      });
    },
  };
  const r = await build({
    entryPoints: [join(dist, "bin", "openclaw-kernel.js")],
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    outfile: out,
    absWorkingDir: root,
    packages: "external",
    metafile: true,
    plugins: [ownUrl],
    banner: { js: 'const __oc_url = require("node:url"), __oc_path = require("node:path");' },
    // import.meta.resolve is used only when running from the .ts sources (runtime/models/llamacpp.ts under tsx).
    logOverride: { "empty-import-meta": "silent" },
    logLevel: "warning",
  });
  const inputs = {};
  for (const p of Object.keys(r.metafile.inputs)) {
    const abs = join(root, p);
    if (!abs.startsWith(dist + "/")) throw new Error(`cli bundle: unexpected input ${p} (packages stay external)`);
    inputs[relative(dist, abs)] = statSync(abs).size;
  }
  writeFileSync(join(dist, "bin", "cli-bundle.json"), JSON.stringify({ bundle: "bin/cli.cjs", size: statSync(out).size, inputs }) + "\n");
  return Object.keys(inputs).length;
}
