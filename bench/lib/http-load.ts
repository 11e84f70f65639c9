/** The HTTP bench's load: one autocannon run, the plan of rounds, and the warm-up until stable. */
import autocannon, { type Request } from 'autocannon';
import type { HttpFigures } from './http-figures.js';
import { Latencies } from './latencies.js';
import { processCpuNs } from './machine-load.js';

export const CONNECTIONS = 100;

/**
 * autocannon's requests: `GET /`, each with the next token from `from` on. The same per-request work in the
 * load generator whatever the token mode.
 */
export function tokenRequests(tokens: readonly string[], from = 0): Request[] {
  let next = from;
  return [
    {
      method: 'GET',
      path: '/',
      setupRequest: (request) => {
        request.headers = { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` };
        return request;
      },
    },
  ];
}

export async function load(
  url: string,
  tokens: readonly string[],
  pipelining: number,
  seconds: number,
  serverPid?: number,
): Promise<HttpFigures> {
  const cpuBefore = serverPid === undefined ? undefined : processCpuNs(serverPid);
  const latencies = new Latencies();
  const run = autocannon({
    url,
    connections: CONNECTIONS,
    pipelining,
    duration: seconds,
    sampleInt: 100,
    requests: tokenRequests(tokens),
  });
  // Only 2xx responses, as autocannon's own latency figures count them.
  run.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.record(responseTime);
  });
  const result = await run;
  if (result.requests.total === 0) throw new Error(`no response completed within ${seconds} s`);
  const cpuAfter = serverPid === undefined ? undefined : processCpuNs(serverPid);
  return {
    reqPerSec: result.requests.total / result.duration,
    cpuUsPerReq:
      cpuBefore === undefined || cpuAfter === undefined
        ? Number.NaN
        : (cpuAfter - cpuBefore) / 1000 / result.requests.total,
    ...percentiles(latencies),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function percentiles(latencies: Latencies): Pick<HttpFigures, 'p50' | 'p99'> {
  const [p50, p99] = latencies.percentiles([50, 99]);
  return { p50: p50!, p99: p99! };
}

export interface Plan {
  poolSize: number;
  /** Warm-up windows (s), the tolerance two consecutive ones must agree within, and the most windows run. */
  windowSeconds: number;
  tolerance: number;
  maxWindows: number;
  /** Before each later round: the server has been idle while the others ran. */
  rewarmSeconds: number;
  measureSeconds: number;
  rounds: number;
}

export const PLANS: Record<'quick' | 'full', Plan> = {
  full: {
    poolSize: 10_000,
    windowSeconds: 1,
    tolerance: 0.02,
    maxWindows: 6,
    rewarmSeconds: 0.5,
    measureSeconds: 2,
    rounds: 5,
  },
  // Under two minutes for the whole `pnpm bench --quick`: short windows, a looser tolerance, no re-warm-up.
  quick: {
    poolSize: 2000,
    windowSeconds: 0.2,
    tolerance: 0.05,
    maxWindows: 3,
    rewarmSeconds: 0,
    measureSeconds: 0.25,
    rounds: 3,
  },
};

/** Load in windows until two consecutive ones agree within the tolerance (or the most windows have run). */
export async function warmUp(
  url: string,
  tokens: readonly string[],
  pipelining: number,
  plan: Plan,
): Promise<{ seconds: number; stable: boolean }> {
  let previous: number | undefined;
  for (let w = 1; w <= plan.maxWindows; w++) {
    // A window in which nothing completed (a starved server) counts as 0 req/s, not as a failure.
    const reqPerSec = await load(url, tokens, pipelining, plan.windowSeconds).then(
      (f) => f.reqPerSec,
      () => 0,
    );
    if (
      previous !== undefined &&
      reqPerSec > 0 &&
      Math.abs(reqPerSec - previous) <= plan.tolerance * Math.max(reqPerSec, previous)
    )
      return { seconds: w * plan.windowSeconds, stable: true };
    previous = reqPerSec;
  }
  return { seconds: plan.maxWindows * plan.windowSeconds, stable: false };
}
