/**
 * The data of `config.validate`: every issue of a checked config with its line, JSON pointer
 * and the one-line text. Its own module so the CLI's `config validate` (bin/openclaw-kernel.ts)
 * builds the same data without loading the operation table (issue 18, CLI start).
 */
import { formatIssue, type CheckResult } from "../config/index.js";

export function validateReport(r: CheckResult) {
  return {
    ok: r.issues.length === 0,
    path: r.source.path,
    via: r.source.via,
    errors: r.issues.map((i) => ({ file: i.file, line: i.line, pointer: i.pointer, message: i.message, kind: i.kind, text: formatIssue(i) })),
  };
}

export type ValidateReport = ReturnType<typeof validateReport>;
