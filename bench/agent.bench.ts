/**
 * Agent-loop overhead per step against a zero-latency loopback OpenAI-compatible
 * server (time not spent waiting on the model or a tool), beside the bare SDK call
 * to the same server; and llama.cpp generation speed on the GGUF fixture with 1 and
 * 2 threads.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { startFakeOpenAI } from "../tests/fixtures/models/openai-server.js";
import { writeEchoSkill } from "../tests/fixtures/models/runtime.js";
import { makeRuntime } from "../tests/fixtures/runtime.js";
import { writeGguf } from "../tests/fixtures/models/make-gguf.js";
import { LlamaCppChatModel } from "../runtime/models/llamacpp.js";
import type { BenchRow } from "./types.js";

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

export default async function (): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-bench-agent-"));
  const srv = await startFakeOpenAI();
  const rows: BenchRow[] = [];
  try {
    writeEchoSkill(join(dir, "skills"));
    // The bench closes the runtime and removes `dir` itself (below), so no after-hooks.
    const { rt } = makeRuntime({ after: () => undefined }, { dir, config: { skills: { dirs: [join(dir, "skills")], bundled: false }, models: { providers: { openai: { baseURL: srv.url, maxRetries: 0 } } } }, env: { OPENAI_API_KEY: "sk-bench" } });
    const agent = await rt.agent();
    const N = 200;
    // Peer: the bare SDK call (streamed, like the agent's) to the same server.
    const sdk = new OpenAI({ apiKey: "sk-bench", baseURL: srv.url, maxRetries: 0 });
    const bare: number[] = [];
    for (let i = 0; i < N + 20; i++) {
      const t0 = performance.now();
      const s = await sdk.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } });
      for await (const _ of s) void _;
      if (i >= 20) bare.push(performance.now() - t0);
    }
    // One-step turns (answer only), then two-step turns (a tool call through skills.invoke, then the answer).
    const perStep = async (toolCall: boolean) => {
      const over: number[] = [];
      const wall: number[] = [];
      for (let i = 0; i < N + 20; i++) {
        if (toolCall) srv.replies.push({ toolCalls: [{ name: "echo", arguments: { text: "hi" } }] }, { content: "done" });
        else srv.replies.push({ content: "done" });
        const r = await agent.run({ prompt: "hi", maxSteps: 4 });
        if (r.status !== "ok") throw new Error(`bench turn ended ${r.status}: ${r.error}`);
        const end = r.events.at(-1);
        if (end?.type !== "turn.end") throw new Error(`bench turn's last event is ${end?.type}, not turn.end`);
        if (i >= 20) (over.push(Number(end.overheadMs) / r.steps), wall.push(Number(end.durationMs)));
      }
      return { over, wall };
    };
    const { over: one, wall: oneWall } = await perStep(false);
    const { over: two } = await perStep(true);
    const bareP50 = p50(bare);
    rows.push({ name: "agent overhead per step p50 (answer-only turns)", value: p50(one), unit: "ms", peer: "bare SDK streamed call to the same server p50", peerValue: bareP50, ratio: p50(one) / bareP50, target: "< 2 ms", pass: p50(one) < 2, note: `p95 ${p95(one).toFixed(3)} ms, ${N} turns` });
    rows.push({ name: "agent overhead per step p50 (tool-call turns, exec time excluded)", value: p50(two), unit: "ms", peer: "bare SDK streamed call to the same server p50", peerValue: bareP50, ratio: p50(two) / bareP50, target: "< 2 ms", pass: p50(two) < 2, note: `p95 ${p95(two).toFixed(3)} ms, ${N} turns of 2 steps` });
    rows.push({ name: "agent 1-step turn wall time p50", value: p50(oneWall), unit: "ms", peer: "bare SDK streamed call p50", peerValue: bareP50, ratio: p50(oneWall) / bareP50, target: "turn - bare call < 2 ms", pass: p50(oneWall) - bareP50 < 2, note: "whole turn: skills/tools lookup, events, SDK call, result" });
    await rt.close();

    // llama.cpp on the fixture: generation speed by thread count.
    const gguf = writeGguf(join(dir, "models", "tiny.gguf"));
    const speed: Record<number, number> = {};
    for (const threads of [1, 2]) {
      const m = new LlamaCppChatModel({ ref: "llamacpp/tiny.gguf", path: gguf, threads, contextSize: 2048 });
      try {
        await m.bench(16); // warm-up
        let tokens = 0, ms = 0;
        for (let i = 0; i < 5; i++) {
          const r = await m.bench(256);
          tokens += r.tokens;
          ms += r.ms;
        }
        speed[threads] = (tokens / ms) * 1000;
      } finally {
        await m.close();
      }
    }
    rows.push({ name: "llama.cpp tokens/s, fixture model, 2 threads", value: speed[2]!, unit: "tok/s", peer: "same, 1 thread", peerValue: speed[1]!, ratio: speed[2]! / speed[1]!, note: "64-dim 2-layer random-weight GGUF (~0.5 MB), f32, greedy" });
    rows.push({ name: "llama.cpp tokens/s, fixture model, 1 thread", value: speed[1]!, unit: "tok/s" });
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
