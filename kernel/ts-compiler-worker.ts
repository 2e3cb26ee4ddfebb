/**
 * The TypeScript compiler on its own thread: tslab's converter (a TypeScript language
 * service) loads here, so warming it up after kernel_info never blocks the kernel's
 * main thread, and a cell's type-check does not stall magics or the wire. The main
 * thread sends requests (convert, complete, inspect, isComplete) and gets plain data back.
 */
import { createHash } from "node:crypto";
import { chmodSync, closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import vm from "node:vm";
import { parentPort } from "node:worker_threads";
import { codeCacheDir, safeCacheDir } from "../runtime/cache-dir.js";

export type CompilerOp = "warm" | "convert" | "complete" | "inspect" | "isComplete" | "stats";
export interface CompilerRequest {
  id: number;
  op: CompilerOp;
  args: unknown[];
}
export type CompilerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

interface ConverterModule {
  createConverter(): {
    convert(prevDecl: string, src: string): unknown;
    complete(prevDecl: string, src: string, position: number): unknown;
    inspect(prevDecl: string, src: string, position: number): unknown;
    close(): void;
  };
  isCompleteCode(src: string): unknown;
}

const port = parentPort!;
const require = createRequire(import.meta.url);
let mod: ConverterModule | undefined;
let conv: ReturnType<ConverterModule["createConverter"]> | undefined;
let saveCodeCache: (() => void) | undefined;
/** What happened to the code cache on this load (the warm op returns it; tests read it). */
let codeCache: "off" | "used" | "written" | "rejected" | "ignored" | "failed" = "off";
const load = () => (mod ??= (preloadTypeScript(), loadConverter()));

/**
 * How many cells' ES -> CommonJS step took the fast path (kernel/assets/ts-fast-cjs.cjs) and how
 * many the full transform; how many cells with declarations built one program, and how many fell back to tslab's two.
 */
const cjsStats = { fast: 0, full: 0 };
const passStats = { one: 0, fallback: 0 };

interface FastCjsModule {
  fastCommonJS(ts: unknown, js: string, target?: number): string | undefined;
  cellLocals(ts: unknown, fileName: string, text: string, target: number): string[];
  patchConverter(src: string): { src: string; applied: string[] };
  PARAMS: string[];
}

/**
 * tslab's converter, loaded with kernel/assets/ts-fast-cjs.cjs's patches: the fast ES ->
 * CommonJS step for cells whose only module syntax is tslab's own (anything else, or any
 * failure of it, takes tslab's transpileModule as before), and one program per cell with
 * declarations instead of two. A patch whose line is not in the converter is not applied; a
 * missing helper loads it unpatched.
 */
function loadConverter(): ConverterModule {
  const file = require.resolve("tslab/dist/converter.js");
  try {
    const helpers = require("../../kernel/assets/ts-fast-cjs.cjs") as FastCjsModule;
    const { src } = helpers.patchConverter(readFileSync(file, "utf8"));
    const fastCjs = (ts: unknown, js: string, target?: number): string | undefined => {
      let out: string | undefined;
      try {
        out = helpers.fastCommonJS(ts, js, target);
      } catch {
        out = undefined;
      }
      if (out === undefined) cjsStats.full++;
      else cjsStats.fast++;
      return out;
    };
    const locals = (ts: unknown, fileName: string, text: string, target: number): string[] => {
      try {
        return helpers.cellLocals(ts, fileName, text, target);
      } catch {
        return []; // tslab's two passes
      }
    };
    const passes = (one: boolean) => void (one ? passStats.one++ : passStats.fallback++);
    const M = Module as unknown as { new (id: string, parent: unknown): NodeJS.Module; _nodeModulePaths(d: string): string[] };
    const m = new M(file, null);
    m.filename = file;
    m.paths = M._nodeModulePaths(dirname(file));
    const fn = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname, ${helpers.PARAMS.join(", ")}) {${src}\n})`, { filename: file }) as (...a: unknown[]) => void;
    fn.call(m.exports, m.exports, createRequire(file), m, file, dirname(file), fastCjs, locals, passes);
    m.loaded = true;
    require.cache[file] = m;
    return m.exports as ConverterModule;
  } catch {
    return require(file) as ConverterModule;
  }
}
const converter = () => (conv ??= load().createConverter());

/** Where the V8 code cache lives (runtime/cache-dir.ts; re-exported for callers of this module). */
export { codeCacheDir };

/**
 * Loads tslab's typescript.js into require's cache through a vm.Script with V8 cachedData
 * (Node 20 has no module.enableCompileCache). The cache is keyed by the file's hash, the
 * Node version and the architecture; V8 rejects data that does not match the source or its
 * flags, and a rejected or missing cache is rewritten after the first convert (so it holds
 * the functions the first cell compiled too). Any failure falls back to a plain require.
 */
function preloadTypeScript(): void {
  const dir = codeCacheDir();
  if (!dir) return;
  try {
    const tsPath = createRequire(require.resolve("tslab/dist/converter.js")).resolve("@tslab/typescript-for-tslab");
    if (require.cache[tsPath]) return;
    const src = readFileSync(tsPath, "utf8");
    const key = createHash("sha256").update(src).update(`\0${process.version}\0${process.arch}`).digest("hex").slice(0, 24);
    const file = join(dir, `typescript-${key}.v8cache`);
    // V8 runs cached data of the right length from anyone: only a file of ours, writable by
    // nobody else, in a folder of ours writable by nobody else, is read (else it is ignored).
    const safeDir = safeCacheDir(dir, false);
    let cachedData: Buffer | undefined;
    let ignored = false;
    // A folder that exists but is not safe is neither read nor written; one that is absent is created (safely) on save.
    const writable = !!safeDir || !lstatSync(dir, { throwIfNoEntry: false });
    if (safeDir) {
      let fd: number | undefined;
      try {
        fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
        const st = fstatSync(fd);
        if (st.isFile() && (process.getuid === undefined || st.uid === process.getuid()) && (st.mode & 0o022) === 0) cachedData = readFileSync(fd);
        else ignored = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") ignored = true;
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    } else if (!writable) ignored = true;
    const script = new vm.Script(Module.wrap(src), { filename: tsPath, cachedData });
    codeCache = ignored ? "ignored" : !cachedData ? "written" : script.cachedDataRejected ? "rejected" : "used";
    const M = Module as unknown as { new (id: string, parent: unknown): NodeJS.Module; _nodeModulePaths(d: string): string[] };
    const m = new M(tsPath, null);
    m.filename = tsPath;
    m.paths = M._nodeModulePaths(dirname(tsPath));
    const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: NodeJS.Module, f: string, d: string) => void;
    fn.call(m.exports, m.exports, createRequire(tsPath), m, tsPath, dirname(tsPath));
    m.loaded = true;
    require.cache[tsPath] = m;
    // An ignored file in a safe folder is replaced by one of ours (rename: its inode is not written through).
    if (writable && (!cachedData || script.cachedDataRejected)) {
      saveCodeCache = () => {
        saveCodeCache = undefined;
        try {
          // Never into a folder that is not ours or that others may write.
          if (!safeCacheDir(dir, true)) throw new Error("unsafe cache folder");
          const tmp = `${file}.${process.pid}.tmp`;
          writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
          chmodSync(tmp, 0o600);
          renameSync(tmp, file);
        } catch {
          // A cache we cannot write only costs the next start its compile time.
          codeCache = "failed";
        }
      };
    }
  } catch {
    // Fall back to tslab's own require of typescript.js.
    codeCache = "failed";
  }
}

/**
 * Runs f on the converter; when a folder TypeScript watches changed (a module a cell imports
 * was created), tslab's one-timer host throws "Unexpected pending rebuildTimer" on every later
 * request: that converter is closed and a new one (which sees the folder as it is) answers.
 */
function withConverter<T>(f: (c: ReturnType<ConverterModule["createConverter"]>) => T): T {
  try {
    return f(converter());
  } catch (e) {
    if (!String((e as Error)?.message).includes("Unexpected pending rebuildTimer")) throw e;
    try {
      conv?.close();
    } catch {
      /* its watchers are gone with it either way */
    }
    conv = undefined;
    return f(converter());
  }
}

function handle(op: CompilerOp, args: unknown[]): unknown {
  switch (op) {
    case "warm":
      // Loads the compiler and type-checks the prelude once, so the first cell pays neither.
      withConverter((c) => c.convert(args[0] as string, "0"));
      saveCodeCache?.();
      return { codeCache };
    case "convert": {
      const r = withConverter((c) => c.convert(args[0] as string, args[1] as string));
      saveCodeCache?.();
      return r;
    }
    case "complete":
      return withConverter((c) => c.complete(args[0] as string, args[1] as string, args[2] as number));
    case "inspect":
      return withConverter((c) => c.inspect(args[0] as string, args[1] as string, args[2] as number) ?? null);
    case "isComplete":
      return load().isCompleteCode(args[0] as string);
    case "stats":
      return { cjs: { ...cjsStats }, passes: { ...passStats } };
  }
}

port.on("message", (m: CompilerRequest) => {
  let reply: CompilerReply;
  try {
    // JSON round trip: the converter's results are plain data, but may carry functions or class instances we never read.
    reply = { id: m.id, ok: true, value: JSON.parse(JSON.stringify(handle(m.op, m.args) ?? null)) };
  } catch (e) {
    reply = { id: m.id, ok: false, message: (e as Error)?.stack ?? String(e) };
  }
  port.postMessage(reply);
});
