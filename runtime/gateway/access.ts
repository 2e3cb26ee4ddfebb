/**
 * One decision for "may this client in?", shared by HTTP (Authorization: Bearer) and
 * the WebSocket `connect` frame, so both transports apply the same rules, the same
 * rate limit and the same counters.
 */
import type { GatewayConfig } from "../config/index.js";
import { FailureLimiter, Pairing, safeEqual } from "./auth.js";
import type { GatewayLog } from "./log.js";
import type { GatewayMetrics } from "./metrics.js";

export interface Credentials {
  token?: string;
  pairingCode?: string;
  session?: string;
}

export type AccessVerdict = { ok: true; session?: string } | { ok: false; code: "unauthorized" | "rate_limited" | "pairing_required"; message: string; fix: string; retryAfter?: number };

export class Access {
  readonly limiter: FailureLimiter;
  readonly pairing: Pairing | undefined;

  constructor(
    private readonly cfg: GatewayConfig,
    private readonly token: string | undefined,
    private readonly metrics: GatewayMetrics,
    private readonly log: GatewayLog,
    onPairingCode: (code: string) => void,
  ) {
    this.limiter = new FailureLimiter(cfg.authFailuresPerMinute);
    this.pairing = cfg.control.deviceAuth ? new Pairing(onPairingCode) : undefined;
  }

  /** Whether HTTP routes other than /health and the UI page need credentials. */
  get httpNeedsCredentials(): boolean {
    return this.cfg.auth.mode === "token" || this.pairing !== undefined;
  }

  /**
   * A refusal. Only a wrong credential counts toward the limit (sending none guesses
   * nothing, and the UI's first try has none); it is answered after the limiter's delay.
   */
  private async refuse(addr: string, transport: string, reason: string, v: Omit<Extract<AccessVerdict, { ok: false }>, "ok">): Promise<AccessVerdict> {
    this.metrics.authFailures.inc({ transport, reason });
    this.log.write("warn", "auth failed", { addr, transport, reason });
    if (reason !== "missing_token") await this.limiter.fail(addr);
    return { ok: false, ...v };
  }

  /**
   * 429 only while every slot of this address is held by a slowed-down failure (checked
   * before the credential, so a guess in that state learns nothing); otherwise the
   * credential is checked at once and a right one gets in. Then token, then pairing.
   */
  async check(c: Credentials, addr: string, transport: "http" | "ws", tlsAuthorized: boolean): Promise<AccessVerdict> {
    if (this.limiter.blocked(addr)) {
      this.metrics.authFailures.inc({ transport, reason: "rate_limited" });
      const retryAfter = this.limiter.retryAfter(addr);
      return { ok: false, code: "rate_limited", message: `too many failed attempts from ${addr}; try again in ${retryAfter} s`, fix: "check the token you send; failed attempts beyond gateway.authFailuresPerMinute are answered slower and slower", retryAfter };
    }
    const mode = this.cfg.auth.mode;
    if (mode === "token") {
      if (!c.token) return this.refuse(addr, transport, "missing_token", { code: "unauthorized", message: "a token is required", fix: transport === "http" ? "send Authorization: Bearer <token>" : 'put the token in the connect frame: {"method":"connect","params":{"token":"…"}}' });
      if (!safeEqual(c.token, this.token ?? "")) return this.refuse(addr, transport, "wrong_token", { code: "unauthorized", message: "wrong token", fix: "use the token from $OPENCLAW_GATEWAY_TOKEN (or the env var gateway.auth.tokenEnv names) or the state dir's gateway/token file" });
    } else if (mode === "mtls" && !tlsAuthorized) {
      // The TLS layer refuses unauthenticated peers already; this is the second lock.
      return this.refuse(addr, transport, "no_client_cert", { code: "unauthorized", message: "a client certificate signed by the configured CA is required", fix: "connect with a client certificate issued by gateway.auth.ca" });
    }
    if (!this.pairing) return { ok: true };
    if (c.session && this.pairing.hasSession(c.session)) return { ok: true, session: c.session };
    if (c.pairingCode) {
      const session = this.pairing.redeem(c.pairingCode);
      if (session) {
        this.log.write("info", "device paired", { addr, transport });
        return { ok: true, session };
      }
      return this.refuse(addr, transport, "wrong_pairing_code", { code: "pairing_required", message: "wrong or already used pairing code", fix: "enter the code shown where the gateway was started (each code works once)" });
    }
    if (c.session) return this.refuse(addr, transport, "unknown_session", { code: "pairing_required", message: "unknown session (the gateway may have restarted)", fix: "pair again with the code shown where the gateway was started" });
    // Not a failure by itself: the UI asks for the code next.
    return { ok: false, code: "pairing_required", message: "this gateway requires device pairing (control.deviceAuth)", fix: "enter the pairing code shown where the gateway was started" };
  }

  /**
   * HTTP credentials: the Bearer value is the token in token mode, or a paired session
   * when deviceAuth is on.
   */
  async checkHttp(bearerValue: string | undefined, addr: string, tlsAuthorized: boolean): Promise<AccessVerdict> {
    if (!this.httpNeedsCredentials) return this.check({}, addr, "http", tlsAuthorized);
    if (this.cfg.auth.mode === "token") {
      const v = await this.check({ token: bearerValue }, addr, "http", tlsAuthorized);
      return v.ok || !this.pairing || v.code !== "pairing_required" ? v : { ok: true }; // the token alone suffices over HTTP
    }
    return this.check({ session: bearerValue ?? "" }, addr, "http", tlsAuthorized);
  }
}
