/** The HTTP bench's figures: one measurement, medians over rounds, and same-round ratios. */
import { ratio } from './format.js';
import { median } from './measure.js';

export interface HttpFigures {
  reqPerSec: number;
  /**
   * CPU the server process used per completed request (µs, every thread): what a request costs the server,
   * which other processes taking CPU should not change (NaN without /proc).
   */
  cpuUsPerReq: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** One server's figures by round (undefined: that round failed). */
export type Rounds = readonly (HttpFigures | undefined)[] | undefined;

/** A same-round ratio: its median over the rounds and its spread. */
export interface RoundRatio {
  median: number;
  min: number;
  max: number;
}

/** `a / b` round by round (rounds where either failed are left out), then the median and the range. */
export function roundRatio(
  a: Rounds,
  b: Rounds,
  pick: (f: HttpFigures) => number = (f) => f.reqPerSec,
): RoundRatio | undefined {
  if (!a || !b) return undefined;
  const ratios: number[] = [];
  for (let r = 0; r < Math.min(a.length, b.length); r++) {
    if (a[r] && b[r]) ratios.push(pick(a[r]!) / pick(b[r]!));
  }
  if (ratios.length === 0) return undefined;
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** Requests per CPU second of the server: a ratio of these is a throughput ratio on a core of one's own. */
export const perCpu = (f: HttpFigures) => 1 / f.cpuUsPerReq;

/** "0.84× (0.81–0.86)". */
export function formatRoundRatio(r: RoundRatio | undefined): string {
  if (!r) return 'n/a';
  return r.min === r.max ? ratio(r.median) : `${ratio(r.median)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
}

export function medianFigures(values: readonly HttpFigures[]): HttpFigures {
  const mid = (pick: (f: HttpFigures) => number) => median(values.map(pick));
  const sum = (pick: (f: HttpFigures) => number) => values.reduce((total, f) => total + pick(f), 0);
  return {
    reqPerSec: mid((f) => f.reqPerSec),
    cpuUsPerReq: mid((f) => f.cpuUsPerReq),
    p50: mid((f) => f.p50),
    p99: mid((f) => f.p99),
    non2xx: sum((f) => f.non2xx),
    errors: sum((f) => f.errors),
  };
}

/** Spread of a server's req/s over the rounds: (max − min) / median, in %. */
export function spreadPercent(rounds: Rounds): number {
  const rates = (rounds ?? []).filter((f) => f !== undefined).map((f) => f.reqPerSec);
  if (rates.length < 2) return Number.NaN;
  return ((Math.max(...rates) - Math.min(...rates)) / median(rates)) * 100;
}
