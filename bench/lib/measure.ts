/** Timing harness: warm-up, several rounds, median; sequential latency and all-in-flight throughput. */

export type VerifyFn = (token: string) => unknown;

export interface MeasureOptions {
  /** Builds the function to time; called before every round so a cache can start cold each round. */
  make: () => VerifyFn | Promise<VerifyFn>;
  /** The tokens one round goes through, in order. */
  tokens: readonly string[];
  rounds: number;
  warmupRounds: number;
}

export interface Measurement {
  /** Median µs per operation, one after another. */
  latencyUs: number;
  /** Median operations per second with the whole round in flight at once. */
  opsPerSec: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function sequential(fn: VerifyFn, tokens: readonly string[]): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < tokens.length; i++) {
    const result = fn(tokens[i]!);
    if (isThenable(result)) await result;
  }
  return performance.now() - start;
}

async function inFlight(fn: VerifyFn, tokens: readonly string[]): Promise<number> {
  const start = performance.now();
  const pending: unknown[] = new Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) pending[i] = fn(tokens[i]!);
  await Promise.all(pending);
  return performance.now() - start;
}

export async function measure(options: MeasureOptions): Promise<Measurement> {
  const { make, tokens, rounds, warmupRounds } = options;
  const latencies: number[] = [];
  const rates: number[] = [];
  for (let round = 0; round < warmupRounds + rounds; round++) {
    gc?.();
    const seqMs = await sequential(await make(), tokens);
    gc?.();
    const parMs = await inFlight(await make(), tokens);
    if (round < warmupRounds) continue;
    latencies.push((seqMs * 1000) / tokens.length);
    rates.push((tokens.length * 1000) / parMs);
  }
  return { latencyUs: median(latencies), opsPerSec: median(rates) };
}
