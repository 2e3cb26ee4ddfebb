"use strict";
/**
 * The entry of `node --build-snapshot` for the TypeScript compiler (kernel/ts-snapshot.ts
 * runs it). One snapshot serves every folder: it holds what does not depend on the folder,
 * the loaded typescript.js and tslab's converter and the parsed and bound declaration files
 * (lib, @types/node, the cell prelude's types: ~2.7 MB of .d.ts, most of the first cell's
 * cost). The folder's own part (tslab's converter, whose virtual files, module resolution,
 * type roots and rootDir all come from the cwd) is created after the snapshot loads, in the
 * kernel's folder, by the same code a fresh compiler runs.
 *
 * Truth: every file is still read from disk by that converter; a parse is reused only for
 * the same path with the same text and the same parse options (the lookup compares the
 * whole text), so a cell is checked exactly as by a fresh converter. tslab creates every
 * converter with the same compiler options apart from rootDir and typeRoots, which parsing
 * and binding do not read. The build runs in an empty folder (the job's), so nothing of a
 * user's folder is in the snapshot. The manifest lists every JavaScript file whose code the
 * snapshot holds (size, mtime, ctime and inode); the kernel uses it only while they all hold.
 *
 * argv[2]: the JSON job {manifest, prelude, converter, key, fastCjs} itself (not a file: nobody can swap it).
 * A snapshot script may require only built-in modules, so CommonJS files are loaded here by hand.
 * The process started from the snapshot gets {prelude} as JSON in argv[1].
 */
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const v8 = require("node:v8");

const job = JSON.parse(process.argv[2]);
const buildDir = process.cwd();
/** The JavaScript files loaded into the snapshot, with their stamps (the manifest). */
const modules = {};

function stamp(file) {
  try {
    const s = fs.statSync(file);
    return `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}`;
  } catch {
    return null;
  }
}

/**
 * The parse cache: fileName -> the SourceFile parsed (and later bound) at build time. A lookup
 * hits only for the same parse options and the same text; anything else is parsed afresh.
 */
const parsed = new Map();
let collecting = true;
const parseStats = { hits: 0, misses: 0, cached: 0 };
function parseKey(lv, setParentNodes, scriptKind) {
  const o = typeof lv === "object" && lv !== null ? lv : { languageVersion: lv };
  return [o.languageVersion, o.impliedNodeFormat, String(o.setExternalModuleIndicator ?? ""), !!setParentNodes, scriptKind].join("\0");
}
/** Wraps typescript.js's own createSourceFile (every parse of a program goes through it). */
function parseCache(createSourceFile) {
  return function cachedCreateSourceFile(fileName, text, lv, setParentNodes, scriptKind) {
    const k = parseKey(lv, setParentNodes, scriptKind);
    const hit = parsed.get(fileName);
    if (hit && hit.k === k && hit.sf.text === text) {
      parseStats.hits++;
      hit.used = true;
      return hit.sf;
    }
    const sf = createSourceFile.apply(this, arguments);
    parseStats.misses++;
    // Declaration files outside the build's own folder (not tslab's virtual __prev__.d.ts): lib, @types, the prelude's types.
    if (collecting && fileName.endsWith(".d.ts") && !fileName.startsWith(buildDir + path.sep)) parsed.set(fileName, { k, sf, used: false });
    return sf;
  };
}

const loaded = new Map();
function resolveFrom(id, from) {
  const tries = [];
  if (id.startsWith(".") || id.startsWith("/")) {
    const b = path.resolve(from, id);
    tries.push(b, `${b}.js`, `${b}.json`, path.join(b, "index.js"));
  } else {
    for (let d = from; ; d = path.dirname(d)) {
      const b = path.join(d, "node_modules", id);
      if (fs.existsSync(b) || fs.existsSync(`${b}.js`)) {
        const pj = path.join(b, "package.json");
        if (fs.existsSync(pj)) {
          const main = JSON.parse(fs.readFileSync(pj, "utf8")).main || "index.js";
          tries.push(path.join(b, main), path.join(b, `${main}.js`), path.join(b, main, "index.js"));
        }
        tries.push(b, `${b}.js`, `${b}.json`, path.join(b, "index.js"));
        break;
      }
      if (d === path.dirname(d)) break;
    }
  }
  for (const t of tries) if (fs.existsSync(t) && fs.statSync(t).isFile()) return t;
  throw new Error(`ts-snapshot-entry: cannot resolve ${id} from ${from}`);
}

const tsFile = resolveFrom("@tslab/typescript-for-tslab", path.dirname(job.converter));
// The end of typescript.js's bundle scope, where its function bindings can still be reassigned.
const TS_ANCHOR = "\n  return require_typescript();\n})();";
// tslab's converter starts with empty declarations, so its first program is built twice (without,
// then with the prelude): `createConverter({ prevDecl })` starts it with them. Only when this
// line is there as expected (else the prelude's first convert does it, as before).
const DECL_ANCHOR = '\n    let declContent = "";\n';
const DECL_PATCH = '\n    let declContent = options && typeof options.prevDecl === "string" ? options.prevDecl : "";\n';
// The converter's patches (kernel/assets/ts-fast-cjs.cjs, as in kernel/ts-compiler-worker.ts):
// the fast ES -> CommonJS step when it applies, else tslab's transpileModule; one program per
// cell with declarations when its names are known beforehand, else tslab's two.
const cjsStats = { fast: 0, full: 0 };
const passStats = { one: 0, fallback: 0 };
let helpers;
function fastCjs(ts, js, target) {
  let out;
  try {
    out = helpers.fastCommonJS(ts, js, target);
  } catch {
    out = undefined;
  }
  if (out === undefined) cjsStats.full++;
  else cjsStats.fast++;
  return out;
}
function cellLocals(ts, fileName, text, target) {
  try {
    return helpers.cellLocals(ts, fileName, text, target);
  } catch {
    return [];
  }
}
function passes(one) {
  if (one) passStats.one++;
  else passStats.fallback++;
}

function makeRequire(from) {
  return function load(id) {
    // Built-in modules come from the snapshot's own require (it loads nothing else).
    if (!id.startsWith(".") && !id.startsWith("/")) {
      try {
        return require(id);
      } catch {
        /* a package: resolved below */
      }
    }
    const file = resolveFrom(id, from);
    const hit = loaded.get(file);
    if (hit) return hit.exports;
    const m = { exports: {}, filename: file, loaded: false };
    loaded.set(file, m);
    modules[file] = stamp(file);
    let src = fs.readFileSync(file, "utf8");
    if (file.endsWith(".json")) m.exports = JSON.parse(src);
    else {
      if (file === tsFile) {
        // Every parse goes through the cache (createSourceFile is a function binding of the bundle's scope).
        if (src.split(TS_ANCHOR).length !== 2 || !/\n {2}function createSourceFile\(/.test(src)) throw new Error("ts-snapshot-entry: typescript.js has an unknown layout (no parse cache, no snapshot)");
        src = src.replace(TS_ANCHOR, `\n  createSourceFile = __openclawParseCache(createSourceFile);${TS_ANCHOR}`);
      }
      if (file === job.converter && src.split(DECL_ANCHOR).length === 2) src = src.replace(DECL_ANCHOR, DECL_PATCH);
      const patched = file === job.converter && helpers;
      if (patched) src = helpers.patchConverter(src).src;
      const params = patched ? `, ${helpers.PARAMS.join(", ")}` : "";
      const fn = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname, __openclawParseCache${params}) {${src}\n})`, { filename: file });
      fn.call(m.exports, m.exports, makeRequire(path.dirname(file)), m, file, path.dirname(file), parseCache, fastCjs, cellLocals, passes);
    }
    m.loaded = true;
    return m.exports;
  };
}

// Loaded like the converter (its stamp goes into the manifest: an edit makes the snapshot stale).
if (job.fastCjs) helpers = makeRequire(buildDir)(job.fastCjs);
const conv = makeRequire(path.dirname(job.converter))(job.converter);
const ts = makeRequire(path.dirname(job.converter))("@tslab/typescript-for-tslab");
const sys = ts.sys;
// typescript.js memoizes the first cwd it is asked for: the snapshot's process asks again, in its own folder.
sys.getCurrentDirectory = () => process.cwd();
// No file watchers in a snapshot (handles cannot be serialized): the build's converter watches
// nothing and is closed before the snapshot is written; converters made after it loads watch for real.
const watchFile = sys.watchFile;
const watchDirectory = sys.watchDirectory;
const none = () => ({ close() {} });
sys.watchFile = none;
sys.watchDirectory = none;
// Parses and binds (the type-check of the prelude binds every file) lib + @types + the prelude's types.
let built = conv.createConverter({ prevDecl: job.prelude });
built.convert(job.prelude, "0");
// Not complete(): it sorts with localeCompare, whose ICU collator is a handle a snapshot cannot hold.
built.close();
// Its program and checker are not kept (the snapshot holds the parses only): a smaller heap deserializes faster.
built = undefined;
sys.watchFile = watchFile;
sys.watchDirectory = watchDirectory;
collecting = false;
parseStats.cached = parsed.size;
if (!parsed.size) throw new Error("ts-snapshot-entry: nothing was parsed through the cache");

fs.writeFileSync(job.manifest, JSON.stringify({ key: job.key, modules }), { mode: 0o600 });

v8.startupSnapshot.setDeserializeMainFunction(() => {
  parseStats.hits = parseStats.misses = 0;
  const t0 = performance.now();
  let prelude = job.prelude;
  try {
    prelude = JSON.parse(process.argv[1]).prelude ?? prelude;
  } catch {
    /* the build's prelude (a kernel always sends its own with warm) */
  }
  let converter;
  // As in kernel/ts-compiler-worker.ts: after a watched folder changed, tslab's one-timer host
  // throws on every request; a new converter (which sees the folder as it is) answers instead.
  const withConverter = (f) => {
    converter ??= conv.createConverter({ prevDecl: prelude });
    try {
      return f(converter);
    } catch (e) {
      if (!String(e && e.message).includes("Unexpected pending rebuildTimer")) throw e;
      try {
        converter.close();
      } catch {
        /* its watchers are gone with it either way */
      }
      converter = conv.createConverter({ prevDecl: prelude });
      return f(converter);
    }
  };
  let checked;
  const handle = (op, args) => {
    switch (op) {
      case "warm":
        // The prelude was checked on start; a cell sent right after need not wait behind it again.
        if (args[0] !== checked) withConverter((c) => c.convert(args[0], "0"));
        checked = args[0];
        return { codeCache: "snapshot", parseCache: { ...parseStats } };
      case "convert":
        return withConverter((c) => c.convert(args[0], args[1]));
      case "complete":
        return withConverter((c) => c.complete(args[0], args[1], args[2]));
      case "inspect":
        return withConverter((c) => c.inspect(args[0], args[1], args[2]) ?? null);
      case "isComplete":
        return conv.isCompleteCode(args[0]);
      case "stats":
        return { cjs: { ...cjsStats }, passes: { ...passStats } };
      default:
        throw new Error(`unknown op ${op}`);
    }
  };
  process.on("message", (m) => {
    let reply;
    try {
      reply = { id: m.id, ok: true, value: JSON.parse(JSON.stringify(handle(m.op, m.args) ?? null)) };
    } catch (e) {
      reply = { id: m.id, ok: false, message: (e && e.stack) || String(e) };
    }
    process.send(reply);
  });
  // Stop is the kernel's to handle: a SIGINT sent to the kernel's process group must not end its compiler.
  process.on("SIGINT", () => undefined);
  // The kernel is gone (or closed us): nothing to serve.
  process.on("disconnect", () => process.exit(0));
  process.send({ id: 0, ok: true, value: "ready" });
  // This folder's converter, from the cached parses, and the prelude's check, before the first
  // request asks (the kernel is still loading meanwhile). A failure here is reported by that request.
  try {
    withConverter((c) => c.convert(prelude, "0"));
    checked = prelude;
    parseStats.ms = Math.round(performance.now() - t0);
    parseStats.uptimeMs = Math.round(process.uptime() * 1000);
    // Parses this folder does not use (a folder with its own @types/node) are not kept.
    for (const [f, e] of parsed) if (!e.used) parsed.delete(f);
  } catch {
    try {
      converter?.close();
    } catch {
      /* its watchers are gone with it either way */
    }
    converter = undefined;
  }
});
