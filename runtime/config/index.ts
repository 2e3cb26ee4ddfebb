export type * from "./types.js";
export { findConfig, checkConfig, checkText, loadConfig, formatIssue, throwIfIssues, redactedConfig, normalizeAuth, type CheckResult, type LocatedIssue, type FindOptions } from "./load.js";
export { isLoopbackHost, parseBind, isFloatingRef, validateRaw, type ConfigIssue } from "./validate.js";
export { looksLikeSecret, isSecretKeyName } from "./secrets.js";
export { didYouMean } from "./didyoumean.js";
