/**
 * Cost estimates from the config's price table (models.prices: per million tokens, by
 * model ref). Never fetched: a price is what the config says, and a ref without one has
 * no estimate (null), rather than a guess.
 */
import type { Usage } from "../models/types.js";

export interface Price {
  input: number;
  output: number;
  currency?: string;
}

export interface Cost {
  amount: number;
  currency: string;
}

export function costOf(prices: Record<string, Price> | undefined, ref: string, usage: Usage | null): Cost | null {
  const p = prices?.[ref];
  if (!p || !usage) return null;
  return { amount: round((usage.promptTokens * p.input + usage.completionTokens * p.output) / 1_000_000), currency: p.currency ?? "USD" };
}

export function addCost(a: Cost | null, b: Cost | null): Cost | null {
  if (!b) return a;
  if (!a) return b;
  return { amount: round(a.amount + b.amount), currency: a.currency };
}

/** Ten decimals: sums of small per-step costs stay exact enough to compare. */
function round(n: number): number {
  return Math.round(n * 1e10) / 1e10;
}
