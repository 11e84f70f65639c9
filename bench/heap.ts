/**
 * Heap growth under a flood of distinct invalid tokens, in a process of its own started with `--expose-gc`:
 * `heap.ts <count>`. A validator backed by the local IdP (discovery + JWKS) gets `count` tokens, each unlike
 * any other: forged signatures under the real `kid`, unknown `kid`s, malformed strings, and unsupported
 * algorithms. What must not grow with them: caches of failures, per-`kid` bookkeeping, pending promises.
 */
import { randomBytes } from 'node:crypto';
import { createTokenValidator } from '@identity-model/core';
import { startIdp } from './lib/idp-server.js';
import { accessClaims, generateKey, signToken } from './lib/jwt.js';
import { isMain, reply } from './lib/process.js';
import { settledHeap } from './lib/settled-heap.js';

export interface HeapReport {
  count: number;
  seconds: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  heapGrowthMb: number;
  rssGrowthMb: number;
  rejected: number;
  accepted: number;
  rejectionCodes: Record<string, number>;
}

const AUDIENCE = 'api://bench';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function settle(): number {
  return settledHeap().heapUsed;
}

async function main(count: number): Promise<HeapReport> {
  const key = generateKey('RS256', 'bench-heap');
  const idp = await startIdp([key.jwk]);
  const validator = createTokenValidator({ issuer: idp.issuer, audience: AUDIENCE });
  const valid = signToken(key, accessClaims(idp.issuer, AUDIENCE));
  await validator.validate(valid);
  const template = valid.split('.');
  const signatureLength = template[2]!.length;

  /** The i-th invalid token; each differs from every other one. */
  const invalid = (i: number): string => {
    const claims = b64({ ...accessClaims(idp.issuer, AUDIENCE), jti: `${i}` });
    switch (i % 4) {
      case 0: // forged signature under the real key
        return `${template[0]}.${claims}.${randomBytes((signatureLength * 3) / 4).toString('base64url')}`;
      case 1: // a kid nobody published
        return `${b64({ alg: 'RS256', typ: 'at+jwt', kid: `kid-${i}` })}.${claims}.${template[2]}`;
      case 2: // not a JWT at all
        return randomBytes(96).toString('base64url');
      default: // an algorithm the validator does not accept
        return `${b64({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })}.${claims}.${randomBytes(32).toString('base64url')}`;
    }
  };

  const rejectionCodes: Record<string, number> = {};
  let accepted = 0;
  const run = async (from: number, to: number) => {
    const batch: Promise<unknown>[] = [];
    for (let i = from; i < to; i++) batch.push(validator.validate(invalid(i)));
    for (const outcome of await Promise.allSettled(batch)) {
      if (outcome.status === 'fulfilled') accepted++;
      else {
        const code = (outcome.reason as { code?: string }).code ?? 'other';
        rejectionCodes[code] = (rejectionCodes[code] ?? 0) + 1;
      }
    }
  };

  // Warm every path first so code compilation does not count as growth.
  await run(0, 10_000);
  for (const code of Object.keys(rejectionCodes)) delete rejectionCodes[code];
  accepted = 0;
  const heapBefore = settle();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const batchSize = 1000;
  for (let from = 10_000; from < 10_000 + count; from += batchSize) await run(from, from + batchSize);
  const seconds = (performance.now() - started) / 1000;
  const heapAfter = settle();
  const rssAfter = process.memoryUsage().rss;
  await validator.close();
  await idp.close();
  const mb = (bytes: number) => bytes / 2 ** 20;
  return {
    count,
    seconds,
    heapBeforeMb: mb(heapBefore),
    heapAfterMb: mb(heapAfter),
    heapGrowthMb: mb(heapAfter - heapBefore),
    rssGrowthMb: mb(rssAfter - rssBefore),
    rejected: Object.values(rejectionCodes).reduce((a, b) => a + b, 0),
    accepted,
    rejectionCodes,
  };
}

if (isMain(import.meta.url)) {
  const report = await main(Number(process.argv[2] ?? 1_000_000));
  if (!reply(report)) console.log(report);
}
