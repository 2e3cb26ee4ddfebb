/**
 * Prometheus metrics on a Registry of our own (never prom-client's global one, so two
 * gateways in one process, or a host app using prom-client, never collide).
 * Exec, skill and agent figures come from the runtime's event bus plus the gateway's
 * own skills.invoke results, so they count work started from any front door while the
 * gateway runs.
 */
import { Counter, Histogram, Registry } from "prom-client";
import type { RuntimeEvent } from "../events.js";

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly http = new Counter({ name: "openclaw_gateway_http_requests_total", help: "HTTP requests by route and status", labelNames: ["route", "status"], registers: [this.registry] });
  readonly authFailures = new Counter({ name: "openclaw_gateway_auth_failures_total", help: "Failed authentication attempts", labelNames: ["transport", "reason"], registers: [this.registry] });
  readonly guardRejects = new Counter({ name: "openclaw_gateway_guard_rejections_total", help: "Requests refused by the Host/Origin guard", labelNames: ["transport"], registers: [this.registry] });
  readonly wsClients = new Counter({ name: "openclaw_gateway_ws_connections_total", help: "WebSocket connections accepted", registers: [this.registry] });
  readonly wsMethods = new Counter({ name: "openclaw_gateway_ws_requests_total", help: "WebSocket requests by method and outcome", labelNames: ["method", "ok"], registers: [this.registry] });
  readonly execRuns = new Counter({ name: "openclaw_exec_runs_total", help: "Exec runs finished", labelNames: ["source"], registers: [this.registry] });
  readonly execFailures = new Counter({ name: "openclaw_exec_failures_total", help: "Exec runs that exited non-zero or by a signal", labelNames: ["source"], registers: [this.registry] });
  readonly execTimeouts = new Counter({ name: "openclaw_exec_timeouts_total", help: "Exec runs killed by their timeout", labelNames: ["source"], registers: [this.registry] });
  readonly execDuration = new Histogram({
    name: "openclaw_exec_duration_seconds",
    help: "Exec run durations",
    labelNames: ["source"],
    buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120, 600, 1800],
    registers: [this.registry],
  });
  readonly skillInvocations = new Counter({ name: "openclaw_skill_invocations_total", help: "Skill invocations by status", labelNames: ["source", "status"], registers: [this.registry] });
  readonly agentTurns = new Counter({ name: "openclaw_agent_turns_total", help: "Agent turns finished by status", labelNames: ["status"], registers: [this.registry] });

  /**
   * The hot path's counter: /health answers are counted in a plain number and added to
   * openclaw_gateway_http_requests_total{route="/health",status="200"} when the metrics are
   * read (prom-client hashes the labels on every increment, a tenth of a /health answer).
   */
  readonly healthOk = {
    pending: 0,
    inc(): void {
      this.pending++;
    },
  };
  private readonly healthChild = this.http.labels("/health", "200");

  private flush(): void {
    if (this.healthOk.pending) {
      this.healthChild.inc(this.healthOk.pending);
      this.healthOk.pending = 0;
    }
  }

  /** A finished exec, from an exit notice or an invocation result. */
  recordExec(source: string, result: object): void {
    const r = result as { durationMs?: unknown; timedOut?: unknown; exitCode?: unknown; signal?: unknown };
    this.execRuns.inc({ source });
    if (typeof r.durationMs === "number") this.execDuration.observe({ source }, r.durationMs / 1000);
    if (r.timedOut === true) this.execTimeouts.inc({ source });
    if ((typeof r.exitCode === "number" && r.exitCode !== 0) || (typeof r.signal === "string" && r.signal)) this.execFailures.inc({ source });
  }

  /** A skills.invoke result (gateway method). A "running" result finishes later as exec.exit. */
  recordInvoke(r: { status: string; durationMs: number; timedOut: boolean; exitCode: number | null; signal: string | null }): void {
    const status = r.status;
    this.skillInvocations.inc({ source: "gateway", status });
    if (status === "ok" || status === "failed" || status === "timeout") this.recordExec("gateway", { durationMs: r.durationMs, timedOut: r.timedOut, exitCode: r.exitCode, signal: r.signal });
  }

  /** Runtime bus events: background exits, agent tool results, turn ends. */
  onEvent(e: RuntimeEvent): void {
    switch (e.type) {
      case "exec.exit":
        this.recordExec("background", e);
        break;
      case "tool.result":
        this.skillInvocations.inc({ source: "agent", status: typeof e.status === "string" ? e.status : "unknown" });
        break;
      case "turn.end":
        this.agentTurns.inc({ status: typeof e.status === "string" ? e.status : "ok" });
        break;
    }
  }

  text(): Promise<string> {
    this.flush();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
