// The fast ES -> CommonJS step of TypeScript cells (kernel/assets/ts-fast-cjs.cjs): for every
// cell of a corpus, what the converter emits is turned into CommonJS both ways, and where the
// fast path answers its output must be byte-identical to tslab's transpileModule; the cells it
// must leave to the transform (imports, declarations, a function as the last value, a
// prologue...) are left. Then cells run through the compiler thread take the fast path and give
// the values they should.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "node:test";
import vm from "node:vm";
import { ROOT, tmp } from "../helpers/index.js";

const require = createRequire(join(ROOT, "package.json"));
const converterFile = require.resolve("tslab/dist/converter.js");
const ts = createRequire(converterFile)("@tslab/typescript-for-tslab") as { ScriptTarget: Record<string, number> };
const helpers = require(join(ROOT, "kernel", "assets", "ts-fast-cjs.cjs")) as {
  fastCommonJS(ts: unknown, js: string, target?: number): string | undefined;
  cellLocals(ts: unknown, fileName: string, text: string, target: number): string[];
  patchConverter(src: string): { src: string; applied: string[] };
  PARAMS: string[];
};
const { fastCommonJS } = helpers;

interface Converter {
  createConverter(): { convert(prev: string, src: string): { diagnostics: unknown[]; declOutput?: string }; close(): void };
  esModuleToCommonJSModule(js: string, target: number): string;
}

/** tslab's converter with a hook on its ES -> CommonJS step (the line the kernel patches), recording each ES module. */
function recordingConverter(): { conv: Converter; seen: string[] } {
  const anchor = "\nfunction esModuleToCommonJSModule(js, target) {\n";
  const src = readFileSync(converterFile, "utf8");
  assert.equal(src.split(anchor).length, 2, "the converter has the line the kernel patches");
  const seen: string[] = [];
  const fn = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname, __record) {${src.replace(anchor, `${anchor}    __record(js);\n`)}\n})`, { filename: converterFile });
  const m = new Module(converterFile);
  fn.call(m.exports, m.exports, createRequire(converterFile), m, converterFile, dirname(converterFile), (js: string) => seen.push(js));
  return { conv: m.exports as Converter, seen };
}

// Cells run in order (later ones use earlier declarations).
const FAST = [
  "for (let i = 0; i < 1; i++) console.log(i);",
  "1+1",
  "// hi\n1+1 // tail",
  "/* a */ 1 + /* b */ 2 /* c */;\n// end",
  "await Promise.resolve(3)",
  "({a: 1})",
  "(class {})",
  "console.log(`a ${1}`)",
  "{ let y = 1; y }",
  "if (Math.random() > 2) { 1 } else { 2 }",
  "this",
  "label: for (;;) { break label }",
  "await (async () => 5)()",
  "/re;/g.test('re;')",
  "1;\n\n\n2",
  "  \n 3 \n\n",
  "typeof globalThis",
  "console.log(1); console.log(2);",
  "try { throw new Error('e') } catch (e) { e }",
  "(function () { return 1 })()",
  "'not a prologue' + 1",
  "[1, 2].map((v) => v * 2)",
  "`${'x;'}` // ;",
  "delete (globalThis as any).__nothing__",
  "x", // earlier cells' names are exports.x in the ES module already
  "z = 5",
  "(function named() {})", // parenthesized: no longer a function initializer to the transform
];
const FULL = [
  "const x = 1; x",
  "function f() { return x }",
  "let z = 2; z++",
  "import('node:fs')",
  "'use strict'; 1",
  "() => 1",
  "export default 3",
  "enum E { A }",
  "import * as path from 'node:path'",
];

test("fast ES -> CommonJS: byte-identical to tslab's transpileModule where it answers, and left to it where it must be", { timeout: 120_000 }, () => {
  const { conv, seen } = recordingConverter();
  const c = conv.createConverter();
  try {
    let prev = "declare const openclaw: any;\n";
    const check = (code: string, wantFast: boolean) => {
      seen.length = 0;
      const r = c.convert(prev, code);
      assert.deepEqual(r.diagnostics, [], `${code} compiles`);
      prev = r.declOutput || prev;
      assert.equal(seen.length, 1, `${code}: one ES module`);
      const js = seen[0]!;
      const full = conv.esModuleToCommonJSModule(js, ts.ScriptTarget.ES2022!);
      const fast = fastCommonJS(ts, js, ts.ScriptTarget.ES2022);
      if (wantFast) assert.equal(fast, full, `${JSON.stringify(code)} (ES ${JSON.stringify(js)})`);
      else assert.equal(fast, undefined, `${JSON.stringify(code)} is left to the transform (ES ${JSON.stringify(js)}; transform ${JSON.stringify(full)})`);
    };
    for (const code of FULL) check(code, false);
    for (const code of FAST) check(code, true);
  } finally {
    c.close();
  }
});

test("fast ES -> CommonJS: outputs that are not tslab's are left to the transform", () => {
  const t = ts.ScriptTarget.ES2022;
  // The transform would rewrite each of these differently from the fast path's two edits.
  for (const js of [
    "1 + 1;\n", // a script, not a module: the transform leaves it as it is
    "export {};\nexport {};\n",
    "export { a };\nconst a = 1;\n",
    "export const tsLastExpr = tsLastExpr0;\nexport const tsLastExpr0 = 1;\nexport {};\n",
    "export const tsLastExpr = 1;\nconsole.log(tsLastExpr);\nexport {};\n", // a use of the name becomes exports.tsLastExpr
    "export const tsL\\u0061stExpr = 1;\nexport {};\n",
    "export let tsLastExpr = 1;\nexport {};\n",
    "export const tsLastExpr = 1, b = 2;\nexport {};\n",
    "export const other = 1;\nexport {};\n",
    "export function g() {}\nexport {};\n",
    "export default 1;\nexport {};\n",
    "export * from 'x';\nexport {};\n",
    "const m = import.meta;\nexport {};\n",
    "export {};\nlet = ;\n", // a parse error
  ]) {
    assert.equal(fastCommonJS(ts, js, t), undefined, JSON.stringify(js));
  }
  assert.equal(fastCommonJS(ts, "console.log(1);\nexport {};\n", t), 'Object.defineProperty(exports, "__esModule", { value: true });\nconsole.log(1);\n');
});

test("cells through the compiler thread take the fast path and give the same values", { timeout: 120_000 }, async (t) => {
  const { TypeScriptCells } = await import(join(ROOT, "dist", "kernel", "typescript.js"));
  const { CompilerThread } = await import(join(ROOT, "dist", "kernel", "ts-compiler.js"));
  const cells = new TypeScriptCells(tmp(t), { openclaw: {}, display: () => undefined });
  t.after(() => cells.close());
  const value = async (code: string) => {
    const r = await cells.run(code);
    return r.hasValue ? r.value : undefined;
  };
  assert.equal(await value("1+1"), 2);
  assert.equal(await value("const xs = [1, 2, 3]; xs.length"), 3); // a declaration: the full transform
  assert.deepEqual(await value("xs.map((v) => v * 10)"), [10, 20, 30]); // an earlier cell's name, fast path
  assert.equal(await value("await Promise.resolve(xs.length + 1)"), 4);
  assert.equal(await value("/* ; */ 's;' + ';' // ;"), "s;;");
  // A function as the last value keeps its name in CommonJS (the full transform): the fast path would lose it.
  const fn = (await value("() => 7")) as () => number;
  assert.equal(typeof fn, "function");
  assert.equal(fn.name, "tsLastExpr");
  assert.equal(fn(), 7);
  assert.equal(await value("for (let i = 0; i < 2; i++) {}"), undefined);
  await assert.rejects(cells.run("const s: string = xs"), /TypeScriptError|not assignable/);
  // The compiler counts which way each cell went.
  const c = new CompilerThread(() => "declare const q: number;\n");
  t.after(() => c.close());
  for (const code of ["q + 1", "for (let i = 0; i < 3; i++) console.log(i);", "const k = 1; k"]) await c.call("convert", "declare const q: number;\n", code);
  const s = (await c.call("stats")) as { cjs: { fast: number; full: number } };
  assert.deepEqual(s.cjs, { fast: 2, full: 1 });
  // `const k = 1; k` has a name: one program served it (tslab builds two).
  assert.deepEqual((s as unknown as { passes: unknown }).passes, { one: 1, fallback: 0 });
});

/** tslab's converter as the kernel loads it (both patches), or as tslab ships it. */
function converter(patched: boolean, passes: (one: boolean) => void = () => undefined): Converter {
  let src = readFileSync(converterFile, "utf8");
  if (patched) {
    const p = helpers.patchConverter(src);
    assert.deepEqual(p.applied, ["fastCjs", "onePass"], "both patches apply to this tslab");
    src = p.src;
  }
  const fn = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname, ${helpers.PARAMS.join(", ")}) {${src}\n})`, { filename: converterFile });
  const m = new Module(converterFile);
  fn.call(m.exports, m.exports, createRequire(converterFile), m, converterFile, dirname(converterFile), helpers.fastCommonJS, helpers.cellLocals, passes);
  return m.exports as Converter;
}

test("one program per cell with declarations: every convert result equals tslab's two-pass one", { timeout: 180_000 }, () => {
  const counts = { one: 0, fallback: 0 };
  const a = converter(false).createConverter();
  const b = converter(true, (one) => void (one ? counts.one++ : counts.fallback++)).createConverter();
  try {
    const cells = [
      "const x = 1; x",
      "let y = x + 1",
      "y = 5; y",
      "function f(a: number) { return a * 2 } f(3)",
      "class C { v = 1 } new C().v",
      "enum E { A, B } E.B",
      "namespace N { export const q = 1 } N.q",
      "type T = { a: number }; const t: T = { a: 1 }; t",
      "interface I { b: string } const i: I = { b: 's' }",
      "import * as path from 'node:path'; path.sep",
      "import { join } from 'node:path'; join('a', 'b')",
      "const x = 'shadow'; x",
      "var v1 = 1, v2 = 2; v1 + v2",
      "const { a, b: [c] } = { a: 1, b: [2] }; a + c",
      "let z; z = 3",
      "const tsLastExpr = 9; tsLastExpr",
      "async function g() { return 1 } await g()",
      "const w = await Promise.resolve(4); w",
      "const bad: number = 'x'",
      "const ok2 = 1; undefinedName",
      "const __p = 1; __p",
      "function hoist() {} const after = 1; hoist",
      "declare const dd: number; const e2 = 1",
      "export const ex = 1",
      "let q1 = 1 /* an unterminated comment",
      "const r = 1; // a tail comment",
      "const o = { m() { return this } }; o.m()",
      "label: { const inner = 1 }",
      "const fnE = () => 1; fnE",
      "class D extends C { w = 2 } new D().w",
      "f(y)",
    ];
    let prevA = "declare const openclaw: any;\n";
    let prevB = prevA;
    for (const code of cells) {
      const ra = a.convert(prevA, code) as { diagnostics: unknown[]; declOutput?: string };
      const rb = b.convert(prevB, code) as { diagnostics: unknown[]; declOutput?: string };
      assert.deepEqual(JSON.parse(JSON.stringify(rb)), JSON.parse(JSON.stringify(ra)), code);
      if (!ra.diagnostics.length) {
        prevA = ra.declOutput || prevA;
        prevB = rb.declOutput || prevB;
      }
    }
    assert.ok(counts.one >= 20, `most cells with names took one program: ${JSON.stringify(counts)}`);
  } finally {
    a.close();
    b.close();
  }
});

test("fast ES -> CommonJS: comments the transform re-prints are left to it (review5)", () => {
  const t = ts.ScriptTarget.ES2022;
  for (const js of ["/* only */\nexport {};\n", "export const tsLastExpr = \n    // c\n    exports.x + 1;\nexport {};\n", "export const tsLastExpr = /* a */ exports.x;\nexport {};\n"]) assert.equal(fastCommonJS(ts, js, t), undefined, JSON.stringify(js));
});
