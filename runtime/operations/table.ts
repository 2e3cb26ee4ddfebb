/**
 * THE operation table: every operation the CLI, the `%openclaw` magics and the gateway's
 * WebSocket methods reach, defined once. Handlers return data only; magics/ renders it.
 * Heavy parts load inside handlers (dynamic import / lazy services), so importing this
 * table costs a kernel start nothing.
 *
 * Adding an operation: one entry here (name, params schema, reach, handler); then,
 * optionally, a grammar binding in magics/commands/ (CLI and cells), and
 * `node scripts/gen-protocol.mjs` (gateway schema) + `node scripts/gen-docs.mjs` (README).
 */
import { redactedConfig } from "../config/index.js";
import { EXIT, OpenClawError } from "../errors.js";
import { readSchema } from "../paths.js";
import type { AuditRecord } from "../audit/index.js";
import type { ExecSessionInfo } from "../exec/index.js";
import type { SkillInfo } from "../skills/index.js";
import type { RagMode } from "../rag/types.js";
import type { GatewayStatus, StartResult } from "../gateway/types.js";
import type { Operation, OpContext, ParamsSchema } from "./types.js";
import { ParamsError } from "./validate.js";

const ALL = ["cli", "kernel", "gateway"] as const;
const LOCAL = ["cli", "kernel"] as const;
const GATEWAY = ["gateway"] as const;

const NONE: ParamsSchema = { type: "object", properties: {}, additionalProperties: false };
const id = (description: string, maxLength = 200) => ({ type: "string", minLength: 1, maxLength, description });

/** Keeps each entry's param and result types while the table holds them all. */
function op<P, R>(o: Operation<P, R>): Operation<P, R> {
  return o;
}

function client(ctx: OpContext) {
  if (!ctx.client) throw new OpenClawError("this operation is reachable only from a gateway connection", { code: "unavailable" });
  return ctx.client;
}

const notFound = (message: string, fix: string) => new OpenClawError(message, { code: "not_found", exitCode: EXIT.USAGE, fix });

export const health = op({
  name: "health",
  summary: "liveness: service, version, uptime",
  params: NONE,
  reach: GATEWAY,
  async handler(_p, ctx) {
    const { VERSION } = await import("../version.js"); // reads package.json: only when asked
    return { status: "ok" as const, service: "openclaw-kernel" as const, version: VERSION, uptimeMs: client(ctx).status().uptimeMs };
  },
});

export const status = op({
  name: "status",
  summary: "the gateway's status: bind, auth, clients, uptime",
  params: NONE,
  reach: GATEWAY,
  async handler(_p, ctx): Promise<GatewayStatus> {
    return client(ctx).status();
  },
});

export const configValidate = op({
  name: "config.validate",
  summary: "check openclaw.json against the schema; every error with its line and JSON path",
  params: NONE,
  reach: LOCAL,
  async handler(_p, ctx) {
    const { validateReport } = await import("./config-validate.js");
    return validateReport(ctx.services.checkConfig());
  },
});

export const configGet = op({
  name: "config.get",
  summary: "the effective config: defaults filled, paths resolved, secrets never shown",
  params: NONE,
  reach: ALL,
  async handler(_p, ctx) {
    const { config, source } = await ctx.services.config();
    return { path: source.path, via: source.via, system: source.system ?? null, provenance: source.provenance ?? {}, config: redactedConfig(config) };
  },
});

export const configSchema = op({
  name: "config.schema",
  summary: "the JSON Schema of openclaw.json",
  params: NONE,
  reach: ALL,
  async handler() {
    return readSchema("openclaw.schema.json") as Record<string, unknown>;
  },
});

export const doctor = op({
  name: "doctor",
  summary: "health checks: config, exposure, exec governance, model pinning, keys, workspace, Jupyter",
  params: NONE,
  reach: ALL,
  async handler(_p, ctx) {
    return ctx.services.doctor();
  },
});

export const modelsList = op({
  name: "models.list",
  summary: "configured model refs, local GGUF files and scripts, with availability",
  params: { type: "object", properties: { remote: { type: "boolean", description: "also ask the OpenAI-compatible endpoint for its catalog (network call)" } }, additionalProperties: false },
  reach: ALL,
  async handler(p: { remote?: boolean }, ctx) {
    return (await ctx.services.models()).list({ remote: p.remote === true, signal: ctx.signal });
  },
});

export const modelsPin = op({
  name: "models.pin",
  summary: "pin a local GGUF: write its sha256 into openclaw.json (models.providers.llamacpp.sha256); a changed file is then refused",
  params: { type: "object", properties: { ref: { type: "string", minLength: 1, maxLength: 300, description: "llamacpp/<file>.gguf" } }, required: ["ref"], additionalProperties: false },
  reach: LOCAL,
  async handler(p: { ref: string }, ctx) {
    const { source } = await ctx.services.config();
    return (await ctx.services.models()).pin(p.ref, source.path);
  },
});

export const modelsPull = op({
  name: "models.pull",
  summary: "download a GGUF (hf:repo/file.gguf or an https URL) into models.providers.llamacpp.modelsDir through node-llama-cpp's downloader; with rag.pull, the only operations that download",
  params: { type: "object", properties: { source: { type: "string", minLength: 4, maxLength: 2000, description: "hf:<user>/<repo>/<file>.gguf, hf:<user>/<repo>:<quant>, or an http(s) URL ending in .gguf" } }, required: ["source"], additionalProperties: false },
  reach: LOCAL,
  async handler(p: { source: string }, ctx) {
    const { pullModel } = await import("../models/pull.js");
    const { config } = await ctx.services.config();
    let last = 0;
    return pullModel(p.source, config.models.providers.llamacpp.modelsDir, {
      signal: ctx.signal,
      onProgress: (done, total) => {
        const pct = total ? Math.floor((done / total) * 10) : 0;
        if (pct > last) ctx.emit?.({ type: "rag.pull", ts: Date.now(), message: `downloading ${p.source}: ${pct * 10}%` });
        last = Math.max(last, pct);
      },
    });
  },
});

export const skillsList = op({
  name: "skills.list",
  summary: "skills a caller may see: blocked ones with the reason, overrides marked, load errors",
  params: NONE,
  reach: ALL,
  async handler(_p, ctx): Promise<{ skills: SkillInfo[]; errors: Array<{ path: string; message: string }>; count: number }> {
    const skills = await ctx.door.skills();
    const errors = (await ctx.services.skills()).errors();
    return { skills, errors, count: skills.length };
  },
});

export const skillsShow = op({
  name: "skills.show",
  summary: "one skill: its command template as argv, parameters schema, requirements and SKILL.md body",
  params: { type: "object", properties: { name: id("skill name") }, required: ["name"], additionalProperties: false },
  reach: ALL,
  async handler(p: { name: string }, ctx) {
    const reg = await ctx.services.skills();
    const d = reg.details(p.name);
    if (!d) throw notFound(`no skill named "${p.name}"`, `known skills: ${(await ctx.door.skills()).map((s) => s.name).join(", ") || "none"} (\`skills list\`)`);
    return d;
  },
});

export const skillsRegister = op({
  name: "skills.register",
  summary: "load a skill folder (or SKILL.md text) for this session; validated like any other",
  params: {
    type: "object",
    properties: { path: { type: "string", minLength: 1, description: "skill folder or SKILL.md, relative to the working directory" }, text: { type: "string", minLength: 1, description: "SKILL.md text" } },
    additionalProperties: false,
  },
  reach: LOCAL,
  async handler(p: { path?: string; text?: string }, ctx): Promise<SkillInfo> {
    if ((p.path === undefined) === (p.text === undefined)) throw new ParamsError("params.path or params.text is required (one of them, not both)", "path", "or params.text is required (one of them, not both)", "give a skill folder, or the SKILL.md text");
    const reg = await ctx.services.skills();
    if (p.path !== undefined) return reg.register((await import("node:path")).resolve(ctx.services.cwd, p.path));
    return reg.register(p.text!, { fromText: true });
  },
});

export const skillsInvoke = op({
  name: "skills.invoke",
  summary: "run a skill through the governed path (policy, approval, exec, audit); a refusal is a result",
  params: {
    type: "object",
    properties: { name: id("skill name"), params: { type: "object", description: "the skill's parameters, checked against its schema by policy" } },
    required: ["name"],
    additionalProperties: false,
  },
  reach: ALL,
  async handler(p: { name: string; params?: Record<string, unknown> }, ctx) {
    return ctx.door.invoke(p.name, p.params ?? {}, { signal: ctx.signal, approver: ctx.approver, owner: ctx.owner });
  },
});

/** The most characters one {name} value of agent.run may have. */
export const MAX_VAR_CHARS = 200_000;

export const agentRun = op({
  name: "agent.run",
  summary: "one agent turn: the model calls skills as tools, through policy, approvals and audit; events stream",
  params: {
    type: "object",
    properties: {
      prompt: { type: "string", minLength: 1, maxLength: 200_000, description: "what to ask" },
      model: { type: "string", minLength: 1, maxLength: 300, description: "pinned model ref (default agentDefaults.model)" },
      maxSteps: { type: "integer", minimum: 1, maximum: 100, description: "model calls at most (default agentDefaults.maxSteps)" },
      thread: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", description: "conversation thread to continue (made if new); default the session's current thread" },
      new: { type: "boolean", description: "start a new thread (named by thread, else t2, t3, …) instead of continuing" },
      format: { enum: ["markdown", "text", "html", "code", "json"], description: "the answer's format: told to the model; code is a cell-ready snippet shown, never executed; json is parsed" },
      skills: { type: "array", minItems: 1, maxItems: 200, uniqueItems: true, items: { type: "string", minLength: 1, maxLength: 200 }, description: "offer only these skills as tools (intersected with policy); a call to any other is refused" },
      noTools: { type: "boolean", description: "offer no tools; a tool call is refused" },
      vars: {
        type: "object",
        maxProperties: 100,
        additionalProperties: { type: "string", maxLength: MAX_VAR_CHARS },
        description: "values for {name} placeholders in the prompt ({{ and }} are literal braces); each reaches the model fenced as untrusted data. Given: every placeholder must have a value",
      },
    },
    required: ["prompt"],
    additionalProperties: false,
  },
  reach: ALL,
  async handler(p: AgentRunParams, ctx) {
    const agent = await ctx.services.agent();
    // A gateway client's turn acts as the model under that client's door (its records carry
    // the client id); the CLI's and the kernel's under the runtime's own person door.
    const under = "clientId" in ctx.door.actor && ctx.door.actor.clientId ? { door: ctx.door, party: `client:${ctx.door.actor.clientId}` } : {};
    const prompt = p.vars ? (await import("../agent/interpolate.js")).interpolate(p.prompt, p.vars) : p.prompt;
    const r = await agent.run({ prompt, ...(p.skills ? { skills: p.skills } : {}), ...(p.noTools ? { noTools: true } : {}), ...(p.format ? { format: p.format } : {}), ...(p.model ? { model: p.model } : {}), ...(p.maxSteps ? { maxSteps: p.maxSteps } : {}), ...(p.thread ? { thread: p.thread } : {}), ...(p.new ? { newThread: true } : {}), signal: ctx.signal, approver: ctx.approver, onEvent: ctx.emit, ...under });
    const output = p.format ? (await import("../agent/format.js")).shapeOutput(p.format, r.final) : undefined;
    return { ...r, ...(output ? { output } : {}) };
  },
});

/** A gateway client has its own threads; the kernel's and the CLI's person has the session's. */
function partyOf(ctx: OpContext): string | undefined {
  return "clientId" in ctx.door.actor && ctx.door.actor.clientId ? `client:${ctx.door.actor.clientId}` : undefined;
}

export const agentThreads = op({
  name: "agent.threads",
  summary: "this session's conversation threads: turns each, the current one marked",
  params: NONE,
  reach: ALL,
  async handler(_p, ctx) {
    const r = (await ctx.services.agent()).threads(partyOf(ctx));
    return { ...r, count: r.threads.length };
  },
});

export const agentHistory = op({
  name: "agent.history",
  summary: "a thread's exchanges (prompt and answer of each turn), oldest first; default the current thread",
  params: { type: "object", properties: { thread: { type: "string", minLength: 1, maxLength: 64, description: "thread name (`agent threads`)" } }, additionalProperties: false },
  reach: ALL,
  async handler(p: { thread?: string }, ctx) {
    const r = (await ctx.services.agent()).history(p.thread, partyOf(ctx));
    return { ...r, count: r.exchanges.length };
  },
});

export const agentExport = op({
  name: "agent.export",
  summary: "write a recorded turn as a scripted-model file (in models.providers.scripted.scriptsDir): it replays offline and says where a replay diverges",
  params: {
    type: "object",
    properties: {
      id: { type: "string", pattern: "^[0-9a-f-]{36}$", description: "the turn's id (turnId in --json, `recording` of turn.end)" },
      scripted: { type: "string", minLength: 1, maxLength: 200, pattern: "^[^/\\\\]+$", description: "file name to write in models.providers.scripted.scriptsDir; replay it as scripted/<name>" },
      force: { type: "boolean", description: "overwrite an existing file" },
    },
    required: ["id", "scripted"],
    additionalProperties: false,
  },
  reach: LOCAL,
  async handler(p: { id: string; scripted: string; force?: boolean }, ctx) {
    const { loadTurn, toScript } = await import("../agent/record.js");
    const { existsSync, mkdirSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { config } = await ctx.services.config();
    const t = loadTurn(config.stateDir, p.id);
    const name = p.scripted.endsWith(".json") ? p.scripted : `${p.scripted}.json`;
    if (name.startsWith(".")) throw new ParamsError("params.scripted must not start with a dot", "scripted", "must not start with a dot", "give a plain file name, e.g. lesson.json");
    const dir = config.models.providers.scripted.scriptsDir;
    const file = join(dir, name);
    if (existsSync(file) && !p.force) throw new OpenClawError(`${file} exists`, { code: "exists", exitCode: EXIT.USAGE, fix: "choose another name, or --force to overwrite it" });
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(toScript(t), null, 2)}\n`);
    return { id: t.turnId, file, ref: `scripted/${name}`, steps: t.steps.length, model: t.model, modelId: t.modelId, status: t.status };
  },
});

export interface AgentRunParams {
  prompt: string;
  model?: string;
  maxSteps?: number;
  thread?: string;
  new?: boolean;
  vars?: Record<string, string>;
  skills?: string[];
  noTools?: boolean;
  format?: import("../agent/format.js").OutputFormat;
}

export const ragIndex = op({
  name: "rag.index",
  summary: "index the workspace's documents for local retrieval (incremental; full rebuilds)",
  params: {
    type: "object",
    properties: {
      full: { type: "boolean", description: "re-embed every file (needed after changing rag.embedding)" },
      lexicalOnly: { type: "boolean", description: "save the lexical index and return without embedding; queries rank by BM25 until a later rag index fills the vectors" },
    },
    additionalProperties: false,
  },
  reach: LOCAL,
  async handler(p: { full?: boolean; lexicalOnly?: boolean }, ctx) {
    return (await ctx.services.rag()).index({ full: p.full === true, lexicalOnly: p.lexicalOnly === true, signal: ctx.signal });
  },
});

export const ragQuery = op({
  name: "rag.query",
  summary: "retrieve cited passages for a question",
  params: {
    type: "object",
    properties: {
      query: { type: "string", minLength: 1, maxLength: 10_000, description: "the question" },
      topk: { type: "integer", minimum: 1, maximum: 100, description: "how many passages (default rag.topk)" },
      mode: { enum: ["hybrid", "dense", "lexical"], description: "ranking: hybrid (dense + BM25 fused), dense or lexical" },
    },
    required: ["query"],
    additionalProperties: false,
  },
  reach: ALL,
  async handler(p: { query: string; topk?: number; mode?: RagMode }, ctx) {
    return (await ctx.services.rag()).query(p.query, { topk: p.topk, mode: p.mode, signal: ctx.signal });
  },
});

export const ragStatus = op({
  name: "rag.status",
  summary: "is the workspace indexed, and is the index fresh? (never embeds)",
  params: NONE,
  reach: ALL,
  async handler(_p, ctx) {
    return (await ctx.services.rag()).status();
  },
});

export const ragPull = op({
  name: "rag.pull",
  summary: "download an ONNX sentence model for rag.embedding (the only operation that downloads)",
  params: { type: "object", properties: { model: { type: "string", minLength: 1, maxLength: 300, description: "model id, e.g. Xenova/all-MiniLM-L6-v2" } }, required: ["model"], additionalProperties: false },
  reach: LOCAL,
  async handler(p: { model: string }, ctx) {
    const { pullModel } = await import("../rag/pull.js");
    const { modelDirOf } = await import("../rag/embedders/index.js");
    const { config } = await ctx.services.config();
    return pullModel(p.model, modelDirOf(config), { endpoint: ctx.services.env.HF_ENDPOINT, signal: ctx.signal, onFile: (file) => ctx.emit?.({ type: "rag.pull", ts: Date.now(), message: `downloading ${p.model}/${file}` }) });
  },
});

export const execList = op({
  name: "exec.list",
  summary: "background exec sessions, newest first: running, and finished ones until cleanupMs collects them",
  params: { type: "object", properties: { limit: { type: "integer", minimum: 1, maximum: 1000, default: 50, description: "how many sessions at most (newest first)" } }, additionalProperties: false },
  reach: ALL,
  async handler(p: { limit: number }, ctx): Promise<{ sessions: ExecSessionInfo[]; count: number; more: boolean }> {
    // One more than asked tells whether older sessions were left out.
    const got = await ctx.door.execList(p.limit + 1);
    const sessions = got.slice(0, p.limit);
    return { sessions, count: sessions.length, more: got.length > p.limit };
  },
});

export const execLog = op({
  name: "exec.log",
  summary: "a session's status and output (the tail kept in memory; the whole log is in its log folder)",
  params: { type: "object", properties: { id: id("session id from exec.list") }, required: ["id"], additionalProperties: false },
  reach: ALL,
  async handler(p: { id: string }, ctx) {
    return ctx.door.execLog(p.id);
  },
});

export const execKill = op({
  name: "exec.kill",
  summary: "kill a session's whole process group (SIGTERM, then SIGKILL), wait for it; audited",
  params: { type: "object", properties: { id: id("session id from exec.list") }, required: ["id"], additionalProperties: false },
  reach: ALL,
  async handler(p: { id: string }, ctx) {
    return ctx.door.execKill(p.id);
  },
});

export const auditTail = op({
  name: "audit.tail",
  summary: "the last audit records: who, what, decision and rule, exit code, output hashes",
  params: { type: "object", properties: { n: { type: "integer", minimum: 1, maximum: 1000, default: 20, description: "how many records" } }, additionalProperties: false },
  reach: ALL,
  async handler(p: { n: number }, ctx): Promise<{ path: string; count: number; records: AuditRecord[] }> {
    const records = await ctx.door.auditTail(p.n);
    const { config } = await ctx.services.config();
    return { path: config.audit.path, count: records.length, records };
  },
});

export const auditVerify = op({
  name: "audit.verify",
  summary: "walk the keyed hash chain: exit 1 and the first bad record on any modified, deleted, reordered or inserted record, a missing head or key, or a missing anchor",
  params: {
    type: "object",
    properties: { anchor: { type: "string", maxLength: 200, description: "HASH or HASH:SEQ as `audit head` printed it: that record must still be in the chain" } },
    additionalProperties: false,
  },
  reach: ALL,
  async handler(p: { anchor?: string }, ctx) {
    const anchor = p.anchor === undefined ? undefined : (await import("../audit/verify.js")).parseAnchor(p.anchor);
    return ctx.door.auditVerify(anchor ? { anchor } : {});
  },
});

export const auditHead = op({
  name: "audit.head",
  summary: "the chain's current head (seq and keyed hash): an anchor to keep elsewhere for `audit verify --anchor`",
  params: NONE,
  reach: ALL,
  async handler(_p, ctx): Promise<{ path: string; seq: number; hash: string; anchor: string }> {
    const h = await ctx.door.auditHead();
    const { config } = await ctx.services.config();
    return { path: config.audit.path, seq: h.seq, hash: h.hash, anchor: `${h.hash}:${h.seq}` };
  },
});

export const gatewayStart = op({
  name: "gateway.start",
  summary: "start the loopback gateway inside this process (a kernel)",
  params: NONE,
  reach: ["kernel"],
  async handler(_p, ctx): Promise<StartResult & { alreadyRunning: boolean }> {
    const gw = await ctx.services.gateway();
    const first = !gw.running;
    // In a notebook a busy port (another user's gateway on a shared host) is no dead end: a free port is used and named.
    const r = await gw.start({ freePortIfTaken: true, onPairingCode: (c) => ctx.emit?.({ type: "gateway.pairing", ts: Date.now(), message: `pairing code for the control UI (one use): ${c}` }) });
    // The pairing code is shown once, by the start that made it; the token never (it is in the 0600 token file).
    return first ? { ...r, alreadyRunning: false } : { ...r, pairingCode: undefined, alreadyRunning: true };
  },
});

export const gatewayStop = op({
  name: "gateway.stop",
  summary: "stop the gateway this process started (drains running requests first)",
  params: NONE,
  reach: LOCAL,
  async handler(_p, ctx) {
    const gw = await ctx.services.gatewayIfBuilt();
    if (gw?.running) {
      const s = gw.status();
      await gw.stop();
      return { stopped: true, bind: s.bind, port: s.port, url: s.url };
    }
    const g = (await ctx.services.config()).config.gateway;
    const { probeHealth } = await import("../gateway/probe.js");
    const probe = await probeHealth(g.host, g.port, { tls: g.auth.mode === "mtls" });
    if (probe.state === "ours") {
      throw new OpenClawError(`the gateway on ${g.bind} runs in another process; this one cannot stop it`, { code: "not_ours", fix: "press Ctrl-C in its terminal, or send it SIGTERM (`ss -ltnp` shows its pid)" });
    }
    return { stopped: false, bind: g.bind, port: g.port, url: null };
  },
});

export type GatewayStatusData =
  | (GatewayStatus & { running: true; where: "this process"; pairingCode?: string })
  | { running: true; where: "another process"; bind: string; host: string; port: number; url: string; auth: string; version: string; uptimeMs: number; logPath: string }
  | { running: false; where: null; bind: string; note?: string; probe?: string; error?: string | null };

export const gatewayStatus = op({
  name: "gateway.status",
  summary: "is the gateway up? (this process's, or whatever answers /health on the configured bind)",
  params: NONE,
  reach: LOCAL,
  async handler(_p, ctx): Promise<GatewayStatusData> {
    const gw = await ctx.services.gatewayIfBuilt();
    if (gw?.running) {
      const pairing = gw.currentPairingCode();
      return { ...gw.status(), running: true, where: "this process", ...(pairing ? { pairingCode: pairing } : {}) };
    }
    const { config } = await ctx.services.config();
    const g = config.gateway;
    if (g.port === 0) return { running: false, where: null, bind: g.bind, note: "port 0 picks a free port at start: only the process that started it knows the port" };
    const { probeHealth } = await import("../gateway/probe.js");
    const probe = await probeHealth(g.host, g.port, { tls: g.auth.mode === "mtls" });
    if (probe.state === "ours") {
      const { logPath } = await import("../gateway/log.js");
      return { running: true, where: "another process", bind: g.bind, host: g.host, port: g.port, url: probe.url.replace(/health$/, ""), auth: g.auth.mode, version: probe.health!.version, uptimeMs: probe.health!.uptimeMs, logPath: logPath(config.stateDir) };
    }
    return { running: false, where: null, bind: g.bind, probe: probe.state, error: probe.error ?? null };
  },
});

export const gatewayLogs = op({
  name: "gateway.logs",
  summary: "the gateway's JSONL log: the last N lines",
  params: { type: "object", properties: { lines: { type: "integer", minimum: 0, maximum: 100_000, default: 50, description: "how many of the last lines" } }, additionalProperties: false },
  reach: LOCAL,
  async handler(p: { lines: number }, ctx) {
    const { logPath, tailLines } = await import("../gateway/log.js");
    const path = logPath((await ctx.services.config()).config.stateDir);
    const raw = tailLines(path, p.lines);
    const lines = raw.map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return { raw: l };
      }
    });
    return { path, lines, raw };
  },
});

export const secretList = op({
  name: "secret.list",
  summary: "secret names and where each comes from (env or prompt); never values",
  params: NONE,
  reach: LOCAL,
  async handler(_p, ctx) {
    const SECRETISH = /(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;
    const env = ctx.services.env;
    const known = await ctx.services.secretNames();
    const entered = known?.entered ?? [];
    const wanted = new Set<string>();
    if (known) wanted.add(known.apiKeyEnv);
    for (const k of Object.keys(env)) if (SECRETISH.test(k) && env[k]) wanted.add(k);
    for (const k of entered) wanted.delete(k);
    const secrets = [...entered.map((name) => ({ name, source: "prompt" as const, set: true })), ...[...wanted].sort().map((name) => ({ name, source: "env" as const, set: !!env[name] }))];
    return { secrets };
  },
});

export const execApprovalResolve = op({
  name: "exec.approval.resolve",
  summary: "answer an exec.approval.requested event sent to this client",
  params: { type: "object", properties: { approvalId: id("from the exec.approval.requested event"), approve: { type: "boolean" } }, required: ["approvalId", "approve"], additionalProperties: false },
  reach: GATEWAY,
  async handler(p: { approvalId: string; approve: boolean }, ctx) {
    if (!client(ctx).resolveApproval(p.approvalId, p.approve)) throw new OpenClawError(`no pending approval ${p.approvalId} for this client`, { code: "not_found", fix: "approvals expire after 5 minutes or when the request ends" });
    return { approvalId: p.approvalId, approved: p.approve };
  },
});

export const eventsSubscribe = op({
  name: "events.subscribe",
  summary: "receive runtime events whose type starts with one of the prefixes (none: every event)",
  params: { type: "object", properties: { types: { type: "array", maxItems: 64, items: { type: "string", maxLength: 128 }, description: "event-type prefixes, e.g. [\"exec.\"]" } }, additionalProperties: false },
  reach: GATEWAY,
  async handler(p: { types?: string[] }, ctx) {
    client(ctx).subscribe(p.types ?? []);
    return { subscribed: p.types ?? ["*"] };
  },
});

export const eventsUnsubscribe = op({
  name: "events.unsubscribe",
  summary: "stop receiving runtime events (exit notices of this client's own runs still come)",
  params: NONE,
  reach: GATEWAY,
  async handler(_p, ctx) {
    client(ctx).subscribe(null);
    return { subscribed: [] as string[] };
  },
});

export const cancel = op({
  name: "cancel",
  summary: "abort a running request of this client by its id",
  params: { type: "object", properties: { id: id("the request's id", 128) }, required: ["id"], additionalProperties: false },
  reach: GATEWAY,
  async handler(p: { id: string }, ctx) {
    return { id: p.id, cancelled: client(ctx).cancel(p.id) };
  },
});

/** Every operation, by name. */
export const OPERATIONS = [
  health,
  status,
  configValidate,
  configGet,
  configSchema,
  doctor,
  modelsList,
  modelsPin,
  modelsPull,
  skillsList,
  skillsShow,
  skillsRegister,
  skillsInvoke,
  agentRun,
  agentThreads,
  agentHistory,
  agentExport,
  ragIndex,
  ragQuery,
  ragStatus,
  ragPull,
  execList,
  execLog,
  execKill,
  auditTail,
  auditVerify,
  auditHead,
  gatewayStart,
  gatewayStop,
  gatewayStatus,
  gatewayLogs,
  secretList,
  execApprovalResolve,
  eventsSubscribe,
  eventsUnsubscribe,
  cancel,
] as const;
