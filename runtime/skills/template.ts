/**
 * exec.cmd -> argv, once, when the skill loads. Quoting ("…", '…', backslash) only
 * groups characters into one argument; nothing is expanded ($, `, globs, ~ are plain
 * characters) because no shell ever sees the result. A {{name}} placeholder fills its
 * argument literally at run time, so a value can never become two arguments.
 */
export type Part = { lit: string } | { param: string };
/** One argument of the template: literal text and placeholders, joined at run time. */
export type Slot = Part[];

export class TemplateError extends Error {}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/y;

export function parseTemplate(cmd: string): Slot[] {
  const slots: Slot[] = [];
  let cur: Slot | null = null;
  let lit = "";
  const flushLit = () => {
    if (lit) cur!.push({ lit });
    lit = "";
  };
  const begin = () => (cur ??= []);
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < cmd.length; ) {
    const ch = cmd[i]!;
    if (ch === "{" && cmd[i + 1] === "{" && quote !== "'") {
      PLACEHOLDER.lastIndex = i;
      const m = PLACEHOLDER.exec(cmd);
      if (!m) throw new TemplateError(`malformed placeholder at column ${i + 1}: ${JSON.stringify(cmd.slice(i, i + 20))} (expected {{name}} with letters, digits, _)`);
      begin();
      flushLit();
      cur!.push({ param: m[1]! });
      i += m[0].length;
      continue;
    }
    if (ch === "{" && cmd[i + 1] === "{" && quote === "'") {
      throw new TemplateError(`placeholder inside single quotes at column ${i + 1}: single quotes are literal; use double quotes`);
    }
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && (cmd[i + 1] === '"' || cmd[i + 1] === "\\")) {
        lit += cmd[i + 1];
        i += 2;
        continue;
      } else lit += ch;
      i++;
      continue;
    }
    if (/\s/.test(ch)) {
      if (cur) {
        flushLit();
        slots.push(cur);
        cur = null;
      }
      i++;
      continue;
    }
    begin();
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "\\" && i + 1 < cmd.length) {
      lit += cmd[i + 1];
      i += 2;
      continue;
    } else lit += ch;
    i++;
  }
  if (quote) throw new TemplateError(`unclosed ${quote} quote in the command template`);
  if (cur) {
    flushLit();
    slots.push(cur);
  }
  if (!slots.length) throw new TemplateError("the command template is empty");
  if (slots[0]!.some((p) => "param" in p)) throw new TemplateError("the program (first word) must be fixed, not a {{placeholder}}");
  return slots;
}

/** Placeholder names in order of first use. */
export function placeholders(slots: Slot[]): string[] {
  const seen = new Set<string>();
  for (const s of slots) for (const p of s) if ("param" in p) seen.add(p.param);
  return [...seen];
}

/** The template as people read it: placeholders shown as {{name}}, quoting where needed. */
export function templateArgv(slots: Slot[]): string[] {
  return slots.map((s) => s.map((p) => ("lit" in p ? p.lit : `{{${p.param}}}`)).join(""));
}

/**
 * Fills every slot; `values` are already validated strings. Each slot stays one
 * argument; a slot made only of optional placeholders that were not given is left out.
 */
export function render(slots: Slot[], values: Record<string, string>): string[] {
  const out: string[] = [];
  for (const s of slots) {
    if (s.every((p) => "param" in p && values[p.param] === undefined)) continue;
    out.push(s.map((p) => ("lit" in p ? p.lit : values[p.param] ?? "")).join(""));
  }
  return out;
}
