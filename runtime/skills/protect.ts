/**
 * Pure helpers for what the sandbox keeps read-only and what apply_patch may never
 * touch, by real path. The choke point (registry today, the governor later) calls them.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { realOrResolved } from "../paths.js";
import { indexDirFor } from "../rag/store.js";

export { realOrResolved };

/**
 * This workspace's RAG index folder, and only it: <stateDir>/rag/<hash of the workspace
 * as configured> (runtime/rag/store.ts indexDirFor). Other workspaces' indexes under the
 * same state dir stay hidden in the sandbox.
 */
export function ragIndexDir(stateDir: string, workspace: string): string {
  return indexDirFor(stateDir, workspace);
}

/** Folders never descended into when looking for nested repositories (big, and not repositories). */
const SKIP = new Set(["node_modules", ".venv", "venv", "__pycache__"]);

/**
 * Every `.git` (folder or gitfile) in the workspace: the workspace's own (listed even when
 * absent, so the sandbox can keep it uncreatable) and nested repositories' down to
 * `maxDepth` folders, at most `maxDirs` folders scanned. Real paths.
 */
export function gitDirsIn(workspace: string, opts: { maxDepth?: number; maxDirs?: number } = {}): string[] {
  const maxDepth = opts.maxDepth ?? 6;
  let budget = opts.maxDirs ?? 5000;
  const root = realOrResolved(workspace);
  const out = [join(root, ".git")];
  const walk = (dir: string, depth: number) => {
    if (depth > maxDepth || budget-- <= 0) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === ".git") {
        if (dir !== root) out.push(join(dir, e.name));
        continue;
      }
      if (e.isDirectory() && !SKIP.has(e.name)) walk(join(dir, e.name), depth + 1);
    }
  };
  walk(root, 0);
  return out;
}
