/**
 * Text a model (or a skill, or a file name in a patch) chose, made safe to show a person
 * who must decide on it. `visible()` is the one sanitizer: every character that could hide
 * or reorder what is shown (bidi controls such as U+202E, zero-width and other format
 * characters, C0/C1 controls, ANSI escapes, line and paragraph separators, unusual spaces,
 * blank-looking letters) becomes a visible `\u{202E}` escape, a backslash becomes `\\`
 * (so an escape the model typed cannot pass as one we made), and a long value is cut with
 * its full length shown. `approvalPrompt()` builds the y/N question the kernel
 * (input_request) and the CLI (TTY) ask: the model's part is quoted and indented under a
 * fixed header, and only our last line ends in `[y/N]`.
 */
import type { ApprovalRequest } from "../../runtime/events.js";

/** Longest value shown in full, in characters (code points); longer ones are cut. */
export const MAX_SHOWN = 300;

// Cc controls, Cf format (bidi, zero-width, BOM, soft hyphen, tags), Zl/Zp separators,
// Co private use, Cn unassigned, Cs lone surrogates; every space but U+0020; and letters
// that render blank (Hangul fillers, braille blank, the Mongolian vowel separator).
// biome-ignore lint/suspicious/noMisleadingCharacterClass: the class lists invisible code points one by one on purpose (combining ones included)
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\u115F\u1160\u3164\uFFA0\u2800\u180E\u034F\\]/u;
const NAMED: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeChar(ch: string): string {
  return NAMED[ch] ?? `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase()}}`;
}

/**
 * `s` with everything invisible or deceptive shown as an escape, on one line, at most
 * `max` characters of the original (then `… [cut: N chars]`).
 */
export function visible(s: unknown, max = MAX_SHOWN): string {
  const text = typeof s === "string" ? s : s === undefined ? "" : String(s);
  const chars = Array.from(text);
  const kept = chars.length > max ? chars.slice(0, max) : chars;
  let out = "";
  for (const ch of kept) out += HIDDEN.test(ch) ? escapeChar(ch) : ch;
  return chars.length > max ? `${out}… [cut: ${chars.length} chars, first ${max} shown]` : out;
}

/** `visible()` in double quotes, `"` escaped: where the model's text starts and ends is never in doubt. */
export function quoted(s: unknown, max = MAX_SHOWN): string {
  return `"${visible(s, max).replace(/"/g, '\\"')}"`;
}

/** Most list items shown in a prompt; the rest are counted. */
const MAX_ITEMS = 20;

/**
 * The approval question, the same on every front door. Everything from the request
 * (summary, skill name, argv, file names, model ref) is quoted and indented under our
 * own header; the last line, ours, is the only one that asks.
 */
export function approvalPrompt(req: ApprovalRequest): string {
  const lines: string[] = [];
  const what = req.kind === "apply_patch" ? "apply_patch wants to change files" : req.skill ? `skill ${quoted(req.skill, 80)} (risk: high) wants to run` : "approval requested";
  lines.push(`approval needed: ${what}`);
  if (req.modelRef) lines.push(`  requested by model ${quoted(req.modelRef, 120)}`);
  const items = req.argv ?? [];
  if (items.length) {
    lines.push(`  ${req.kind === "apply_patch" ? "files" : "argv"} (${items.length}):`);
    items.slice(0, MAX_ITEMS).forEach((a, i) => lines.push(`    [${i}] ${quoted(a)}`));
    if (items.length > MAX_ITEMS) lines.push(`    … and ${items.length - MAX_ITEMS} more`);
  }
  lines.push(`  summary: ${quoted(req.summary)}`);
  lines.push("approve? [y/N] ");
  return lines.join("\n");
}
