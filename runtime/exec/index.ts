/**
 * Governed exec: the one place a process is started. See manager.ts.
 */
export { ExecManager, type ExecManagerOptions } from "./manager.js";
export type { ExecRequest, ExecResult, ExecNotice, ExecSessionInfo, ExecStatus } from "./types.js";
export { childEnv, refusedEnvName, BASE_ENV } from "./env.js";
export { probeSandbox, sandboxArgv, isInside, BWRAP_CANDIDATES, type SandboxProbe } from "./sandbox.js";
export { signalGroup, killGroup } from "./kill.js";
export type { ExecConfig } from "../config/index.js";
