/** Plain-text helpers shared by the commands' text renderings. */
export function padTable(rows: string[][]): string {
  if (!rows.length) return "";
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n");
}

const useColor = () => process.stdout.isTTY === true && !process.env.NO_COLOR;

export function color(s: string, status: string): string {
  if (!useColor()) return s;
  const code = status === "ok" ? 32 : status === "warn" ? 33 : status === "fail" ? 31 : 0;
  return code ? `\x1b[${code}m${s}\x1b[0m` : s;
}

export function indent(s: string, n = 2): string {
  return s
    .split("\n")
    .map((l) => " ".repeat(n) + l)
    .join("\n");
}

/** `[########----------------] 12/36` for a terminal's progress line. */
export function progressBar(done: number, total: number, width = 24): string {
  const t = Math.max(1, total);
  const filled = Math.round((Math.min(Math.max(done, 0), t) / t) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}
