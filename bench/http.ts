/**
 * HTTP bench: every framework bare, with the floor hook, with our adapter and with the peer users would pick
 * (and, for the repeated token, with a hook that only checks for a Bearer header: the least a middleware costs),
 * each server in its own process, load from autocannon in this one. Run alone:
 * `node --conditions=@identity-model/source --import tsx bench/http.ts [--quick]`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FRAMEWORKS, type Framework, VARIANTS, type Variant, variantLabel } from './lib/contenders.js';
import { fixed, int } from './lib/format.js';
import { type HttpFigures, medianFigures } from './lib/http-figures.js';
import { load, PLANS, warmUp } from './lib/http-load.js';
import { renderHttp } from './lib/http-render.js';
import { startIdp } from './lib/idp-server.js';
import { accessClaims, generateKey, mintTokens, signToken } from './lib/jwt.js';
import { type LoadReport, loadBetween, processTicks, sampleLoad } from './lib/machine-load.js';
import { type Pinning, pinLoadGenerator, pinnedFork } from './lib/pinning.js';
import { isMain, NODE_FLAGS, ROOT, reply } from './lib/process.js';

const AUDIENCE = 'api://bench';

export type TokenMode = 'repeated' | 'distinct';

export interface HttpScenario {
  tokens: TokenMode;
  pipelining: number;
}

export interface HttpRow extends HttpScenario {
  framework: Framework;
  variant: Variant;
  /** Medians over the rounds. */
  figures?: HttpFigures;
  /** One per round, by round (undefined: that round failed); same-round ratios are taken from these. */
  rounds?: (HttpFigures | undefined)[];
  /** Warm-up: the windows it took, and whether two consecutive ones agreed within the tolerance. */
  warmup?: { seconds: number; stable: boolean };
  note?: string;
}

export interface HttpReport {
  rows: HttpRow[];
  /** The machine's load over each scenario, by `tokens/pipelining`. */
  load: Record<string, LoadReport>;
  pinning: Pinning | undefined;
  markdown: string;
}

/** The header-check hook verifies nothing: a floor for one repeated token, not for distinct ones. */
function runsIn(server: { variant: Variant }, scenario: HttpScenario): boolean {
  return server.variant !== 'hook' || scenario.tokens === 'repeated';
}

export interface Server {
  framework: Framework;
  variant: Variant;
  child: ChildProcess;
  url: string;
  /** Why it cannot be measured. */
  broken?: string;
}

/** One contender in its own process (pinned to `core` when given); `env` replaces the environment it gets. */
export function startServer(
  framework: Framework,
  variant: Variant,
  issuer: string,
  core: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Server> {
  const child = fork(
    fileURLToPath(new URL('./http-server.ts', import.meta.url)),
    [framework, variant, issuer, AUDIENCE],
    {
      cwd: ROOT,
      env,
      // e.g. BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=bench/.work/prof" to profile the servers.
      ...pinnedFork(core, [
        // Every server but one is idle at any time, and V8's memory reducer then runs full collections in the
        // idle ones: on the shared server core, inside another server's measured window (up to 117 ms of a
        // 2 s window; 1,013 ms over the 60 windows of one table, 32 ms without it).
        '--no-memory-reducer',
        ...(process.env.BENCH_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
        ...NODE_FLAGS,
      ]),
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
  // The header-check hook verifies nothing by design: a forged token passes it.
  if (server.variant === 'hook') return undefined;
  const bad = await fetch(server.url, { headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } });
  await bad.arrayBuffer();
  if (bad.status !== 401) return `answered ${bad.status} to a forged signature`;
  return undefined;
}

export interface HttpOptions {
  quick: boolean;
  /** Only servers whose `framework/variant` contains one of these (all when empty). */
  only?: readonly string[];
  /** Only scenarios named here, as `tokens/pipelining` (e.g. `distinct/1`; all when empty). */
  scenarios?: readonly string[];
}

export async function runHttp(
  options: HttpOptions,
  log: (line: string) => void = () => {},
): Promise<HttpReport> {
  const { quick, only = [], scenarios: named = [] } = options;
  const plan = PLANS[quick ? 'quick' : 'full'];
  const pinning = pinLoadGenerator();
  log(
    pinning
      ? `http: load generator on core ${pinning.loadCore}, servers on core ${pinning.serverCore}`
      : 'http: not pinned (no taskset, or one core)',
  );

  const t0 = performance.now();
  const key = generateKey('RS256', 'bench-http');
  const idp = await startIdp([key.jwk]);
  log(`http: minting ${plan.poolSize} RS256 tokens`);
  const pool = await mintTokens(key, idp.issuer, AUDIENCE, plan.poolSize);
  const repeated = [signToken(key, accessClaims(idp.issuer, AUDIENCE))];

  const servers: Server[] = [];
  // This process and every live server: what the bench itself costs the machine.
  const ownTicks = () => {
    let total = processTicks('self');
    for (const s of servers) {
      const t = s.child.pid === undefined ? undefined : processTicks(s.child.pid);
      total = total === undefined || t === undefined ? undefined : total + t;
    }
    return total;
  };
  try {
    // Two at a time: starting a dozen tsx processes at once on two cores only slows each of them.
    const specs = FRAMEWORKS.flatMap((framework) =>
      VARIANTS.map((variant) => ({ framework, variant })),
    ).filter((s) => only.length === 0 || only.some((o) => `${s.framework}/${s.variant}`.includes(o)));
    for (let i = 0; i < specs.length; i += 2) {
      servers.push(
        ...(await Promise.all(
          specs
            .slice(i, i + 2)
            .map((s) => startServer(s.framework, s.variant, idp.issuer, pinning?.serverCore)),
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

    const scenarios: HttpScenario[] = [1, 10]
      .flatMap((pipelining) => (['repeated', 'distinct'] as const).map((tokens) => ({ tokens, pipelining })))
      .filter((sc) => named.length === 0 || named.includes(`${sc.tokens}/${sc.pipelining}`));
    const samples = new Map<string, (HttpFigures | undefined)[]>();
    const warmups = new Map<string, { seconds: number; stable: boolean }>();
    const failures = new Map<string, string>();
    const loads: Record<string, LoadReport> = {};
    const id = (s: Server, sc: HttpScenario) => `${s.framework}/${s.variant}/${sc.tokens}/${sc.pipelining}`;
    for (const scenario of scenarios) {
      const tokens = scenario.tokens === 'repeated' ? repeated : pool;
      const before = sampleLoad(ownTicks);
      for (let round = 0; round < plan.rounds; round++) {
        // Alternate the order so slow drift in the machine's load falls on every server alike.
        const order = round % 2 ? [...servers].reverse() : servers;
        for (const server of order) {
          if (server.broken || !runsIn(server, scenario)) continue;
          let figures: HttpFigures;
          try {
            if (round === 0) {
              const warm = await warmUp(server.url, tokens, scenario.pipelining, plan);
              warmups.set(id(server, scenario), warm);
            } else if (plan.rewarmSeconds > 0) {
              await load(server.url, tokens, scenario.pipelining, plan.rewarmSeconds).catch(() => undefined);
            }
            figures = await load(
              server.url,
              tokens,
              scenario.pipelining,
              plan.measureSeconds,
              server.child.pid,
            );
          } catch (err) {
            // That round is missing for this server; its figures come from the other rounds.
            failures.set(id(server, scenario), (err as Error).message);
            log(
              `http ${scenario.tokens} p${scenario.pipelining} ${variantLabel(server.framework, server.variant)}: ${(err as Error).message}`,
            );
            continue;
          }
          const list = samples.get(id(server, scenario)) ?? [];
          list[round] = figures;
          samples.set(id(server, scenario), list);
          log(
            `http ${scenario.tokens} p${scenario.pipelining} r${round + 1} ${variantLabel(server.framework, server.variant)}: ` +
              `${int(figures.reqPerSec)} req/s, ${fixed(figures.cpuUsPerReq, 1)} µs CPU/req, p50 ${fixed(figures.p50, 2)} ms, p99 ${fixed(figures.p99, 2)} ms` +
              (figures.non2xx || figures.errors
                ? `, non-2xx ${figures.non2xx}, errors ${figures.errors}`
                : ''),
          );
        }
      }
      loads[`${scenario.tokens}/${scenario.pipelining}`] = loadBetween(before, sampleLoad(ownTicks));
    }

    const rows: HttpRow[] = scenarios.flatMap((scenario) =>
      servers
        .filter((server) => runsIn(server, scenario))
        .map((server) => {
          const rounds = samples.get(id(server, scenario));
          const measured = rounds?.filter((f) => f !== undefined) ?? [];
          return {
            ...scenario,
            framework: server.framework,
            variant: server.variant,
            ...(measured.length > 0
              ? {
                  figures: medianFigures(measured),
                  rounds: Array.from({ length: plan.rounds }, (_, r) => rounds![r]),
                  warmup: warmups.get(id(server, scenario)),
                }
              : { note: server.broken ?? failures.get(id(server, scenario)) ?? 'not measured' }),
          };
        }),
    );
    return { rows, load: loads, pinning, markdown: renderHttp(rows, plan, loads, pinning) };
  } finally {
    // Wait for every server to exit, so their CPU time is counted as the bench's, not as other processes'.
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
            server.child.once('exit', () => resolve());
            server.child.kill();
          }),
      ),
    );
    await idp.close();
  }
}

if (isMain(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const listed = (flag: string) =>
    process.argv.filter((a) => a.startsWith(flag)).flatMap((a) => a.slice(flag.length).split(','));
  const report = await runHttp(
    { quick, only: listed('--only='), scenarios: listed('--scenarios=') },
    (line) => console.error(line),
  );
  if (!reply(report)) console.log(report.markdown);
}
