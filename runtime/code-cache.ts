/**
 * require() of one of the build's one-file CommonJS modules (dist/vendor/yaml.cjs) with a V8
 * code cache that holds the functions the process ran, not only the top level.
 *
 * Node 22's compile cache (bin/openclaw-kernel) stores a module's code as compiled at load
 * time; V8 compiles most functions lazily, on their first call, so a CLI process that parses
 * one SKILL.md still compiles yaml's parser every time (~10 ms on Node 22, more on Node 20,
 * which has no compile cache). Here the module runs from a vm.Script whose cached data is
 * written when the process exits (after its functions ran), into the package cache folder
 * (runtime/cache-dir.ts: a folder of this user nobody else may write; OPENCLAW_TS_CODE_CACHE=0
 * turns it off) and read back by the next process.
 *
 * The cache file is named after the module, its path and the node, and keyed by its stat stamp (device, inode, size,
 * mtime and ctime in ns), Node's version and the architecture, written at the head of the
 * file: a rebuilt module, another node or a file from elsewhere is a miss, and V8 itself
 * rejects data that does not fit the source or its flags. A miss or a rejected cache is
 * rewritten at exit; any failure falls back to a plain require.
 */
import { isAscii } from "node:buffer";
import { lstatSync, readFileSync, statSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { basename, dirname } from "node:path";
import vm from "node:vm";
import { codeCacheDir, readCacheFile, safeCacheDir, writeCacheFile } from "./cache-dir.js";

const require = createRequire(import.meta.url);

/** What the last load of each file did with its cache (tests, benchmarks). */
export const codeCacheUse = new Map<string, "used" | "written" | "rejected" | "off">();

/**
 * The file's module, from require's cache when it is there, else through the code cache.
 * `tag` names one cache of several for the same file (the CLI bundle keeps one per command, each
 * holding what that command runs). An error thrown by the module's own code is the caller's (the
 * module never runs twice); only reading or compiling it through the cache falls back to require.
 */
export function requireWithCodeCache<T>(file: string, env: NodeJS.ProcessEnv = process.env, tag = ""): T {
  if (require.cache[file]) return require(file) as T;
  const dir = codeCacheDir(env);
  // A folder that exists but is not safe is neither read nor written.
  if (!dir || (!safeCacheDir(dir, false) && lstatSync(dir, { throwIfNoEntry: false }))) {
    codeCacheUse.set(file, "off");
    return require(file) as T;
  }
  let script: vm.Script;
  let stamp: Buffer;
  let name: string;
  let cachedData: Buffer | undefined;
  try {
    const st = statSync(file, { bigint: true });
    stamp = Buffer.from(`${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${process.version}:${process.arch}\n`);
    // one file per module path, tag and node (package copies and node versions do not take turns overwriting one)
    name = `${basename(file)}-${tag ? `${tag}-` : ""}${fnv1a(`${file}\0${process.version}\0${process.arch}`)}.v8cache`;
    const stored = readCacheFile(dir, name);
    cachedData = stored && stored.length > stamp.length && stored.subarray(0, stamp.length).equals(stamp) ? stored.subarray(stamp.length) : undefined;
    // The build's bundles are ASCII: read as one-byte text, without decoding UTF-8.
    const bytes = readFileSync(file);
    script = new vm.Script(Module.wrap(bytes.toString(isAscii(bytes) ? "latin1" : "utf8")), { filename: file, cachedData });
  } catch {
    codeCacheUse.set(file, "off");
    return require(file) as T;
  }
  const M = Module as unknown as { new (id: string, parent: unknown): NodeJS.Module; _nodeModulePaths(d: string): string[] };
  const m = new M(file, null);
  m.filename = file;
  m.paths = M._nodeModulePaths(dirname(file));
  const use = !cachedData ? "written" : script.cachedDataRejected ? "rejected" : "used";
  codeCacheUse.set(file, use);
  // At exit the script's functions that ran are compiled: the data holds them too.
  if (use !== "used") process.once("exit", () => void writeCacheFile(dir, name, Buffer.concat([stamp, script.createCachedData()])));
  // import() in code run from a vm.Script needs a callback node only takes with an experimental flag:
  // the module imports through this (ES) module instead (the build's bundles call module.__ocImport).
  (m as NodeJS.Module & { __ocImport?: (specifier: string) => Promise<unknown> }).__ocImport = (specifier) => import(specifier);
  require.cache[file] = m;
  try {
    const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: NodeJS.Module, f: string, d: string) => void;
    fn.call(m.exports, m.exports, createRequire(file), m, file, dirname(file));
  } catch (e) {
    delete require.cache[file];
    throw e;
  }
  m.loaded = true;
  return m.exports as T;
}

/** A short name-part hash (not a check: the stamp inside the file is compared whole). */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}
