/**
 * What a cell holds. TypeScript unless its first line is a magic:
 *   %%openclaw <command>   a cell magic; the rest of the cell is its body
 *   %openclaw <command>    one or more magic lines, then optional TypeScript
 */
export type CellPart = { kind: "magic"; line: string; body?: string; lineNo: number } | { kind: "typescript"; code: string; lineNo: number };

const LINE_MAGIC = /^\s*%openclaw(?:\s+|$)(.*)$/;
const CELL_MAGIC = /^\s*%%openclaw(?:\s+|$)(.*)$/;

export function splitCell(source: string): CellPart[] {
  const lines = source.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0) return [];
  const cell = CELL_MAGIC.exec(lines[first]!);
  if (cell) return [{ kind: "magic", line: cell[1]!.trim(), body: lines.slice(first + 1).join("\n"), lineNo: first + 1 }];
  if (!LINE_MAGIC.test(lines[first]!)) return [{ kind: "typescript", code: source, lineNo: 1 }];
  const parts: CellPart[] = [];
  let i = first;
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === "") continue;
    const m = LINE_MAGIC.exec(l);
    if (!m) break;
    parts.push({ kind: "magic", line: m[1]!.trim(), lineNo: i + 1 });
  }
  const rest = lines.slice(i).join("\n");
  // Keep line numbers of TypeScript diagnostics true to the cell by padding with blank lines.
  if (rest.trim()) parts.push({ kind: "typescript", code: "\n".repeat(i) + rest, lineNo: i + 1 });
  return parts;
}

/** True when the cell (or the line at the cursor) is a magic, so completion/inspect use the grammar. */
export function magicAt(source: string, cursor: number): { line: string; offset: number; cell: boolean } | undefined {
  const start = source.lastIndexOf("\n", Math.max(0, cursor - 1)) + 1;
  const endAt = source.indexOf("\n", cursor);
  const line = source.slice(start, endAt < 0 ? source.length : endAt);
  const m = /^(\s*%%?openclaw\s*)/.exec(line);
  if (!m) return undefined;
  return { line: line.slice(m[1]!.length), offset: start + m[1]!.length, cell: line.trimStart().startsWith("%%") };
}
