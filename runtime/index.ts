/**
 * openclaw-kernel's public entry (package.json "exports" "."): the runtime, config
 * loading, errors, and the types generated from schemas/. Everything else under dist/ is
 * internal: the exports map keeps it from being imported by package name.
 */
export { Runtime, type RuntimeOptions, type HostKind } from "./runtime.js";
export { loadConfig, checkConfig, checkText, formatIssue, redactedConfig } from "./config/index.js";
export type { OpenClawConfig, OpenClawJson, LoadedConfig, ConfigSource, GatewayConfig, GatewayAuth, ExecConfig, CheckResult } from "./config/index.js";
export { OpenClawError, UsageError, ConfigError, SafetyError, PolicyError, NotFoundError, AbortedError, isOpenClawError, formatError, EXIT, type ExitCode } from "./errors.js";
export { VERSION } from "./version.js";
export type * from "./events.js";
export type { RagResult, RagHit, RagMode, RagProgress, IndexReport, QueryOptions, IndexOptions } from "./rag/types.js";
export type { AuditRecord, AuditInput, Digest, VerifyReport } from "./audit/types.js";
export type { SkillFrontmatter } from "./generated/skill.js";
export type { Frame, ReqFrame, ResFrame, ErrorBody } from "./gateway/protocol.js";
