import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecConfig } from "../../runtime/config/index.js";
import { ExecManager, type ExecManagerOptions } from "../../runtime/exec/index.js";
import type { RuntimeEvent } from "../../runtime/events.js";
import { tmp } from "../helpers/index.js";

export const BASE: ExecConfig = {
  backgroundMs: 10000,
  timeoutSec: 30,
  cleanupMs: 60000,
  notifyOnExit: true,
  notifyOnExitEmptySuccess: false,
  applyPatch: { enabled: false, allowedModels: [] },
  sandbox: "off",
  maxOutputBytes: 1 << 20,
  maxLogBytes: 32 << 20,
  env: [],
};

/** An ExecManager on a temp workspace and state dir (in a fresh folder under `base`, default the OS temp dir), closed after the test; events collected. */
export function makeExec(t: { after(fn: () => void | Promise<void>): void }, config: Partial<ExecConfig> = {}, extra: Partial<ExecManagerOptions> = {}, base?: string) {
  const dir = tmp(t as { after(fn: () => void): void }, "openclaw-test-", base);
  const workspace = join(dir, "ws");
  const stateDir = join(dir, "state");
  mkdirSync(workspace, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  const events: RuntimeEvent[] = [];
  const ex = new ExecManager({ config: { ...BASE, ...config }, workspace, stateDir, emit: (e) => events.push({ ts: Date.now(), ...e } as RuntimeEvent), hostEnv: { PATH: process.env.PATH, HOME: process.env.HOME }, ...extra });
  t.after(() => ex.close());
  return { ex, events, dir, workspace, stateDir };
}

/** Pids of live processes whose command line contains `marker` (scans /proc). */
export function findProcs(marker: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0/g, " ");
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (cmd.includes(marker) && state !== "Z") out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until fn() is true or the bound passes. */
export async function until(fn: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fn()) return true;
    await sleep(20);
  }
  return fn();
}
