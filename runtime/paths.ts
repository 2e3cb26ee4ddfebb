import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/**
 * The package's root folder (where package.json, schemas/ and skills/ live). Found by
 * walking up from this file so it works from both `dist/runtime` and `runtime/` (tsx).
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, "utf8")).name === "openclaw-kernel") return (root = dir);
      } catch {
        /* keep walking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("openclaw-kernel: cannot find the package root (package.json)");
    dir = up;
  }
}

export function schemaPath(name: string): string {
  return join(packageRoot(), "schemas", name);
}

export function readSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaPath(name), "utf8"));
}

export function bundledSkillsDir(): string {
  return join(packageRoot(), "skills");
}
