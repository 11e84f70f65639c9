/** The HTTP bench's Markdown: the method, then one table per scenario with its load. */
import type { HttpRow } from '../http.js';
import { type Framework, type Variant, variantLabel } from './contenders.js';
import { fixed, int, table } from './format.js';
import { formatRoundRatio, perCpu, roundRatio, spreadPercent } from './http-figures.js';
import { CONNECTIONS, type Plan } from './http-load.js';
import { describeLoad, type LoadReport } from './machine-load.js';
import type { Pinning } from './pinning.js';

export function renderHttp(
  rows: HttpRow[],
  plan: Plan,
  loads: Record<string, LoadReport>,
  pinning: Pinning | undefined,
): string {
  const out: string[] = [
    `autocannon, ${CONNECTIONS} connections, \`GET /\` answering \`{"ok":true}\`. ` +
      (pinning
        ? `The load generator runs on core ${pinning.loadCore} and every server under test on core ${pinning.serverCore} (\`taskset -c\`). `
        : 'Not pinned to cores (no `taskset`, or a single core): load generator and server share the cores. ') +
      `Per server and scenario, a warm-up in ${plan.windowSeconds} s windows until two consecutive ones agree ` +
      `within ${plan.tolerance * 100} % (at most ${plan.maxWindows} windows), then ${plan.rounds} rounds, each ` +
      (plan.rewarmSeconds > 0 ? `${plan.rewarmSeconds} s of re-warm-up (from the second round) and ` : '') +
      `${plan.measureSeconds} s measured (*rounds*: how many completed); the ` +
      'server order alternates from round to round so drift in the load falls on every server alike. Figures ' +
      'are medians over the rounds; *± %*: the spread of req/s over the rounds, (max − min) / median. Ratios ' +
      'are taken round by round (against the floor hook or the bare framework measured in the same round) and ' +
      'reported as their median, with their range over the rounds in brackets. *CPU µs/req*: the CPU time ' +
      'the server process took (every thread, from /proc/<pid>/task/*/schedstat) per completed request, and ' +
      "*× floor hook (CPU)* the floor hook's CPU per request over ours, round by round: the throughput ratio on " +
      'a core of its own, which other processes taking CPU move far less than req/s. Each server runs in its own ' +
      'process, started with `--no-memory-reducer` (otherwise the idle servers run full collections on the ' +
      "server core inside another server's measured window). *p50*/*p99*: percentiles of every 2xx response time of the round, kept exactly (autocannon's own " +
      'percentiles are whole milliseconds, a step of 11 % at a p99 of 9 ms). ' +
      '*repeated*: one token on every request; *distinct*: a pool of ' +
      `${int(plan.poolSize)} distinct valid RS256 tokens, the next one on each request (a cycle longer than our ` +
      'verified-token cache, 1,000 entries by default, so every request misses it). Every contender fetches ' +
      'discovery/JWKS from the same local server. A warm-up marked *unstable* never met the tolerance.',
  ];
  for (const pipelining of [1, 10]) {
    for (const tokens of ['repeated', 'distinct'] as const) {
      out.push(`\n#### ${tokens} token${tokens === 'distinct' ? 's' : ''}, pipelining ${pipelining}\n`);
      const load = loads[`${tokens}/${pipelining}`];
      const mine = rows.filter((r) => r.tokens === tokens && r.pipelining === pipelining);
      const find = (framework: Framework, variant: Variant) =>
        mine.find((r) => r.framework === framework && r.variant === variant);
      out.push(
        table(
          [
            'server',
            'req/s',
            '± %',
            'p50 ms',
            'p99 ms',
            '× floor hook',
            '× bare',
            'CPU µs/req',
            '× floor hook (CPU)',
            'warm-up s',
            'rounds',
            'non-2xx/errors',
          ],
          mine.map((r) => {
            const f = r.figures;
            if (!f)
              return [
                variantLabel(r.framework, r.variant),
                r.note ?? 'n/a',
                ...new Array<string>(10).fill(''),
              ];
            const floor = find(r.framework, 'floor');
            const bare = find(r.framework, 'bare');
            return [
              variantLabel(r.framework, r.variant),
              int(f.reqPerSec),
              fixed(spreadPercent(r.rounds), 1),
              fixed(f.p50, 2),
              fixed(f.p99, 2),
              formatRoundRatio(roundRatio(r.rounds, floor?.rounds)),
              formatRoundRatio(roundRatio(r.rounds, bare?.rounds)),
              fixed(f.cpuUsPerReq, 1),
              formatRoundRatio(roundRatio(r.rounds, floor?.rounds, perCpu)),
              r.warmup ? `${fixed(r.warmup.seconds, 2)}${r.warmup.stable ? '' : ' *unstable*'}` : 'n/a',
              String(r.rounds?.filter((x) => x !== undefined).length ?? 0),
              f.non2xx || f.errors ? `**${f.non2xx}/${f.errors}**` : '0',
            ];
          }),
        ),
      );
      if (load) out.push(`\nLoad over this table (${fixed(load.seconds, 0)} s): ${describeLoad(load)}.`);
    }
  }
  return out.join('\n');
}
