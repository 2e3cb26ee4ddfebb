/**
 * Skills that hand a model a shell in disguise: a command template whose program is an
 * interpreter and whose code comes from a {{placeholder}} (`bash -c {{script}}`,
 * `python3 -c {{code}}`, `node -e {{js}}`), or whose script file does
 * (`python3 {{file}}`). Such a skill runs whatever code the caller chooses; argv
 * templating cannot help. They still load (an author may mean it), but `skills list` and
 * doctor say so.
 */
import { basename } from "node:path";
import type { Slot } from "./template.js";

/** Interpreter (basename, version suffix stripped) -> the flags whose next argument is code. */
const CODE_FLAGS: Record<string, string[]> = {
  sh: ["-c"], bash: ["-c"], dash: ["-c"], zsh: ["-c"], ksh: ["-c"], mksh: ["-c"], ash: ["-c"], busybox: ["-c"], fish: ["-c", "--command"], csh: ["-c"], tcsh: ["-c"],
  python: ["-c"], pypy: ["-c"],
  node: ["-e", "--eval", "-p", "--print"], nodejs: ["-e", "--eval", "-p", "--print"], deno: ["eval"], bun: ["-e", "--eval", "-p", "--print"],
  perl: ["-e", "-E"], ruby: ["-e"], php: ["-r"], lua: ["-e"], luajit: ["-e"], tclsh: [], Rscript: ["-e"], julia: ["-e", "--eval"],
  pwsh: ["-c", "-Command", "-command", "-EncodedCommand"], powershell: ["-c", "-Command", "-command", "-EncodedCommand"],
  osascript: ["-e"], awk: [], gawk: [], mawk: [], sed: ["-e"], find: ["-exec", "-execdir", "-ok"],
};
/** Programs that run the rest of their argv as another command. */
const WRAPPERS = new Set(["env", "nice", "nohup", "timeout", "stdbuf", "ionice", "setsid", "sudo", "doas", "chrt", "taskset", "time", "command", "exec", "xargs"]);
/** Interpreters whose first operand is a script (or, for awk/sed/jq, a program text). */
const SCRIPT_FIRST = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "python", "pypy", "node", "nodejs", "bun", "deno", "perl", "ruby", "php", "lua", "luajit", "tclsh", "Rscript", "julia", "pwsh", "powershell", "osascript", "awk", "gawk", "mawk", "sed"]);

const hasParam = (s: Slot | undefined) => !!s?.some((p) => "param" in p);
const lit = (s: Slot | undefined) => (s && s.length === 1 && "lit" in s[0]! ? s[0].lit : undefined);
const params = (s: Slot) => s.filter((p): p is { param: string } => "param" in p).map((p) => `{{${p.param}}}`).join(", ");

function family(prog: string): string {
  return basename(prog).replace(/(\d+(\.\d+)*)$/, "").replace(/\.exe$/i, "");
}

/**
 * Why this template runs code a caller chooses, or null. `slots` as parseTemplate made
 * them (the program may since have been resolved to an absolute path).
 */
export function modelCodeRisk(slots: Slot[]): string | null {
  let i = 0;
  // skip wrappers and their options / VAR=value words (env FOO=1 bash -c …, timeout 5 sh -c …)
  while (i < slots.length && WRAPPERS.has(family(lit(slots[i]) ?? ""))) {
    i++;
    while (i < slots.length && /^(-|[A-Za-z_][A-Za-z0-9_]*=|\d+[smhd]?$)/.test(lit(slots[i]) ?? "")) i++;
  }
  const prog = lit(slots[i]);
  if (prog === undefined) return hasParam(slots[i]) ? `${basename(lit(slots[0]) ?? "")} runs the program named by ${params(slots[i]!)}: whoever fills it (a model) chooses what runs` : null;
  const fam = family(prog);
  const flags = CODE_FLAGS[fam];
  if (!flags) return null;
  for (let j = i + 1; j < slots.length; j++) {
    const s = slots[j]!;
    const first = s[0];
    const head = first && "lit" in first ? first.lit : "";
    // `-c {{code}}` / `--eval {{code}}`, and the glued forms `-c{{code}}`, `--eval={{code}}`
    for (const f of flags) {
      if (head === f && s.length === 1 && hasParam(slots[j + 1])) return `${basename(prog)} ${f} runs the code in ${params(slots[j + 1]!)}: whoever fills it (a model) chooses the code`;
      if (head.startsWith(f) && head !== f && hasParam(s) && (f.startsWith("--") ? head === `${f}=` : true)) return `${basename(prog)} ${f} runs the code in ${params(s)}: whoever fills it (a model) chooses the code`;
    }
  }
  if (SCRIPT_FIRST.has(fam)) {
    // the first operand (not an option) is the script, or the program text for awk/sed/jq
    for (let j = i + 1; j < slots.length; j++) {
      const s = slots[j]!;
      const l = lit(s);
      if (l !== undefined && l.startsWith("-")) continue;
      if (hasParam(s)) return `${basename(prog)} runs the ${/awk|sed/.test(fam) ? "program" : "script"} named by ${params(s)}: whoever fills it (a model) chooses the code`;
      break;
    }
  }
  return null;
}
