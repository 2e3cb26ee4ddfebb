import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
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

/** Is `p` the folder `dir` or inside it (both absolute, compared as given)? */
export function isInside(dir: string, p: string): boolean {
  const rel = relative(dir, p);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The real path of `p`, or of its deepest existing ancestor with the rest appended. */
export function realOrResolved(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    const up = resolve(abs, "..");
    return up === abs ? abs : join(realOrResolved(up), relative(up, abs));
  }
}
