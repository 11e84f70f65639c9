/**
 * Storms: many callers at once must cost the identity provider one request, and a flood of distinct invalid
 * tokens must not grow the heap. Run alone: `node --conditions=@identity-model/source --import tsx bench/storms.ts [--quick]`.
 */
import { randomBytes } from 'node:crypto';
import { ClientCredentialsTokenManager, createTokenValidator } from '@identity-model/core';
import type { HeapReport } from './heap.js';
import { fixed, int, mark, table } from './lib/format.js';
import { startIdp } from './lib/idp-server.js';
import { generateKey, mintTokens } from './lib/jwt.js';
import { isMain, reply, runPart } from './lib/process.js';

const AUDIENCE = 'api://bench';
/** Every answer of the IdP is held this long, so a storm piles up behind the first fetch. */
const IDP_DELAY_MS = 50;

export interface StormRow {
  name: string;
  measured: string;
  target: string;
  met?: boolean;
  detail: string;
}

export interface StormsReport {
  rows: StormRow[];
  heap?: HeapReport;
  markdown: string;
}

function outcomes(results: PromiseSettledResult<unknown>[]): string {
  const codes: Record<string, number> = {};
  for (const r of results) {
    const code = r.status === 'fulfilled' ? 'ok' : ((r.reason as { code?: string }).code ?? 'error');
    codes[code] = (codes[code] ?? 0) + 1;
  }
  return Object.entries(codes)
    .map(([code, n]) => `${code} ${int(n)}`)
    .join(', ');
}

async function coldStart(concurrency: number): Promise<StormRow> {
  const key = generateKey('RS256', 'bench-storm');
  const idp = await startIdp([key.jwk], { delayMs: IDP_DELAY_MS });
  try {
    const tokens = await mintTokens(key, idp.issuer, AUDIENCE, concurrency);
    const validator = createTokenValidator({ issuer: idp.issuer, audience: AUDIENCE });
    const results = await Promise.allSettled(tokens.map((t) => validator.validate(t)));
    await validator.close();
    const { discovery, jwks } = idp.counts;
    return {
      name: `${int(concurrency)} concurrent requests on a cold start (distinct tokens)`,
      measured: `discovery ${discovery}, JWKS ${jwks}`,
      target: 'discovery 1, JWKS 1',
      met: discovery === 1 && jwks === 1 && results.every((r) => r.status === 'fulfilled'),
      detail: outcomes(results),
    };
  } finally {
    await idp.close();
  }
}

/**
 * `count` tokens with random `kid`s in 10 waves `gapMs` apart, after a warm-up fetch. With the default cooldown
 * (30 s, longer than the run) the target is at most 1 refetch; with `cooldownMs` it is one per cooldown.
 */
async function randomKids(count: number, cooldownMs: number | undefined, gapMs: number): Promise<StormRow> {
  const key = generateKey('RS256', 'bench-storm');
  const idp = await startIdp([key.jwk], { delayMs: IDP_DELAY_MS });
  try {
    const [valid] = await mintTokens(key, idp.issuer, AUDIENCE, 1);
    const validator = createTokenValidator({
      issuer: idp.issuer,
      audience: AUDIENCE,
      ...(cooldownMs === undefined ? {} : { keySet: { cooldownMs } }),
    });
    await validator.validate(valid!);
    idp.resetCounts();
    const [, payload, signature] = valid!.split('.');
    const started = performance.now();
    const results: PromiseSettledResult<unknown>[] = [];
    const waveSize = Math.ceil(count / 10);
    for (let wave = 0; wave < count; wave += waveSize) {
      if (wave > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      const batch: Promise<unknown>[] = [];
      for (let i = wave; i < Math.min(count, wave + waveSize); i++) {
        const header = Buffer.from(
          JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: randomBytes(8).toString('hex') }),
        ).toString('base64url');
        batch.push(validator.validate(`${header}.${payload}.${signature}`));
      }
      results.push(...(await Promise.allSettled(batch)));
    }
    const elapsedMs = performance.now() - started;
    await validator.close();
    const { jwks, discovery } = idp.counts;
    const allowed = cooldownMs === undefined ? 1 : Math.ceil(elapsedMs / cooldownMs);
    return {
      name:
        `${int(count)} requests with random \`kid\`s over ${fixed(elapsedMs / 1000, 1)} s, ` +
        (cooldownMs === undefined ? 'default cooldown (30 s)' : `cooldown ${cooldownMs} ms`),
      measured: `JWKS ${jwks}${discovery ? `, discovery ${discovery}` : ''}`,
      target: `JWKS ≤ ${allowed} (1 per cooldown)`,
      met: jwks <= allowed && results.every((r) => r.status === 'rejected'),
      detail: outcomes(results),
    };
  } finally {
    await idp.close();
  }
}

async function tokenStorm(concurrency: number): Promise<StormRow> {
  const idp = await startIdp([], { delayMs: IDP_DELAY_MS });
  try {
    const manager = new ClientCredentialsTokenManager({
      tokenEndpoint: idp.tokenEndpoint,
      clientId: 'bench-client',
      clientSecret: 'bench-secret',
      scope: 'read',
    });
    const results = await Promise.allSettled(Array.from({ length: concurrency }, () => manager.getToken()));
    await manager.close();
    const distinct = new Set(
      results.map((r) => (r.status === 'fulfilled' ? r.value.accessToken : undefined)),
    );
    return {
      name: `${int(concurrency)} concurrent \`getToken()\` on a cold manager`,
      measured: `token requests ${idp.counts.token}`,
      target: 'token requests 1',
      met: idp.counts.token === 1 && results.every((r) => r.status === 'fulfilled') && distinct.size === 1,
      detail: `${outcomes(results)}; ${distinct.size} distinct token(s) handed out`,
    };
  } finally {
    await idp.close();
  }
}

async function guarded(name: string, run: () => Promise<StormRow>): Promise<StormRow> {
  try {
    return await run();
  } catch (err) {
    return { name, measured: 'failed', target: '', detail: (err as Error).message };
  }
}

export async function runStorms(
  quick: boolean,
  log: (line: string) => void = () => {},
): Promise<StormsReport> {
  const rows: StormRow[] = [];
  const record = (row: StormRow) => {
    rows.push(row);
    log(`storms: ${row.name}: ${row.measured} (${row.detail})`);
  };
  record(await guarded('cold start', () => coldStart(1000)));
  record(await guarded('random kids', () => randomKids(10_000, undefined, 0)));
  record(await guarded('random kids, short cooldown', () => randomKids(10_000, 500, 250)));
  record(await guarded('getToken storm', () => tokenStorm(1000)));

  const heapCount = quick ? 100_000 : 1_000_000;
  let heap: HeapReport | undefined;
  try {
    heap = await runPart<HeapReport>('heap.ts', [String(heapCount)], ['--expose-gc']);
    record({
      name: `${int(heapCount)} distinct invalid tokens through the validator`,
      measured: `heap ${heap.heapGrowthMb >= 0 ? '+' : ''}${fixed(heap.heapGrowthMb, 1)} MB after GC`,
      target: 'heap growth < 20 MB',
      met: heap.heapGrowthMb < 20 && heap.accepted === 0,
      detail:
        `${fixed(heap.seconds, 1)} s; heap ${fixed(heap.heapBeforeMb, 1)} → ${fixed(heap.heapAfterMb, 1)} MB, ` +
        `RSS ${heap.rssGrowthMb >= 0 ? '+' : ''}${fixed(heap.rssGrowthMb, 1)} MB; accepted ${heap.accepted}; ` +
        Object.entries(heap.rejectionCodes)
          .map(([code, n]) => `${code} ${int(n)}`)
          .join(', '),
    });
  } catch (err) {
    record({
      name: 'heap under invalid tokens',
      measured: 'failed',
      target: '',
      detail: (err as Error).message,
    });
  }
  return { rows, heap, markdown: render(rows) };
}

function render(rows: StormRow[]): string {
  return [
    `The local IdP holds every answer ${IDP_DELAY_MS} ms so that a storm piles up behind the first fetch. ` +
      'Storms go through `createTokenValidator` (discovery from the issuer, the default) and ' +
      '`ClientCredentialsTokenManager` directly; the heap run is a separate process with `--expose-gc`, ' +
      'measured after 10,000 warm-up tokens and a full GC before and after.',
    '',
    table(
      ['storm', 'measured', 'target', 'status', 'detail'],
      rows.map((r) => [r.name, r.measured, r.target, mark(r.met), r.detail]),
      'lllll',
    ),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const report = await runStorms(quick, (line) => console.error(line));
  if (!reply(report)) console.log(report.markdown);
}
