/**
 * Repeat-until-stable measurement shared by the benchmarks: interleaved rounds of the
 * subject and its peer, stopped when both medians' spread is small (or the round budget
 * is spent, in which case the row says the machine was noisy).
 */
export interface Spread {
  min: number;
  median: number;
  max: number;
  n: number;
}

export function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]!;
  return { min: s[0]!, median: q(0.5), max: s[s.length - 1]!, n: s.length };
}

/** Relative interquartile range: (p75 - p25) / median. */
export function relIqr(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]!;
  return (q(0.75) - q(0.25)) / q(0.5);
}

export interface Stable {
  subject: Spread;
  peer: Spread;
  /** Median of per-round ratios subject/peer, with their min and max. */
  ratio: Spread;
  noisy: boolean;
}

/**
 * Runs `subject` and `peer` alternately (one sample each per round) for at least
 * `minRounds`, then until both relative IQRs are under `tolerance` or `maxRounds`.
 */
export async function stableRatio(subject: () => Promise<number>, peer: () => Promise<number>, opts: { minRounds?: number; maxRounds?: number; tolerance?: number } = {}): Promise<Stable> {
  const minRounds = opts.minRounds ?? 9;
  const maxRounds = opts.maxRounds ?? 40;
  const tol = opts.tolerance ?? 0.1;
  const a: number[] = [];
  const b: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < maxRounds; i++) {
    const x = await subject();
    const y = await peer();
    a.push(x);
    b.push(y);
    r.push(x / y);
    if (i + 1 >= minRounds && relIqr(a) < tol && relIqr(b) < tol) break;
  }
  return { subject: spread(a), peer: spread(b), ratio: spread(r), noisy: relIqr(a) >= tol || relIqr(b) >= tol };
}

export function describe(s: Stable, unit: string, digits = 1): string {
  const f = (n: number) => n.toFixed(digits);
  return `min/median/max ${f(s.subject.min)}/${f(s.subject.median)}/${f(s.subject.max)} ${unit} vs ${f(s.peer.min)}/${f(s.peer.median)}/${f(s.peer.max)}; ratio min/median/max ${s.ratio.min.toFixed(2)}/${s.ratio.median.toFixed(2)}/${s.ratio.max.toFixed(2)}x over ${s.subject.n} rounds${s.noisy ? "; NOISY: spread stayed above 10%" : ""}`;
}
