/**
 * Third-party packages that load faster as one file. The yaml package is ~145 CommonJS
 * modules; the build bundles it into dist/vendor/yaml.cjs (scripts/gen-validators.mjs),
 * which loads in a fraction of the time. The bundle is used only while its recorded version
 * is the installed package's (a dependency updated without a rebuild uses the package);
 * without a build (tests under tsx) the package itself is loaded.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { packageRoot } from "./paths.js";
import { requireWithCodeCache } from "./code-cache.js";

const require = createRequire(import.meta.url);

export function loadYaml(): typeof import("yaml") {
  const file = join(packageRoot(), "dist", "vendor", "yaml.cjs");
  if (existsSync(file)) {
    try {
      const installed = (JSON.parse(readFileSync(require.resolve("yaml/package.json"), "utf8")) as { version: string }).version;
      // its parser compiled from the code cache of the last run (runtime/code-cache.ts)
      const mod = requireWithCodeCache<typeof import("yaml") & { vendoredVersion?: string }>(file);
      if (mod.vendoredVersion === installed) return mod;
    } catch {
      /* fall back to the package */
    }
  }
  return require("yaml") as typeof import("yaml");
}
