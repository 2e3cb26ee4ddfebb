/**
 * Who may talk to the gateway: the token (from the environment or a 0600 file we
 * generate), constant-time comparison, a per-address limiter for failed attempts
 * (loopback included: "ClawJacked" brute-forced a loopback gateway from a web page),
 * and one-time pairing codes for `control.deviceAuth`.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SafetyError } from "../errors.js";

export interface TokenInfo {
  token: string;
  source: "env" | "file";
  /** The env var name or the file path (never the value). */
  where: string;
  /** True only the first time, when we generated it: the caller prints it once. */
  generated: boolean;
}

export function tokenPath(stateDir: string): string {
  return join(stateDir, "gateway", "token");
}

/** The gateway's state folder (token, log), created 0700. */
export function gatewayDir(stateDir: string): string {
  const dir = join(stateDir, "gateway");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dir, 0o700);
  } catch {
    /* not ours to fix (e.g. read-only); the token file check still fails closed */
  }
  return dir;
}

/**
 * The token: $<tokenEnv> (via runtime.secret, so `%openclaw secret` works) or the
 * state dir's token file, generated on first use. A token file others can read is
 * refused rather than used: fail closed.
 */
export function resolveToken(opts: { tokenEnv: string; stateDir: string; secret: (name: string) => string | undefined }): TokenInfo {
  const fromEnv = opts.secret(opts.tokenEnv);
  if (fromEnv !== undefined && fromEnv !== "") {
    if (fromEnv.length < 16) {
      throw new SafetyError(`$${opts.tokenEnv} holds a token of ${fromEnv.length} characters: too short to resist guessing`, {
        code: "weak_token",
        fix: `use at least 16 random characters, e.g. export ${opts.tokenEnv}=$(openssl rand -hex 32), or unset it to have one generated`,
      });
    }
    return { token: fromEnv, source: "env", where: opts.tokenEnv, generated: false };
  }
  gatewayDir(opts.stateDir);
  const file = tokenPath(opts.stateDir);
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) {
      throw new SafetyError(`the gateway token file ${file} is readable by others (mode ${mode.toString(8)})`, { code: "token_file_mode", fix: `chmod 600 ${file}` });
    }
    const token = readFileSync(file, "utf8").trim();
    if (token.length >= 16) return { token, source: "file", where: file, generated: false };
  }
  const token = randomBytes(32).toString("base64url");
  writeFileSync(file, token + "\n", { mode: 0o600 });
  chmodSync(file, 0o600); // an existing (too short) file keeps its old mode otherwise
  return { token, source: "file", where: file, generated: true };
}

/**
 * Constant-time equality. Hashing both sides first gives equal lengths, so neither the
 * content nor the length of the real token leaks through timing.
 */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** "Bearer <token>" -> token; anything else -> undefined. */
export function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** Query parameters that would carry a credential: refused, because URLs end up in logs and history. */
const CREDENTIAL_PARAMS = /^(token|access_token|auth|authorization|api_key|apikey|key|session|password)$/i;

export function queryCredential(url: string): string | undefined {
  const q = url.indexOf("?");
  if (q < 0) return undefined;
  for (const k of new URLSearchParams(url.slice(q + 1)).keys()) if (CREDENTIAL_PARAMS.test(k)) return k;
  return undefined;
}

/**
 * Failed attempts per client address in a sliding minute, answered by slowing down, never
 * by refusing the right credential for a fixed time (ten wrong tokens from any local
 * process used to lock the owner out for 60 s).
 *
 * - The first `freePerMinute` failures cost nothing. Each later one is answered only after
 *   a delay that doubles per failure (250 ms, 500 ms, 1 s, …, capped at `maxDelayMs`).
 * - While a wrong attempt waits out its delay it holds one of `maxPending` slots of its
 *   address; an attempt that finds every slot taken gets 429 at once, unchecked. Guessing
 *   is therefore bounded to about `maxPending` tries per `maxDelayMs` (plus the free ones),
 *   however many connections a guesser opens.
 * - A right credential is checked as soon as a slot is free and answered at once: after a
 *   burst of wrong tokens the owner gets in as soon as the burst's delays have run out,
 *   at most `maxDelayMs` later. (A process that keeps every slot busy without pause can
 *   still delay the owner; it cannot lock the owner out with a burst.)
 */
export class FailureLimiter {
  private readonly fails = new Map<string, number[]>();
  private readonly pending = new Map<string, number>();
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxPending: number;
  private readonly now: () => number;

  constructor(
    private readonly freePerMinute: number,
    opts: { now?: () => number; baseDelayMs?: number; maxDelayMs?: number; maxPending?: number } | (() => number) = {},
  ) {
    const o = typeof opts === "function" ? { now: opts } : opts;
    this.now = o.now ?? Date.now;
    this.baseDelayMs = o.baseDelayMs ?? 250;
    this.maxDelayMs = o.maxDelayMs ?? 8_000;
    this.maxPending = o.maxPending ?? 2;
  }

  /**
   * Every loopback address is one bucket: 127.0.0.0/8 holds 16 million of them, so a
   * per-address count would let a local guesser rotate addresses without limit.
   */
  private static bucket(addr: string): string {
    const a = addr.replace(/^::ffff:/i, "");
    return /^127\./.test(a) || a === "::1" ? "loopback" : a;
  }

  private recent(addrIn: string): number[] {
    const addr = FailureLimiter.bucket(addrIn);
    const cutoff = this.now() - 60_000;
    const list = (this.fails.get(addr) ?? []).filter((t) => t > cutoff);
    if (list.length) this.fails.set(addr, list);
    else this.fails.delete(addr);
    return list;
  }

  /** Failures from this address in the last minute. */
  failures(addr: string): number {
    return this.recent(addr).length;
  }

  /** How long the answer to a failure is held now (0 while under the free allowance). */
  delayMs(addr: string): number {
    const over = this.recent(addr).length - this.freePerMinute;
    if (over < 0) return 0;
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(over, 30));
  }

  /** True when every slot of this address is held by a slowed-down failure: answer 429 unchecked. */
  blocked(addr: string): boolean {
    return (this.pending.get(FailureLimiter.bucket(addr)) ?? 0) >= this.maxPending;
  }

  /** Seconds a refused client should wait before trying again. */
  retryAfter(addr: string): number {
    return Math.max(1, Math.ceil(Math.max(this.delayMs(addr), this.baseDelayMs) / 1000));
  }

  /**
   * Records a failure and resolves once its delay has passed; the address's slot is held
   * meanwhile. Call before answering the failed attempt.
   */
  async fail(addrIn: string): Promise<void> {
    const addr = FailureLimiter.bucket(addrIn);
    const list = this.recent(addr);
    list.push(this.now());
    this.fails.set(addr, list);
    // Bound memory under a flood of distinct addresses (only reachable with a non-loopback bind).
    if (this.fails.size > 10_000) this.fails.delete(this.fails.keys().next().value!);
    const delay = this.delayMs(addr);
    if (delay <= 0) return;
    this.pending.set(addr, (this.pending.get(addr) ?? 0) + 1);
    try {
      await new Promise((r) => setTimeout(r, delay));
    } finally {
      const n = (this.pending.get(addr) ?? 1) - 1;
      if (n > 0) this.pending.set(addr, n);
      else this.pending.delete(addr);
    }
  }
}

/**
 * `control.deviceAuth`: a short code shown where the gateway was started; a client that
 * presents it once gets a session id for later connects. Each code works once; a new
 * one is made (and shown) after use.
 */
export class Pairing {
  private code: string;
  private readonly sessions = new Set<string>();
  constructor(private readonly onCode: (code: string) => void) {
    this.code = Pairing.newCode();
    onCode(this.code);
  }

  static newCode(): string {
    // 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L): ~40 bits.
    const abc = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    const bytes = randomBytes(8);
    let s = "";
    for (const b of bytes) s += abc[b % abc.length];
    return `${s.slice(0, 4)}-${s.slice(4)}`;
  }

  current(): string {
    return this.code;
  }

  /** Trades a valid code for a new session id (and rotates the code); undefined when wrong. */
  redeem(given: string): string | undefined {
    const norm = given.toUpperCase().replace(/[^0-9A-Z]/g, "");
    if (!safeEqual(norm, this.code.replace("-", ""))) return undefined;
    const session = randomBytes(24).toString("base64url");
    this.sessions.add(session);
    this.code = Pairing.newCode();
    this.onCode(this.code);
    return session;
  }

  hasSession(s: string): boolean {
    for (const known of this.sessions) if (safeEqual(s, known)) return true;
    return false;
  }
}
