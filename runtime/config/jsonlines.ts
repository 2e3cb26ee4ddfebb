import { createRequire } from "node:module";
import type { Node, ParseError } from "jsonc-parser";

// jsonc-parser's parser alone, through require: its package entry also loads the formatter
// and editor, and importing a CommonJS package from ESM costs a source scan on top (together
// ~12 ms of every CLI start). The entry is loaded only to name a syntax error.
const require = createRequire(import.meta.url);
type JsoncParser = Pick<typeof import("jsonc-parser"), "findNodeAtLocation" | "parse" | "parseTree">;
const { findNodeAtLocation, parse, parseTree } = require("jsonc-parser/lib/umd/impl/parser.js") as JsoncParser;
const printParseErrorCode = (code: ParseError["error"]): string => (require("jsonc-parser") as typeof import("jsonc-parser")).printParseErrorCode(code);

/**
 * Parses JSON text strictly (no comments, no trailing commas) and keeps the syntax
 * tree, so any JSON pointer can be turned back into the line a person should edit.
 */
export interface ParsedJson {
  value: unknown;
  syntaxErrors: Array<{ line: number; column: number; message: string }>;
  lineOf(pointer: string): number;
}

export function lineColAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

export function pointerSegments(pointer: string): Array<string | number> {
  if (!pointer || pointer === "/") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function parseJsonWithLines(text: string): ParsedJson {
  const opts = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };
  // Valid JSON (the usual case) is read by JSON.parse, natively; the syntax tree is built
  // only when a line is asked for (a config with problems). Cold, jsonc's two passes cost a
  // CLI start ~5 ms for a small file. Invalid JSON goes to jsonc, which names each error.
  // JSON.parse also keeps a "__proto__" key as an ordinary key (the schema then refuses it).
  let value: unknown;
  let syntaxErrors: ParsedJson["syntaxErrors"] = [];
  try {
    value = JSON.parse(text);
  } catch {
    const errors: ParseError[] = [];
    value = parse(text, errors, opts);
    syntaxErrors = errors.map((e) => ({ ...lineColAt(text, e.offset), message: printParseErrorCode(e.error) }));
  }
  let tree: Node | undefined | null = null;
  return {
    value,
    syntaxErrors,
    lineOf(pointer: string): number {
      if (tree === null) tree = parseTree(text, [], opts);
      if (!tree) return 1;
      const segs = pointerSegments(pointer);
      // Walk up until a node exists: a missing key's line is its parent's.
      for (let n = segs.length; n >= 0; n--) {
        const node = findNodeAtLocation(tree, segs.slice(0, n));
        if (node) {
          // For a property value, report the key's line (where the person reads the name).
          const at = node.parent?.type === "property" ? node.parent.offset : node.offset;
          return lineColAt(text, at).line;
        }
      }
      return 1;
    },
  };
}
