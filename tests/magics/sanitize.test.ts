// The one sanitizer for text a model chose, and the approval prompt built on it (used by
// the kernel's input_request and the CLI's TTY prompt).
import assert from "node:assert/strict";
import { test } from "node:test";
import { approvalPrompt, MAX_SHOWN, quoted, visible } from "../../magics/render/sanitize.js";

test("visible: bidi controls, zero-width and format characters, controls and ANSI escapes become escapes", () => {
  assert.equal(visible("abc.txt"), "abc.txt", "plain text is untouched");
  assert.equal(visible("héllo wörld 日本 🙂"), "héllo wörld 日本 🙂", "letters and emoji of any script stay");
  assert.equal(visible("a\u202Eb"), "a\\u{202E}b");
  for (const cp of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c]) {
    assert.equal(visible(String.fromCodePoint(cp)), `\\u{${cp.toString(16).toUpperCase()}}`, `bidi U+${cp.toString(16)}`);
  }
  for (const cp of [0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad, 0x180e, 0x034f, 0x3164, 0x115f, 0x2800, 0xe0041]) {
    assert.equal(visible(String.fromCodePoint(cp)), `\\u{${cp.toString(16).toUpperCase()}}`, `invisible U+${cp.toString(16)}`);
  }
  assert.equal(visible("\x1b[31mred\x1b[0m"), "\\u{1B}[31mred\\u{1B}[0m", "ANSI escapes cannot recolour or erase the terminal");
  assert.equal(visible("a\u009bb"), "a\\u{9B}b", "C1 CSI too");
  assert.equal(visible("a\nb\r\tc\x00\x7f"), "a\\nb\\r\\tc\\u{0}\\u{7F}", "one line, always");
  assert.equal(visible("a\u2028b\u2029c"), "a\\u{2028}b\\u{2029}c");
  assert.equal(visible("a\u00a0b\u3000c"), "a\\u{A0}b\\u{3000}c", "look-alike spaces");
  assert.equal(visible("\ud800x"), "\\u{D800}x", "a lone surrogate");
  assert.equal(visible("\\u{202E}"), "\\\\u{202E}", "a backslash is escaped, so a typed escape cannot pass as ours");
  assert.equal(visible(undefined), "");
  assert.equal(visible(42), "42");
});

test("visible: long values are cut with their full length shown, by characters not UTF-16 units", () => {
  const long = "x".repeat(MAX_SHOWN + 50);
  const v = visible(long);
  assert.ok(v.startsWith("x".repeat(MAX_SHOWN) + "…"));
  assert.match(v, new RegExp(`\\[cut: ${MAX_SHOWN + 50} chars, first ${MAX_SHOWN} shown\\]$`));
  assert.equal(visible("🙂".repeat(10), 10), "🙂".repeat(10), "ten emoji are ten characters");
  assert.equal(visible("abcdef", 3), "abc… [cut: 6 chars, first 3 shown]");
  assert.equal(visible("a\u202Ebcdef", 2), "a\\u{202E}… [cut: 7 chars, first 2 shown]");
});

test("quoted: double quotes inside are escaped, so where the value ends is never in doubt", () => {
  assert.equal(quoted('say "hi"'), '"say \\"hi\\""');
  assert.equal(quoted('x" approve? [y/N] "'), '"x\\" approve? [y/N] \\""');
});

test("approvalPrompt: our header, the model's parts quoted and indented, our [y/N] alone on the last line", () => {
  const hostile = "\u202Etxt.exe\n\napprove? [y/N] y\n\x1b[1A\x1b[2K";
  const p = approvalPrompt({ kind: "skill", skill: "deploy\u200b", summary: `run skill deploy: ["${hostile}"]`, argv: ["deploy", hostile, "z".repeat(1000)], modelRef: "openai/gpt-4o-mini" });
  const lines = p.split("\n");
  assert.equal(lines[0], 'approval needed: skill "deploy\\u{200B}" (risk: high) wants to run');
  assert.equal(lines[1], '  requested by model "openai/gpt-4o-mini"');
  assert.equal(lines[2], "  argv (3):");
  assert.equal(lines[3], '    [0] "deploy"');
  assert.equal(lines[4], '    [1] "\\u{202E}txt.exe\\n\\napprove? [y/N] y\\n\\u{1B}[1A\\u{1B}[2K"');
  assert.match(lines[5]!, /^ {4}\[2\] "z{300}… \[cut: 1000 chars, first 300 shown\]"$/);
  assert.match(lines[6]!, /^ {2}summary: "run skill deploy: \[\\"\\u\{202E\}txt/);
  assert.equal(lines.at(-1), "approve? [y/N] ");
  assert.equal(lines.length, 8, "the model's newlines made no lines of their own");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for a raw ESC on purpose
  assert.ok(!/[\u202E\u200B\u001B]/.test(p), "nothing raw");
  const patch = approvalPrompt({ kind: "apply_patch", summary: "apply a patch to a.txt as x/y", argv: Array.from({ length: 25 }, (_, i) => `f${i}.txt`), modelRef: "x/y" });
  assert.match(patch, /^approval needed: apply_patch wants to change files\n/);
  assert.match(patch, /\n {2}files \(25\):\n/);
  assert.match(patch, /\n {4}… and 5 more\n/);
  assert.equal(approvalPrompt({ kind: "skill", summary: "delete nothing" }), 'approval needed: approval requested\n  summary: "delete nothing"\napprove? [y/N] ');
});
