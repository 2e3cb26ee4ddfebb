/** One benchmark figure, printed next to the peer it is compared with in the same run. */
export interface BenchRow {
  /** What was measured, e.g. "gateway /health req/s". */
  name: string;
  value: number;
  unit: string;
  /** The named peer measured in the same run, e.g. "bare node:http". */
  peer?: string;
  peerValue?: number;
  /** value/peerValue (or the inverse where lower is better); computed if omitted. */
  ratio?: number;
  /** Human target, e.g. ">= 0.8x floor", "< 150 ms". */
  target?: string;
  /** Whether the target was met. */
  pass?: boolean;
  note?: string;
}

/** A bench module's default export. */
export type Bench = () => Promise<BenchRow[]>;
