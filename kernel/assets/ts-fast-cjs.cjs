"use strict";
/**
 * Two cuts to tslab's per-cell compile, patched into its converter by the TypeScript compiler
 * (kernel/ts-compiler-worker.ts and the snapshot process, kernel/assets/ts-snapshot-entry.cjs;
 * patchConverter below), neither changing a result:
 *
 * One program per cell with declarations. tslab builds a program for the cell to learn its
 * top-level names, then another with `export {names}` appended. cellLocals finds the names from
 * a parse and bind of the cell alone; the converter builds the second program directly and keeps
 * it only when its source file has exactly those names (else it runs tslab's two passes).
 * tests/kernel/ts-fast-cjs.test.ts compares every convert result with tslab's on a corpus.
 *
 * A cheaper ES module -> CommonJS step for the commonest cells. tslab's converter turns each cell's emitted ES
 * module into CommonJS with ts.transpileModule: a new Program, a new type checker and a
 * check of the output for every cell, about half of a trivial cell's compile time.
 *
 * For an output whose only module syntax is tslab's own (the `export {};` that makes a cell
 * a module, and `export const tsLastExpr = E;` for the value of a last expression), that
 * transform is fully known (TypeScript 5.0's transformCommonJSModule): it adds the
 * __esModule marker and `exports.tsLastExpr = void 0;`, drops `export {};`, turns the
 * declaration into `exports.tsLastExpr = E;`, and leaves everything else as it was (its other
 * rewrites are of imported or exported names, and there are none). Any other output (an
 * import, `import(...)`, `import.meta`, a top-level declaration, whose names tslab exports,
 * a user's own `export`, a prologue, the name `tsLastExpr` used anywhere else, a parse error)
 * returns undefined and goes through transpileModule as before. tests/kernel/ts-fast-cjs.test.ts
 * compares this with transpileModule's output on a corpus of cells.
 */

const MARKER = 'Object.defineProperty(exports, "__esModule", { value: true });\n';

/**
 * @param {any} ts tslab's typescript module
 * @param {string} js the converter's emitted ES module for one cell
 * @param {number} [target] the script target transpileModule is given
 * @returns {string | undefined} the CommonJS transpileModule would produce, or undefined when this cell needs transpileModule itself
 */
function fastCommonJS(ts, js, target) {
  // Import declarations, `import(...)` and `import.meta` are all spelled with the keyword; a
  // unicode escape could spell a name the checks below look for (left to the transform).
  if (typeof js !== "string" || /\bimport\b/.test(js) || js.includes("\\u")) return undefined;
  const sf = ts.createSourceFile("custom.js", js, target ?? ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  if (sf.parseDiagnostics && sf.parseDiagnostics.length) return undefined;
  const statements = sf.statements;
  let marker;
  let last;
  // A prologue ("use strict") stays first in CommonJS: left to the transform.
  if (statements.length && ts.isExpressionStatement(statements[0]) && ts.isStringLiteral(statements[0].expression)) return undefined;
  for (const st of statements) {
    if (ts.isExportDeclaration(st)) {
      // Only one `export {};` (no names, no `from`): what tslab's prefix emits as.
      if (marker || st.isTypeOnly || st.moduleSpecifier || !st.exportClause || !ts.isNamedExports(st.exportClause) || st.exportClause.elements.length) return undefined;
      marker = st;
      continue;
    }
    if (ts.isExportAssignment(st)) return undefined;
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
    if (!mods || !mods.length) continue;
    if (last || !ts.isVariableStatement(st) || mods.length !== 1 || mods[0].kind !== ts.SyntaxKind.ExportKeyword) return undefined;
    const list = st.declarationList;
    if (!(list.flags & ts.NodeFlags.Const) || list.declarations.length !== 1) return undefined;
    const d = list.declarations[0];
    if (!ts.isIdentifier(d.name) || !/^tsLastExpr\d*$/.test(d.name.text) || !d.initializer || d.exclamationToken || d.type) return undefined;
    // A function or class keeps a local binding (its name) in CommonJS: left to the transform.
    if (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer) || ts.isClassExpression(d.initializer)) return undefined;
    last = { st, name: d.name.text, init: d.initializer };
  }
  // No `export {};`: not tslab's output (a script is returned unchanged by the transform).
  if (!marker) return undefined;
  // Where the transform prints comments again rather than keeping them as written (review5): a
  // cell of comments only (the marker is its one statement), and a last value that reads an
  // earlier cell's name (`exports.x`, which the transform rewrites and so re-prints) with a
  // comment in or before it. Left to the transform, whose output this must equal byte for byte.
  if (statements.length === 1) return undefined;
  if (last && /\bexports\b/.test(js.slice(last.init.pos, last.st.end)) && /\/[/*]/.test(js.slice(last.init.pos, last.st.end))) return undefined;
  if (last) {
    // Any other use of the name would be rewritten to `exports.<name>`.
    const uses = js.match(new RegExp(`\\b${last.name}\\b`, "g"));
    if (!uses || uses.length !== 1) return undefined;
  }
  // The text between the statements is kept; the two statements are cut or replaced.
  const edits = [{ from: marker.getStart(sf), to: skipLine(js, marker.end), text: "" }];
  if (last) {
    // The initializer with its comments, up to the statement's end (its `;`, when it has one).
    const rest = js.slice(last.init.pos, last.st.end);
    edits.push({ from: last.st.getStart(sf), to: last.st.end, text: `exports.${last.name} =${rest}${rest.endsWith(";") ? "" : ";"}` });
  }
  edits.sort((a, b) => a.from - b.from);
  let out = MARKER + (last ? `exports.${last.name} = void 0;\n` : "");
  let at = 0;
  for (const e of edits) {
    out += js.slice(at, e.from) + e.text;
    at = e.to;
  }
  return out + js.slice(at);
}

/** The position after `end`'s line break, when only blanks are between them. */
function skipLine(text, end) {
  const m = /^[ \t]*\r?\n/.exec(text.slice(end, end + 64));
  return m ? end + m[0].length : end;
}

/**
 * The top-level names of a cell (its source file's locals, in the binder's order), from a parse
 * and bind of the cell alone, so the converter can build one program with tslab's
 * `export {names}` suffix instead of two (one to find the names, one with the suffix). The
 * converter checks them against the program's own source file and does tslab's two passes when
 * they differ.
 * @param {any} ts tslab's typescript module
 * @param {string} fileName the converter's cell file name
 * @param {string} text the cell as the converter's program reads it (with its `export {};` prefix)
 * @param {number} target the converter's script target
 * @returns {string[]} the names (escaped as in `locals`), or [] when there are none
 */
function cellLocals(ts, fileName, text, target) {
  const sf = ts.createSourceFile(fileName, text, { languageVersion: target, setExternalModuleIndicator: ts.getSetExternalModuleIndicator({ module: ts.ModuleKind.ESNext, jsx: ts.JsxEmit.React }) });
  ts.bindSourceFile(sf, { module: ts.ModuleKind.ESNext, target });
  const names = [];
  if (sf.locals) sf.locals.forEach((_, key) => names.push(key));
  return names;
}

/**
 * The lines of tslab's converter (dist/converter.js) the compiler patches, each applied only when
 * its anchor is there exactly once: the ES -> CommonJS step tries fastCommonJS first, and convert
 * finds the cell's names with cellLocals. The patched source expects the wrapper's parameters
 * __openclawFastCjs(ts, js, target), __openclawLocals(ts, fileName, text, target) and
 * __openclawPasses(onePass) (called for a cell with names: true when one program served, false when
 * tslab's two passes ran after all).
 */
const PATCHES = [
  {
    name: "fastCjs",
    anchor: "\nfunction esModuleToCommonJSModule(js, target) {\n",
    patch: "\nfunction esModuleToCommonJSModule(js, target) {\n    const fast = __openclawFastCjs(ts, js, target);\n    if (fast !== undefined) return fast;\n",
  },
  {
    name: "onePass",
    anchor: "    function convert(prevDecl, src) {\n        updateContent(prevDecl, src);\n        let declsFile = builder.getSourceFile(declFilename);\n        let srcFile = builder.getSourceFile(srcFilename);\n        const locals = srcFile.locals;\n        const keys = new Set();\n        if (locals) {\n            locals.forEach((_, key) => {\n                keys.add(key);\n            });\n        }\n        if (keys.size > 0) {\n            // Export all local variables.\n            // TODO: Disallow \"export\" in the input.\n            const suffix = \"\\nexport {\" + Array.from(keys).join(\", \") + \"}\";\n            updateContent(prevDecl, src + suffix);\n            declsFile = builder.getSourceFile(declFilename);\n            srcFile = builder.getSourceFile(srcFilename);\n        }\n",
    patch: "    function convert(prevDecl, src) {\n        let declsFile;\n        let srcFile;\n        const keys = new Set();\n        // openclaw: the cell's names found beforehand: one program, with tslab's suffix, when the\n        // program's own source file has exactly those names (else tslab's two passes below).\n        const pre = __openclawLocals(ts, srcFilename, srcPrefix + src, transpileTarget);\n        let onePass = false;\n        if (pre.length > 0) {\n            updateContent(prevDecl, src + \"\\nexport {\" + pre.join(\", \") + \"}\");\n            declsFile = builder.getSourceFile(declFilename);\n            srcFile = builder.getSourceFile(srcFilename);\n            const got = [];\n            if (srcFile.locals) srcFile.locals.forEach((_, key) => got.push(key));\n            onePass = got.length === pre.length && got.every((k, i) => k === pre[i]);\n            if (onePass) for (const k of got) keys.add(k);\n            __openclawPasses(onePass);\n        }\n        if (!onePass) {\n        updateContent(prevDecl, src);\n        declsFile = builder.getSourceFile(declFilename);\n        srcFile = builder.getSourceFile(srcFilename);\n        const locals = srcFile.locals;\n        if (locals) {\n            locals.forEach((_, key) => {\n                keys.add(key);\n            });\n        }\n        if (keys.size > 0) {\n            // Export all local variables.\n            // TODO: Disallow \"export\" in the input.\n            const suffix = \"\\nexport {\" + Array.from(keys).join(\", \") + \"}\";\n            updateContent(prevDecl, src + suffix);\n            declsFile = builder.getSourceFile(declFilename);\n            srcFile = builder.getSourceFile(srcFilename);\n        }\n        }\n",
  },
];

/**
 * @param {string} src the converter's source
 * @returns {{ src: string, applied: string[] }}
 */
function patchConverter(src) {
  const applied = [];
  for (const p of PATCHES) {
    if (src.split(p.anchor).length !== 2) continue;
    src = src.replace(p.anchor, () => p.patch);
    applied.push(p.name);
  }
  return { src, applied };
}

/** The parameters the patched converter is wrapped with, in this order (after __dirname). */
const PARAMS = ["__openclawFastCjs", "__openclawLocals", "__openclawPasses"];

module.exports = { fastCommonJS, cellLocals, patchConverter, PARAMS };
