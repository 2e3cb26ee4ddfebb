"use strict";
/**
 * The entry of `node --build-snapshot` for the TypeScript compiler (kernel/ts-snapshot.ts
 * runs it): loads typescript.js and tslab's converter, builds the converter's program
 * over lib + @types/node + the cell prelude in this folder, type-checks the prelude once,
 * and lets Node write the heap to a startup snapshot. A kernel that starts later in the
 * same folder deserializes the ready program instead of parsing and binding ~2.7 MB of
 * declarations again (the largest share of the first TypeScript cell).
 *
 * Every file the build read and every path it probed is written to a manifest with its
 * size, mtime, ctime and inode, or answer; the kernel uses the snapshot only while all of them still hold,
 * so the type-check of a cell is the same as a fresh converter's.
 *
 * argv[2]: the JSON job {manifest, prelude, converter, key} itself (not a file: nobody can swap it). A snapshot script may
 * require only built-in modules, so CommonJS files are loaded here by hand.
 */
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const v8 = require("node:v8");

const job = JSON.parse(process.argv[2]);
const probes = { files: {}, exists: {}, dirs: {}, lists: {}, realpaths: {} };

function stamp(file) {
  try {
    const s = fs.statSync(file);
    return `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}`;
  } catch {
    return null;
  }
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
    probes.files[file] = stamp(file);
    const src = fs.readFileSync(file, "utf8");
    if (file.endsWith(".json")) m.exports = JSON.parse(src);
    else {
      const fn = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${src}\n})`, { filename: file });
      fn.call(m.exports, m.exports, makeRequire(path.dirname(file)), m, file, path.dirname(file));
    }
    m.loaded = true;
    return m.exports;
  };
}

const conv = makeRequire(path.dirname(job.converter))(job.converter);
const ts = makeRequire(path.dirname(job.converter))("@tslab/typescript-for-tslab");
const sys = ts.sys;
// Record what the program depends on.
const readFile = sys.readFile;
sys.readFile = (p, enc) => {
  const r = readFile.call(sys, p, enc);
  probes.files[p] = r === undefined ? null : stamp(p);
  return r;
};
const fileExists = sys.fileExists;
sys.fileExists = (p) => (probes.exists[p] = fileExists.call(sys, p));
const directoryExists = sys.directoryExists;
sys.directoryExists = (p) => (probes.dirs[p] = directoryExists.call(sys, p));
const getDirectories = sys.getDirectories;
sys.getDirectories = (p) => {
  const r = getDirectories.call(sys, p);
  probes.lists[p] = [...r].sort();
  return r;
};
const realpath = sys.realpath;
if (realpath) sys.realpath = (p) => (probes.realpaths[p] = realpath.call(sys, p));
// No file watchers in a snapshot (handles cannot be serialized): the program's watch requests
// are recorded and made after it loads, so the compiler notices changes (a new @types package,
// an edited module a cell imports) as a fresh converter does.
const watchFile = sys.watchFile;
const watchDirectory = sys.watchDirectory;
const deferred = [];
// TypeScript's watch host binds sys.watchFile/watchDirectory once, while these stubs are in
// place: after the snapshot loads they must watch for real, or a file created later (a module
// a cell imports) is never seen.
let live = false;
const defer = (kind) => (...args) => {
  if (live) return (kind === "file" ? watchFile : watchDirectory).apply(sys, args);
  const w = {
    kind,
    args,
    inner: undefined,
    closed: false,
    close() {
      this.closed = true;
      this.inner?.close();
    },
  };
  deferred.push(w);
  return w;
};
sys.watchFile = defer("file");
sys.watchDirectory = defer("dir");
let converter = conv.createConverter();
converter.convert(job.prelude, "0");
// Not complete(): it sorts with localeCompare, whose ICU collator is a handle a snapshot cannot hold.

sys.readFile = readFile;
sys.fileExists = fileExists;
sys.directoryExists = directoryExists;
sys.getDirectories = getDirectories;
if (realpath) sys.realpath = realpath;

fs.writeFileSync(job.manifest, JSON.stringify({ key: job.key, cwd: process.cwd(), probes }), { mode: 0o600 });

v8.startupSnapshot.setDeserializeMainFunction(() => {
  sys.watchFile = watchFile;
  sys.watchDirectory = watchDirectory;
  live = true;
  for (const w of deferred.splice(0)) if (!w.closed) w.inner = (w.kind === "file" ? watchFile : watchDirectory).apply(sys, w.args);
  // As in kernel/ts-compiler-worker.ts: after a watched folder changed, tslab's one-timer host
  // throws on every request; a new converter (which sees the folder as it is) answers instead.
  const withConverter = (f) => {
    try {
      return f(converter);
    } catch (e) {
      if (!String(e && e.message).includes("Unexpected pending rebuildTimer")) throw e;
      try {
        converter.close();
      } catch {
        /* its watchers are gone with it either way */
      }
      converter = conv.createConverter();
      return f(converter);
    }
  };
  const handle = (op, args) => {
    switch (op) {
      case "warm":
        // The build already checked this prelude; a cell sent right after need not wait behind it again.
        if (args[0] !== job.prelude) withConverter((c) => c.convert(args[0], "0"));
        return { codeCache: "snapshot" };
      case "convert":
        return withConverter((c) => c.convert(args[0], args[1]));
      case "complete":
        return withConverter((c) => c.complete(args[0], args[1], args[2]));
      case "inspect":
        return withConverter((c) => c.inspect(args[0], args[1], args[2]) ?? null);
      case "isComplete":
        return conv.isCompleteCode(args[0]);
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
});
