/** What a caller (skills.invoke, nothing else) asks exec to run. */
export interface ExecRequest {
  /** The program and its arguments: never a shell command line. */
  argv: string[];
  /** Extra variables for the child (a skill's declared env); secret-like names are refused. */
  env?: Record<string, string>;
  /** Names in env that are declared, approved secrets (requires.secrets): they pass the secret checks. */
  secretEnv?: string[];
  /** Default the workspace; must be inside it (by real path). */
  cwd?: string;
  /** Hard limit; default tools.exec.timeoutSec. */
  timeoutSec?: number;
  /** After this the run continues as a background session; default tools.exec.backgroundMs. */
  backgroundMs?: number;
  /** Aborts the run while the caller waits (the kernel's Stop button). */
  signal?: AbortSignal;
  /** Who gets the exit notice: an agent turn id, "kernel", a gateway client. */
  owner?: string;
  label?: string;
  /** Folders the child needs to read (a skill's folder): visible read-only in the sandbox. */
  readOnlyPaths?: string[];
}

export type ExecStatus = "ok" | "failed" | "timeout" | "running" | "aborted";

export interface ExecResult {
  id: string;
  status: ExecStatus;
  argv: string[];
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The tail of what the process wrote (all of it unless `truncated`). */
  stdout: string;
  stderr: string;
  truncated: boolean;
  sandboxed: boolean;
  /** sha256 and byte count of the whole stream, not just the tail kept. */
  stdoutSha256: string;
  stderrSha256: string;
  stdoutBytes: number;
  stderrBytes: number;
  /** Why the process could not start (spawn error), when it could not. */
  error?: string;
  /** Folder holding stdout.log/stderr.log/meta.json, when output was written to disk. */
  logDir?: string | null;
}

/** Told once to whoever started a background run when it ends. */
export interface ExecNotice {
  id: string;
  owner?: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines of output (stdout, then stderr). */
  tail: string;
}

export interface ExecSessionInfo {
  id: string;
  argv: string[];
  pid: number | null;
  status: ExecStatus;
  owner?: string;
  label?: string;
  startedAt: string;
  endedAt: string | null;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  sandboxed: boolean;
  truncated: boolean;
  logDir: string | null;
  /** Started by another process on the same state dir (read from its files). */
  foreign?: boolean;
}
