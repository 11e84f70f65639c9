/**
 * Where a server's CPU per request goes, by thread: the HTTP bench's servers (`http-server.ts`, pinned as
 * there) under autocannon, in alternating rounds, each round's CPU split into the main thread's user and
 * system time and the other threads (V8's GC and compiler helpers, libuv's pool), with its minor page
 * faults. `instructions.ts` counts one thread in a simulated CPU; this says which real thread pays a
 * difference it cannot see.
 *
 * `thread-split.ts express/hook,express/ours[,express/ours@NAME] [--tokens=repeated|distinct]
 * [--pipelining=1] [--rounds=16] [--seconds=2]`. `@NAME` starts that server with the environment variable
 * NAME=1, for a temporary variant of the code under study (a branch on `process.env.NAME`) measured in the
 * same run as the unchanged one. Ratios are against the first server, round by round; median and range.
 */
import { type Server, startServer } from './http.js';
import { FRAMEWORKS, type Framework, VARIANTS, type Variant } from './lib/contenders.js';
import { fixed, int, table } from './lib/format.js';
import { load } from './lib/http-load.js';
import { startIdp } from './lib/idp-server.js';
import { accessClaims, generateKey, mintTokens, signToken } from './lib/jwt.js';
import { processCpuNs, statFields, threadCpuNs } from './lib/machine-load.js';
import { median } from './lib/measure.js';
import { pinLoadGenerator } from './lib/pinning.js';

const AUDIENCE = 'api://bench';
const POOL = 10_000;
/** /proc reports user and system time in clock ticks of 10 ms (USER_HZ 100 on Linux). */
const NS_PER_TICK = 10_000_000;

interface ThreadSample {
  /** Every thread's run time (schedstat, ns). */
  totalNs: number;
  mainUserNs: number;
  mainSystemNs: number;
  mainNs: number;
  minorFaults: number;
}

function sample(pid: number): ThreadSample {
  const fields = statFields(`/proc/${pid}/task/${pid}/stat`);
  return {
    totalNs: processCpuNs(pid) ?? Number.NaN,
    mainNs: threadCpuNs(pid, pid),
    mainUserNs: fields[11]! * NS_PER_TICK,
    mainSystemNs: fields[12]! * NS_PER_TICK,
    minorFaults: fields[7]!,
  };
}

function minus(a: ThreadSample, b: ThreadSample): ThreadSample {
  return {
    totalNs: a.totalNs - b.totalNs,
    mainNs: a.mainNs - b.mainNs,
    mainUserNs: a.mainUserNs - b.mainUserNs,
    mainSystemNs: a.mainSystemNs - b.mainSystemNs,
    minorFaults: a.minorFaults - b.minorFaults,
  };
}

interface Contender {
  label: string;
  server: Server;
  rounds: { requests: number; split: ThreadSample }[];
}

function parseSpec(spec: string): { label: string; framework: Framework; variant: Variant; env?: string } {
  const [base = '', env] = spec.split('@');
  const [framework, variant] = base.split('/') as [Framework, Variant];
  if (!FRAMEWORKS.includes(framework) || !VARIANTS.includes(variant)) {
    throw new Error(`${spec}: not framework/variant[@ENV] (${FRAMEWORKS.join('|')} / ${VARIANTS.join('|')})`);
  }
  return { label: spec, framework, variant, ...(env ? { env } : {}) };
}

const option = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const specs = (process.argv[2] ?? '').split(',').filter(Boolean).map(parseSpec);
if (specs.length === 0) throw new Error('usage: thread-split.ts framework/variant[@ENV],... [--rounds=16]');
const tokensMode = option('tokens', 'repeated');
const pipelining = Number(option('pipelining', '1'));
const roundCount = Number(option('rounds', '16'));
const seconds = Number(option('seconds', '2'));

const pinning = pinLoadGenerator();
const key = generateKey('RS256', 'bench-http');
const idp = await startIdp([key.jwk]);
const tokens =
  tokensMode === 'distinct'
    ? await mintTokens(key, idp.issuer, AUDIENCE, POOL)
    : [signToken(key, accessClaims(idp.issuer, AUDIENCE))];
const contenders: Contender[] = [];
try {
  for (const spec of specs) {
    const env = spec.env ? { ...process.env, [spec.env]: '1' } : process.env;
    const server = await startServer(spec.framework, spec.variant, idp.issuer, pinning?.serverCore, env);
    if (server.broken) throw new Error(`${spec.label}: ${server.broken}`);
    // A server that refuses every request would look fast.
    const answer = await fetch(server.url, { headers: { authorization: `Bearer ${tokens[0]}` } });
    await answer.arrayBuffer();
    if (answer.status !== 200) throw new Error(`${spec.label}: answered ${answer.status} to a valid token`);
    contenders.push({ label: spec.label, server, rounds: [] });
  }
  for (const c of contenders) await load(c.server.url, tokens, pipelining, 4);
  for (let round = 0; round < roundCount; round++) {
    // Alternate the order so slow drift in the machine's load falls on every server alike.
    for (const c of round % 2 ? [...contenders].reverse() : contenders) {
      await load(c.server.url, tokens, pipelining, 0.5);
      const pid = c.server.child.pid!;
      const before = sample(pid);
      const figures = await load(c.server.url, tokens, pipelining, seconds);
      const split = minus(sample(pid), before);
      const requests = Math.round(figures.reqPerSec * seconds);
      c.rounds.push({ requests, split });
      console.error(
        `r${round + 1} ${c.label}: ${int(figures.reqPerSec)} req/s, ${fixed(split.totalNs / 1000 / requests, 1)} µs CPU/req`,
      );
    }
  }
} finally {
  for (const c of contenders) c.server.child.kill();
  await idp.close();
}

const perRequest = (c: Contender, pick: (s: ThreadSample) => number) => {
  const requests = c.rounds.reduce((n, r) => n + r.requests, 0);
  return c.rounds.reduce((n, r) => n + pick(r.split), 0) / requests;
};
const reference = contenders[0]!;
console.log(
  `${tokensMode} token${tokensMode === 'distinct' ? 's' : ''}, pipelining ${pipelining}, ${roundCount} rounds of ${seconds} s per server, alternating. ` +
    `Per request over all rounds: CPU of every thread, the main thread's user and system time, the other threads; ` +
    `× ${reference.label}: CPU per request over the reference's, round by round (median, range).\n`,
);
console.log(
  table(
    [
      'server',
      'CPU µs/req',
      'main user',
      'main system',
      'other threads',
      'minor faults/req',
      `× ${reference.label} (CPU)`,
    ],
    contenders.map((c) => {
      const ratios = c.rounds.map((r, i) => {
        const ref = reference.rounds[i]!;
        return r.split.totalNs / r.requests / (ref.split.totalNs / ref.requests);
      });
      return [
        c.label,
        fixed(perRequest(c, (s) => s.totalNs) / 1000, 1),
        fixed(perRequest(c, (s) => s.mainUserNs) / 1000, 1),
        fixed(perRequest(c, (s) => s.mainSystemNs) / 1000, 1),
        fixed(perRequest(c, (s) => s.totalNs - s.mainNs) / 1000, 1),
        fixed(
          perRequest(c, (s) => s.minorFaults),
          2,
        ),
        `${fixed(median(ratios), 3)} (${fixed(Math.min(...ratios), 3)}–${fixed(Math.max(...ratios), 3)})`,
      ];
    }),
    'lrrrrrr',
  ),
);
