/**
 * Conversation threads: consecutive agent turns of one session (a kernel) continue one
 * thread by default, so a follow-up cell can say "and the second one?". A thread keeps
 * the exchanges (the user's prompt as sent, the model's final answer) of its turns that
 * ended with an answer. What is sent back is bounded: oldest exchanges are dropped first
 * to fit agentDefaults.historyTokens, and the turn says so (a turn.note event), so a
 * long conversation never ends in a provider's context-length error nobody saw coming.
 */
import { UsageError } from "../errors.js";
import type { ChatMessage } from "../models/types.js";

export interface Exchange {
  turnId: string;
  ts: number;
  model: string;
  prompt: string;
  answer: string;
}

export interface ThreadInfo {
  name: string;
  current: boolean;
  turns: number;
  createdAt: number;
  lastAt: number | null;
}

interface Thread {
  name: string;
  createdAt: number;
  exchanges: Exchange[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Rough token estimate (4 characters a token): enough to stay under a context window with margin. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export class Threads {
  readonly #threads = new Map<string, Thread>();
  #current = "main";
  #made = 1;

  constructor() {
    this.#threads.set("main", { name: "main", createdAt: Date.now(), exchanges: [] });
  }

  get current(): string {
    return this.#current;
  }

  /** Picks the thread a turn runs in: `name` switches to it (made if new); `fresh` starts a new one (named, or t2, t3, …). */
  select(opts: { name?: string; fresh?: boolean }): string {
    if (opts.name !== undefined && !NAME.test(opts.name)) throw new UsageError(`thread name "${opts.name}" is not valid`, { fix: "use letters, digits, '.', '_' or '-' (at most 64), e.g. --thread review" });
    let name = opts.name;
    if (opts.fresh) {
      if (name === undefined) {
        do name = `t${++this.#made}`;
        while (this.#threads.has(name));
      }
      this.#threads.set(name, { name, createdAt: Date.now(), exchanges: [] });
    } else if (name !== undefined && !this.#threads.has(name)) {
      this.#threads.set(name, { name, createdAt: Date.now(), exchanges: [] });
    }
    if (name !== undefined) this.#current = name;
    return this.#current;
  }

  /**
   * The history messages to send before a new prompt: the newest exchanges that fit
   * `budget` estimated tokens. `dropped` counts the older ones left out.
   */
  history(name: string, budget: number): { messages: ChatMessage[]; sent: number; dropped: number; tokens: number } {
    const ex = this.#threads.get(name)?.exchanges ?? [];
    let tokens = 0;
    let i = ex.length;
    while (i > 0) {
      const e = ex[i - 1]!;
      const t = estimateTokens(e.prompt) + estimateTokens(e.answer);
      if (tokens + t > budget) break;
      tokens += t;
      i--;
    }
    const kept = ex.slice(i);
    const messages: ChatMessage[] = kept.flatMap((e) => [
      { role: "user" as const, content: e.prompt },
      { role: "assistant" as const, content: e.answer },
    ]);
    return { messages, sent: kept.length, dropped: i, tokens };
  }

  add(name: string, e: Exchange): void {
    let t = this.#threads.get(name);
    if (!t) this.#threads.set(name, (t = { name, createdAt: Date.now(), exchanges: [] }));
    t.exchanges.push(e);
  }

  list(): ThreadInfo[] {
    return [...this.#threads.values()].map((t) => ({ name: t.name, current: t.name === this.#current, turns: t.exchanges.length, createdAt: t.createdAt, lastAt: t.exchanges.at(-1)?.ts ?? null }));
  }

  /** A thread's exchanges, oldest first; unknown name: NotFound-like usage error naming the known ones. */
  get(name?: string): { name: string; exchanges: Exchange[] } {
    const n = name ?? this.#current;
    const t = this.#threads.get(n);
    if (!t) throw new UsageError(`no thread named "${n}"`, { fix: `known threads: ${[...this.#threads.keys()].join(", ")} (\`agent threads\`)` });
    return { name: t.name, exchanges: [...t.exchanges] };
  }
}
