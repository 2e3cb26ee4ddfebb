/**
 * The CLI as one CommonJS file per command whose start it shortens (issue 18, CLI start),
 * written by the build after tsc (scripts/gen-validators.mjs calls it last):
 *
 * - dist/bin/cli-doctor.cjs, cli-validate.cjs and cli-rag.cjs, for doctor, config validate and the rag commands: the closure of
 *   dist/bin/openclaw-kernel.js (every static and dynamic import of the package's own modules, so
 *   one process never holds two copies of a module: one class OpenClawError, one table) without
 *   the dynamic imports only other commands reach (the other command groups and the whole
 *   grammar, the terminal-only commands, the kernel; for config validate also the runtime):
 *   ~140 and 25 modules instead of ~170. Reaching one of those is an error naming it; it cannot
 *   happen for that command while the command table is current, which bin/openclaw-kernel checks
 *   before it picks the file.
 *
 * bin/openclaw-kernel loads them through runtime/code-cache.ts (dist/bin/code-cache.cjs, made
 * here too), whose V8 data holds the functions that command ran: one file read and no
 * compiling, instead of ES modules compiled (Node 20) or read from Node 22's compile cache one
 * by one, each of which still compiles its functions on first call. Packages and node builtins
 * stay require()s, made where the module that needs them first runs. Each module keeps its own
 * import.meta.url (its file in dist/), so paths it finds from its own place (schemas,
 * validators, workers, the cli table) are the same as when it runs as an ES module.
 *
 * dist/bin/cli-bundle.json records every input's size per bundle (and, for a bundle that
 * leaves the grammar out, the command table's sources): the launcher uses a bundle only while
 * every input is as it was and none is newer than the bundle (a `tsc` rebuild alone makes it
 * stale; the launcher then runs the ES modules).
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";

/** Dynamic imports doctor never reaches while the command table is current (bin/openclaw-kernel.ts, bin/cli-table.ts, magics/commands/help.ts). */
const NOT_FOR_DOCTOR = [/\/magics\/commands\/(?!help\.js$|doctor\.js$)[^/]+\.js$/, /\/bin\/cli-commands\.js$/, /\/kernel\//];
/** ... and the rag commands (a fresh `rag query` is the path issue 17 times). */
const NOT_FOR_RAG = [/\/magics\/commands\/(?!help\.js$|rag\.js$)[^/]+\.js$/, /\/bin\/cli-commands\.js$/, /\/kernel\//];
/** ... and config validate, which runs without the operation table and the runtime (magics/commands/context.ts). */
const NOT_FOR_VALIDATE = [/\/magics\/commands\/(?!help\.js$)[^/]+\.js$/, /\/bin\/cli-commands\.js$/, /\/kernel\//, /\/runtime\/runtime\.js$/];

export async function writeCliBundle(root) {
  const require = createRequire(join(root, "package.json"));
  const { build } = require("esbuild");
  const dist = join(root, "dist");
  const banner = { js: 'const __oc_url = require("node:url"), __oc_path = require("node:path");' };
  const plugin = (out, cut, tag) => ({
    name: "cli-bundle",
    setup(b) {
      if (cut.length) {
        b.onResolve({ filter: /^\./ }, (a) => {
          if (a.kind !== "dynamic-import") return undefined;
          const abs = join(a.resolveDir, a.path);
          return cut.some((re) => re.test(abs)) ? { path: abs, namespace: "left-out" } : undefined;
        });
        b.onLoad({ filter: /.*/, namespace: "left-out" }, (a) => ({
          contents: `throw new Error(${JSON.stringify(`internal: ${relative(dist, out)} was made for ${tag}; ${relative(dist, a.path)} is not in it (run npm run build, or set OPENCLAW_CLI_BUNDLE=0)`)});`,
          loader: "js",
        }));
      }
      b.onLoad({ filter: /\.js$/ }, (args) => {
        let src = readFileSync(args.path, "utf8");
        if (src.includes("import.meta.url")) {
          const rel = relative(dirname(out), args.path);
          src = src.replaceAll("import.meta.url", `__oc_url.pathToFileURL(__oc_path.join(__dirname, ${JSON.stringify(rel)})).href`);
        }
        return { contents: src, loader: "js" };
      });
    },
  });
  const bundle = async (entry, file, cut, tag) => {
    const out = join(dist, "bin", file);
    const r = await build({
      entryPoints: [join(dist, entry)],
      bundle: true,
      format: "cjs",
      platform: "node",
      target: "node20",
      outfile: out,
      absWorkingDir: root,
      packages: "external",
      metafile: true,
      plugins: [plugin(out, cut, tag)],
      banner,
      // import.meta.resolve is used only when running from the .ts sources (runtime/models/llamacpp.ts under tsx).
      logOverride: { "empty-import-meta": "silent" },
      logLevel: "warning",
    });
    // ASCII only: one non-ASCII character (a dash in a regex, one in a comment) makes V8 hold the whole
    // source as two-byte text, decoded from UTF-8 on every load (~4 ms for the doctor's). \uXXXX means the
    // same character in a string, a template, a regex, an identifier or a comment.
    const text = readFileSync(out, "utf8");
    // Every import() left in a bundle must load a package or a builtin: one of the package's own
    // modules loaded beside the bundle would be a second copy of it (a variable specifier, which
    // esbuild cannot follow, would do that).
    for (const m of text.matchAll(/\bimport\(([^)]{0,80})\)/g)) {
      // runtime/code-cache.ts's importer, which a module it runs asks for packages and builtins
      if (m[1] === "specifier" && text.slice(m.index - 20, m.index).includes("(specifier) =>")) continue;
      if (!/^"(node:[\w/]+|@?[\w.-]+(\/[\w.-]+)*)"$/.test(m[1]) || m[1].startsWith('".'))
        throw new Error(`cli bundle ${file}: import(${m[1]}) is not a package or a builtin; keep such imports out of ${tag}'s modules or leave them out of the bundle`);
    }
    // Code run from a vm.Script has no import() of its own (node wants an experimental flag for one):
    // runtime/code-cache.ts hands the module an importer of its own ES module (module.__ocImport);
    // a plain require() of the file uses the file's own import().
    // "use strict" first: the ES modules it is made from are strict code (esbuild put it after the banner).
    const withImporter = `"use strict";\nconst __oc_import = module.__ocImport || ((s) => import(s));\n${text.replace(/\bimport\(("[^"]+")\)/g, "__oc_import($1)")}`;
    writeFileSync(
      out,
      withImporter.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    );
    const inputs = {};
    for (const p of Object.keys(r.metafile.inputs)) {
      if (p.startsWith("left-out:")) continue;
      const abs = join(root, p);
      if (!abs.startsWith(dist + "/")) throw new Error(`cli bundle: unexpected input ${p} (packages stay external)`);
      inputs[relative(dist, abs)] = statSync(abs).size;
    }
    return { file: `bin/${file}`, size: statSync(out).size, inputs };
  };
  const doctor = await bundle("bin/openclaw-kernel.js", "cli-doctor.cjs", NOT_FOR_DOCTOR, "doctor");
  const validate = await bundle("bin/openclaw-kernel.js", "cli-validate.cjs", NOT_FOR_VALIDATE, "config validate");
  const rag = await bundle("bin/openclaw-kernel.js", "cli-rag.cjs", NOT_FOR_RAG, "rag");
  // The grammar they leave out is read from the command table: each is used only while the table is current.
  const table = JSON.parse(readFileSync(join(dist, "bin", "cli-table.json"), "utf8"));
  doctor.table = validate.table = rag.table = { file: "bin/cli-table.json", sources: table.sources };
  // Their loader for the launcher: runtime/code-cache.ts (and the cache-folder rules) as CommonJS.
  const loader = await bundle("runtime/code-cache.js", "code-cache.cjs", [], "the launcher");
  writeFileSync(join(dist, "bin", "cli-bundle.json"), JSON.stringify({ loader, bundles: { doctor, "config-validate": validate, rag } }) + "\n");
  return { doctor: Object.keys(doctor.inputs).length, validate: Object.keys(validate.inputs).length, rag: Object.keys(rag.inputs).length };
}
