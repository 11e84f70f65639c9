/**
 * Introspection cache hit against a JWT cache hit, interleaved in one run: both validators answer the same
 * token again and again from their cache. The introspection endpoint is a loopback server that counts
 * requests (it must see exactly one: the warm-up).
 * Run alone: `node --conditions=@identity-model/source --import tsx bench/introspection.ts [--quick]`.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createIntrospectionValidator,
  createTokenValidator,
  type TokenValidator,
} from '@identity-model/core';
import type { JWK } from 'jose';
import { fixed, int, ratio, table } from './lib/format.js';
import { accessClaims, generateKey, signToken } from './lib/jwt.js';
import { type Measurement, measureInterleaved } from './lib/measure.js';
import { isMain, reply } from './lib/process.js';

const ISSUER = 'https://issuer.bench.example';
const AUDIENCE = 'api://bench';

export interface IntrospectionRow {
  contender: string;
  result: Measurement;
}

export interface IntrospectionReport {
  rows: IntrospectionRow[];
  /** Requests the introspection endpoint saw during the whole run. */
  introspections: number;
  markdown: string;
}

export async function runIntrospection(quick: boolean): Promise<IntrospectionReport> {
  const count = quick ? 10_000 : 50_000;
  const rounds = quick ? 3 : 7;
  let introspections = 0;
  const server = createServer((req, res) => {
    introspections++;
    req.resume();
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      active: true,
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'bench-user',
      client_id: 'bench-client',
      scope: 'read write',
      iat: now,
      exp: now + 3600,
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const key = generateKey('RS256');
  const jwt = signToken(key, accessClaims(ISSUER, AUDIENCE));
  const opaque = randomBytes(24).toString('base64url');
  const jwtValidator = createTokenValidator({
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: { keys: [key.jwk] } as { keys: JWK[] },
    algorithms: ['RS256'],
  });
  const introspectionValidator = createIntrospectionValidator({
    issuer: ISSUER,
    audience: AUDIENCE,
    address: `http://127.0.0.1:${port}/introspect`,
    clientId: 'bench-api',
    clientSecret: 'bench-secret',
    cacheDuration: 3600,
  });
  const validators: [string, TokenValidator, string][] = [
    ['JWT cache hit (RS256, createTokenValidator)', jwtValidator, jwt],
    ['introspection cache hit (createIntrospectionValidator)', introspectionValidator, opaque],
  ];
  try {
    // Warm both caches, and check each accepts its token (a rejecting contender would look fast).
    for (const [, validator, token] of validators) await validator.validate(token);
    const results = await measureInterleaved(
      validators.map(([, validator, token]) => ({
        make: () => (t: string) => validator.validate(t),
        tokens: new Array<string>(count).fill(token),
      })),
      { rounds, warmupRounds: 1, reference: 0 },
    );
    const rows = results.map((result, i) => ({ contender: validators[i]![0], result }));
    const markdown = [
      `${int(count)} validations of the same token per run, 1 warm-up round then ${rounds} rounds, ` +
        `interleaved (see Token verification for the method); × JWT: ratio to the JWT cache hit in the same ` +
        `round. Introspection requests seen by the endpoint over the whole run: ${introspections}.`,
      '',
      table(
        ['contender', 'µs/op', '× JWT', 'ops/s in flight'],
        rows.map((r) => [
          r.contender,
          fixed(r.result.latencyUs, 2),
          ratio(r.result.latencyRatio),
          int(r.result.opsPerSec),
        ]),
        'lrrr',
      ),
    ].join('\n');
    return { rows, introspections, markdown };
  } finally {
    await Promise.all(validators.map(([, v]) => v.close()));
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

if (isMain(import.meta.url)) {
  const report = await runIntrospection(process.argv.includes('--quick'));
  if (!reply(report)) console.log(report.markdown);
}
