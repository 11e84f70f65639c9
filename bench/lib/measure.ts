/**
 * Timing harness: warm-up, then several rounds in which every contender runs once, in a rotating order, so
 * drift in the machine's load falls on all of them alike. Per contender: sequential latency and all-in-flight
 * throughput, each the median over rounds, plus the median of its per-round ratio to a reference contender.
 */

export type VerifyFn = (token: string) => unknown;

export interface Timed {
  /** Builds the function to time; called before every run so a cache can start cold each time. */
  make: () => VerifyFn | Promise<VerifyFn>;
  /** The tokens one run goes through, in order. */
  tokens: readonly string[];
}

export interface Measurement {
  /** Median µs per operation, one after another. */
  latencyUs: number;
  /** Median operations per second with the whole run in flight at once. */
  opsPerSec: number;
  /** Median over rounds of latency / the reference's latency in the same round. */
  latencyRatio: number;
  /** Median over rounds of ops/s / the reference's ops/s in the same round. */
  opsRatio: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
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

/** Runs every contender `warmupRounds + rounds` times; `reference` indexes the contender ratios are taken to. */
export async function measureInterleaved(
  contenders: readonly Timed[],
  options: { rounds: number; warmupRounds: number; reference: number },
): Promise<Measurement[]> {
  const latency = contenders.map(() => [] as number[]);
  const rate = contenders.map(() => [] as number[]);
  for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + round) % contenders.length;
      const { make, tokens } = contenders[i]!;
      gc?.();
      const seqMs = await sequential(await make(), tokens);
      gc?.();
      const parMs = await inFlight(await make(), tokens);
      if (round < options.warmupRounds) continue;
      latency[i]!.push((seqMs * 1000) / tokens.length);
      rate[i]!.push((tokens.length * 1000) / parMs);
    }
  }
  const ref = options.reference;
  return contenders.map((_, i) => ({
    latencyUs: median(latency[i]!),
    opsPerSec: median(rate[i]!),
    latencyRatio: median(latency[i]!.map((v, r) => v / latency[ref]![r]!)),
    opsRatio: median(rate[i]!.map((v, r) => v / rate[ref]![r]!)),
  }));
}
