/**
 * HTTP bench: every framework bare, with the floor hook, with our adapter and with the peer users would pick,
 * each server in its own process, load from autocannon in this one. Run alone:
 * `node --conditions=@identity-model/source --import tsx bench/http.ts [--quick]`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { FRAMEWORKS, type Framework, VARIANTS, type Variant, variantLabel } from './lib/contenders.js';
import { fixed, int, ratio, table } from './lib/format.js';
import { startIdp } from './lib/idp-server.js';
import { accessClaims, generateKey, mintTokens, signToken } from './lib/jwt.js';
import { isMain, NODE_FLAGS, ROOT, reply } from './lib/process.js';

const AUDIENCE = 'api://bench';
const CONNECTIONS = 100;

export type TokenMode = 'repeated' | 'distinct';

export interface HttpScenario {
  tokens: TokenMode;
  pipelining: number;
}

export interface HttpFigures {
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export interface HttpRow extends HttpScenario {
  framework: Framework;
  variant: Variant;
  figures?: HttpFigures;
  note?: string;
}

export interface HttpReport {
  rows: HttpRow[];
  markdown: string;
}

interface Server {
  framework: Framework;
  variant: Variant;
  child: ChildProcess;
  url: string;
  /** Why it cannot be measured. */
  broken?: string;
}

function startServer(framework: Framework, variant: Variant, issuer: string): Promise<Server> {
  const child = fork(
    fileURLToPath(new URL('./http-server.ts', import.meta.url)),
    [framework, variant, issuer, AUDIENCE],
    {
      cwd: ROOT,
      // e.g. BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=bench/.work/prof" to profile the servers.
      execArgv: [...(process.env.BENCH_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), ...NODE_FLAGS],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve) => {
    const done = (broken: string | undefined, port = 0) =>
      resolve({ framework, variant, child, url: `http://127.0.0.1:${port}/`, broken });
    child.once('message', (message) => {
      const { port, error } = message as { port?: number; error?: string };
      done(error, port);
    });
    child.once('exit', (code) => done(`exited with ${code} while starting`));
  });
}

/** A server that answers 401 to everything would look fast: check it accepts a good token and refuses none. */
async function check(server: Server, token: string): Promise<string | undefined> {
  const ok = await fetch(server.url, { headers: { authorization: `Bearer ${token}` } });
  await ok.arrayBuffer();
  if (ok.status !== 200) return `answered ${ok.status} to a valid token`;
  if (server.variant === 'bare') return undefined;
  const none = await fetch(server.url);
  await none.arrayBuffer();
  if (none.status !== 401) return `answered ${none.status} without a token`;
  const bad = await fetch(server.url, { headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } });
  await bad.arrayBuffer();
  if (bad.status !== 401) return `answered ${bad.status} to a forged signature`;
  return undefined;
}

async function load(
  url: string,
  tokens: readonly string[],
  pipelining: number,
  seconds: number,
): Promise<HttpFigures> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    pipelining,
    duration: seconds,
    sampleInt: 100,
    requests: [
      {
        method: 'GET',
        path: '/',
        // The same per-request work in the load generator whatever the token mode.
        setupRequest: (request) => {
          request.headers = { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` };
          return request;
        },
      },
    ],
  });
  if (result.requests.total === 0) throw new Error(`no response completed within ${seconds} s`);
  return {
    reqPerSec: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function mean(values: readonly HttpFigures[]): HttpFigures {
  const avg = (pick: (f: HttpFigures) => number) =>
    values.reduce((sum, f) => sum + pick(f), 0) / values.length;
  const sum = (pick: (f: HttpFigures) => number) => values.reduce((total, f) => total + pick(f), 0);
  return {
    reqPerSec: avg((f) => f.reqPerSec),
    p50: avg((f) => f.p50),
    p99: avg((f) => f.p99),
    non2xx: sum((f) => f.non2xx),
    errors: sum((f) => f.errors),
  };
}

export interface HttpOptions {
  quick: boolean;
  /** Only servers whose `framework/variant` contains one of these (all when empty). */
  only?: readonly string[];
}

export async function runHttp(
  options: HttpOptions,
  log: (line: string) => void = () => {},
): Promise<HttpReport> {
  const { quick, only = [] } = options;
  const poolSize = quick ? 2000 : 10_000;
  const warmSeconds = quick ? 0.3 : 1;
  const measureSeconds = quick ? 0.7 : 3;
  const rounds = quick ? 1 : 2;

  const t0 = performance.now();
  const key = generateKey('RS256', 'bench-http');
  const idp = await startIdp([key.jwk]);
  log(`http: minting ${poolSize} RS256 tokens`);
  const pool = await mintTokens(key, idp.issuer, AUDIENCE, poolSize);
  const repeated = [signToken(key, accessClaims(idp.issuer, AUDIENCE))];

  const servers: Server[] = [];
  try {
    // Two at a time: starting a dozen tsx processes at once on two cores only slows each of them.
    const specs = FRAMEWORKS.flatMap((framework) =>
      VARIANTS.map((variant) => ({ framework, variant })),
    ).filter((s) => only.length === 0 || only.some((o) => `${s.framework}/${s.variant}`.includes(o)));
    for (let i = 0; i < specs.length; i += 2) {
      servers.push(
        ...(await Promise.all(
          specs.slice(i, i + 2).map((s) => startServer(s.framework, s.variant, idp.issuer)),
        )),
      );
    }
    log(`http: ${servers.length} servers up in ${fixed((performance.now() - t0) / 1000, 1)} s`);
    for (const server of servers) {
      server.broken ??= await check(server, repeated[0]!).catch(
        (err: Error) => `check failed: ${err.message}`,
      );
      if (server.broken) log(`http: ${variantLabel(server.framework, server.variant)}: ${server.broken}`);
    }

    const scenarios: HttpScenario[] = [1, 10].flatMap((pipelining) =>
      (['repeated', 'distinct'] as const).map((tokens) => ({ tokens, pipelining })),
    );
    const samples = new Map<string, HttpFigures[]>();
    const failures = new Map<string, string>();
    const id = (s: Server, sc: HttpScenario) => `${s.framework}/${s.variant}/${sc.tokens}/${sc.pipelining}`;
    for (const scenario of scenarios) {
      const tokens = scenario.tokens === 'repeated' ? repeated : pool;
      for (let round = 0; round < rounds; round++) {
        // Alternate the order so slow drift in the machine's load falls on every server alike.
        const order = round % 2 ? [...servers].reverse() : servers;
        for (const server of order) {
          if (server.broken) continue;
          let figures: HttpFigures;
          try {
            await load(server.url, tokens, scenario.pipelining, warmSeconds);
            figures = await load(server.url, tokens, scenario.pipelining, measureSeconds);
          } catch (err) {
            failures.set(id(server, scenario), (err as Error).message);
            log(
              `http ${scenario.tokens} p${scenario.pipelining} ${variantLabel(server.framework, server.variant)}: ${(err as Error).message}`,
            );
            continue;
          }
          samples.set(id(server, scenario), [...(samples.get(id(server, scenario)) ?? []), figures]);
          log(
            `http ${scenario.tokens} p${scenario.pipelining} ${variantLabel(server.framework, server.variant)}: ` +
              `${int(figures.reqPerSec)} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms` +
              (figures.non2xx || figures.errors
                ? `, non-2xx ${figures.non2xx}, errors ${figures.errors}`
                : ''),
          );
        }
      }
    }

    const rows: HttpRow[] = scenarios.flatMap((scenario) =>
      servers.map((server) => {
        const figures = samples.get(id(server, scenario));
        return {
          ...scenario,
          framework: server.framework,
          variant: server.variant,
          ...(figures
            ? { figures: mean(figures) }
            : { note: server.broken ?? failures.get(id(server, scenario)) ?? 'not measured' }),
        };
      }),
    );
    return { rows, markdown: render(rows, { poolSize, warmSeconds, measureSeconds, rounds }) };
  } finally {
    for (const server of servers) server.child.kill();
    await idp.close();
  }
}

function render(
  rows: HttpRow[],
  cfg: { poolSize: number; warmSeconds: number; measureSeconds: number; rounds: number },
): string {
  const out: string[] = [
    `autocannon, ${CONNECTIONS} connections, \`GET /\` answering \`{"ok":true}\`; per server and scenario a ` +
      `${cfg.warmSeconds} s warm-up then ${cfg.measureSeconds} s measured, ${cfg.rounds} round(s) alternating the ` +
      'server order (figures are the mean of the rounds). Each server runs in its own process; the load generator ' +
      'shares the 2 cores. *repeated*: one token on every request; *distinct*: a pool of ' +
      `${int(cfg.poolSize)} distinct valid RS256 tokens, the next one on each request (a cycle longer than our ` +
      'verified-token cache, 1,000 entries by default, so every request misses it). Every contender fetches ' +
      'discovery/JWKS from the same local server. Ratios: req/s against the floor hook and the bare framework ' +
      'of the same framework.',
  ];
  for (const pipelining of [1, 10]) {
    for (const tokens of ['repeated', 'distinct'] as const) {
      out.push(`\n#### ${tokens} token${tokens === 'distinct' ? 's' : ''}, pipelining ${pipelining}\n`);
      const mine = rows.filter((r) => r.tokens === tokens && r.pipelining === pipelining);
      const find = (framework: Framework, variant: Variant) =>
        mine.find((r) => r.framework === framework && r.variant === variant)?.figures;
      out.push(
        table(
          ['server', 'req/s', 'p50 ms', 'p99 ms', '× floor hook', '× bare', 'non-2xx/errors'],
          mine.map((r) => {
            const f = r.figures;
            if (!f) return [variantLabel(r.framework, r.variant), r.note ?? 'n/a', '', '', '', '', ''];
            const floor = find(r.framework, 'floor');
            const bare = find(r.framework, 'bare');
            return [
              variantLabel(r.framework, r.variant),
              int(f.reqPerSec),
              fixed(f.p50, 1),
              fixed(f.p99, 1),
              floor ? ratio(f.reqPerSec / floor.reqPerSec) : 'n/a',
              bare ? ratio(f.reqPerSec / bare.reqPerSec) : 'n/a',
              f.non2xx || f.errors ? `**${f.non2xx}/${f.errors}**` : '0',
            ];
          }),
        ),
      );
    }
  }
  return out.join('\n');
}

if (isMain(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const only = process.argv.filter((a) => a.startsWith('--only=')).flatMap((a) => a.slice(7).split(','));
  const report = await runHttp({ quick, only }, (line) => console.error(line));
  if (!reply(report)) console.log(report.markdown);
}
