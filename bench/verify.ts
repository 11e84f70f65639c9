/**
 * Token verification microbench: the same keys and tokens for every contender, per algorithm.
 * Run alone: `node --conditions=@identity-model/source --import tsx bench/verify.ts [--quick]`.
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { createTokenValidator, type TokenValidator, type TokenValidatorOptions } from '@identity-model/core';
import { JwtVerifier } from 'aws-jwt-verify';
import { createVerifier } from 'fast-jwt';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { fixed, int, ratio, table } from './lib/format.js';
import {
  accessClaims,
  BENCH_ALGS,
  type BenchAlg,
  type BenchKey,
  generateKey,
  mintTokens,
  signToken,
} from './lib/jwt.js';
import { type Measurement, measureInterleaved, type Timed, type VerifyFn } from './lib/measure.js';
import { isMain, reply } from './lib/process.js';

const ISSUER = 'https://issuer.bench.example';
const AUDIENCE = 'api://bench';

export interface VerifyRow {
  alg: BenchAlg;
  contender: string;
  tokens: 'distinct' | 'same';
  result?: Measurement;
  /** Why there is no figure (unsupported, failed). */
  note?: string;
}

export interface VerifyReport {
  rows: VerifyRow[];
  markdown: string;
}

interface Contender {
  name: string;
  tokens: 'distinct' | 'same';
  make: () => VerifyFn | Promise<VerifyFn>;
}

/** Signature only: what any verifier must at least spend. */
function floorVerifier(key: BenchKey): VerifyFn {
  const digest = key.alg === 'EdDSA' ? null : 'sha256';
  const keyInput: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' } =
    key.alg === 'ES256' ? { key: key.publicKey, dsaEncoding: 'ieee-p1363' } : key.publicKey;
  return (token) => {
    const dot = token.lastIndexOf('.');
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    if (!cryptoVerify(digest, Buffer.from(token.slice(0, dot)), keyInput, signature))
      throw new Error('bad signature');
    return true;
  };
}

/** The same through libuv's pool (`crypto.verify` with a callback): shows what both cores can do. */
function floorAsyncVerifier(key: BenchKey): VerifyFn {
  const digest = key.alg === 'EdDSA' ? null : 'sha256';
  const keyInput: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' } =
    key.alg === 'ES256' ? { key: key.publicKey, dsaEncoding: 'ieee-p1363' } : key.publicKey;
  return (token) =>
    new Promise((resolve, reject) => {
      const dot = token.lastIndexOf('.');
      const signature = Buffer.from(token.slice(dot + 1), 'base64url');
      cryptoVerify(digest, Buffer.from(token.slice(0, dot)), keyInput, signature, (err, ok) =>
        err || !ok ? reject(err ?? new Error('bad signature')) : resolve(true),
      );
    });
}

async function contenders(key: BenchKey, hitToken: string): Promise<Contender[]> {
  const jwks = { keys: [key.jwk] };
  const list: Contender[] = [
    { name: 'floor: node:crypto verify (sync)', tokens: 'distinct', make: () => floorVerifier(key) },
    {
      name: 'floor: node:crypto verify (async, libuv pool)',
      tokens: 'distinct',
      make: () => floorAsyncVerifier(key),
    },
  ];

  const localSet = createLocalJWKSet(jwks as { keys: JWK[] });
  const joseOptions = { algorithms: [key.alg], issuer: ISSUER, audience: AUDIENCE };
  list.push({
    name: 'jose jwtVerify (local JWK set)',
    tokens: 'distinct',
    make: () => (t) => jwtVerify(t, localSet, joseOptions),
  });

  const fastJwt = (cache: boolean) =>
    createVerifier({ key: key.pem, algorithms: [key.alg], allowedIss: ISSUER, allowedAud: AUDIENCE, cache });
  list.push({ name: 'fast-jwt (no cache)', tokens: 'distinct', make: () => fastJwt(false) });
  list.push({ name: 'fast-jwt (cache, miss)', tokens: 'distinct', make: () => fastJwt(true) });
  const fastJwtHit = fastJwt(true);
  fastJwtHit(hitToken);
  list.push({ name: 'fast-jwt (cache, hit)', tokens: 'same', make: () => fastJwtHit });

  const aws = JwtVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${ISSUER}/jwks` });
  aws.cacheJwks(jwks as unknown as Parameters<typeof aws.cacheJwks>[0]);
  list.push({
    name: 'aws-jwt-verify (hydrated, verify)',
    tokens: 'distinct',
    make: () => (t) => aws.verify(t),
  });

  const base: TokenValidatorOptions = {
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: jwks as { keys: JWK[] },
    algorithms: [key.alg],
  };
  let current: TokenValidator | undefined;
  // A fresh validator per round so its verified-token cache starts cold.
  const fresh = (extra: Partial<TokenValidatorOptions>) => async (): Promise<VerifyFn> => {
    await current?.close();
    const validator = createTokenValidator({ ...base, ...extra });
    current = validator;
    return (t) => validator.validate(t);
  };
  list.push({ name: 'ours (cache miss)', tokens: 'distinct', make: fresh({}) });
  list.push({ name: 'ours (cache: false)', tokens: 'distinct', make: fresh({ cache: false }) });
  let hit: TokenValidator | undefined;
  list.push({
    name: 'ours (cache hit)',
    tokens: 'same',
    make: async () => {
      if (!hit) {
        hit = createTokenValidator(base);
        await hit.validate(hitToken);
      }
      const validator = hit;
      return (t) => validator.validate(t);
    },
  });
  return list;
}

export async function runVerify(
  quick: boolean,
  log: (line: string) => void = () => {},
): Promise<VerifyReport> {
  const distinctCount = quick ? 300 : 2000;
  const sameCount = quick ? 10_000 : 50_000;
  const rounds = quick ? 3 : 7;
  const rows: VerifyRow[] = [];
  for (const alg of BENCH_ALGS) {
    const key = generateKey(alg);
    const distinct = await mintTokens(key, ISSUER, AUDIENCE, distinctCount);
    const hitToken = signToken(key, accessClaims(ISSUER, AUDIENCE));
    const same = new Array<string>(sameCount).fill(hitToken);
    const runnable: { row: VerifyRow; timed: Timed }[] = [];
    for (const contender of await contenders(key, hitToken)) {
      const row: VerifyRow = { alg, contender: contender.name, tokens: contender.tokens };
      rows.push(row);
      const tokens = contender.tokens === 'distinct' ? distinct : same;
      try {
        // A contender that rejects the token would look fast: check it accepts one first.
        await (await contender.make())(tokens[0]!);
        runnable.push({ row, timed: { make: contender.make, tokens } });
      } catch (err) {
        row.note = `failed: ${(err as Error).message}`;
        log(`verify ${alg} ${contender.name}: ${row.note}`);
      }
    }
    // The floor comes first in the list; ratios are to it.
    const results = await measureInterleaved(
      runnable.map((r) => r.timed),
      { rounds, warmupRounds: 1, reference: 0 },
    );
    results.forEach((result, i) => {
      const { row } = runnable[i]!;
      row.result = result;
      log(`verify ${alg} ${row.contender}: ${fixed(result.latencyUs, 2)} µs, ${int(result.opsPerSec)} ops/s`);
    });
  }
  return { rows, markdown: render(rows, { distinctCount, sameCount, rounds }) };
}

function render(
  rows: VerifyRow[],
  cfg: { distinctCount: number; sameCount: number; rounds: number },
): string {
  const out: string[] = [
    `Each run: ${int(cfg.distinctCount)} distinct tokens (or ${int(cfg.sameCount)} times the same token for ` +
      `cache hits). 1 warm-up round then ${cfg.rounds} rounds; in each round every contender runs once, in a ` +
      'rotating order, so load drift hits all alike. *µs/op*: one call after another (awaiting each), median ' +
      'over rounds. *ops/s in flight*: the whole run started at once, then `Promise.all`. A contender with a ' +
      'cache gets a fresh instance for each run, so "miss" rows never hit. *× floor*: median over rounds of ' +
      'the ratio to the synchronous `node:crypto` floor in the same round (latency: lower is better; ' +
      'throughput: higher is better).',
  ];
  for (const alg of BENCH_ALGS) {
    const mine = rows.filter((r) => r.alg === alg);
    const floor = mine[0]?.result;
    out.push(`\n#### ${alg}\n`);
    out.push(
      table(
        ['contender', 'tokens', 'µs/op', '× floor', 'ops/s in flight', '× floor'],
        mine.map((r) =>
          r.result && floor
            ? [
                r.contender,
                r.tokens,
                fixed(r.result.latencyUs, 2),
                ratio(r.result.latencyRatio),
                int(r.result.opsPerSec),
                ratio(r.result.opsRatio),
              ]
            : [r.contender, r.tokens, r.note ?? 'n/a', '', '', ''],
        ),
        'llrrrr',
      ),
    );
  }
  return out.join('\n');
}

if (isMain(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const report = await runVerify(quick, (line) => console.error(line));
  if (!reply(report)) console.log(report.markdown);
}
