import { UsageError } from "../runtime/errors.js";

/**
 * Shell-like word splitting with no shell: whitespace separates words; '…' is literal;
 * "…" allows \" \\ \$ \` escapes; a backslash outside quotes escapes the next
 * character. Nothing is expanded ($VAR, globs, ~, $(…)): a word is exactly what
 * was typed, which is what lets `"; rm -rf ~ #"` reach a skill as one literal value.
 */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new UsageError(`unterminated ' quote starting at column ${i + 1}`, { fix: "close the quote, or escape it as \\'" });
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const c = line[j]!;
        if (c === "\\" && j + 1 < n && '"\\$`'.includes(line[j + 1]!)) {
          cur += line[j + 1];
          j += 2;
        } else if (c === '"') {
          closed = true;
          j++;
          break;
        } else {
          cur += c;
          j++;
        }
      }
      if (!closed) throw new UsageError(`unterminated " quote starting at column ${i + 1}`, { fix: 'close the quote, or escape it as \\"' });
      inWord = true;
      i = j;
    } else if (ch === "\\") {
      if (i + 1 < n) {
        if (line[i + 1] !== "\n") cur += line[i + 1];
        i += 2;
      } else i++;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
      i++;
    } else {
      cur += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** Quote a word so tokenize() gives it back unchanged (for usage lines and history). */
export function quoteWord(w: string): string {
  if (w !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(w)) return w;
  return `'${w.replace(/'/g, `'\\''`)}'`;
}
