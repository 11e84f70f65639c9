/**
 * The cost of a DPoP-bound request (RFC 9449) at the resource server: an access token with `cnf.jkt` and a
 * fresh proof for each request, through `createBearerAuthenticator` (mode 'required', warm keys, a fresh
 * authenticator and validator per run so no token or jti is ever seen twice), against the two-signature
 * floor: `node:crypto` verifying the token's signature and the proof's signature with keys imported once,
 * nothing else; and the floor of what RFC 9449 §4.3 makes every resource server do besides: the proof's
 * `ath` (a SHA-256 of the token), both payloads parsed, the `jti` remembered. Per algorithm (the provider
 * and the client use the same one), interleaved rounds.
 * Run alone: `node --conditions=@identity-model/source --import tsx bench/dpop.ts [--quick]`.
 */
import { verify as cryptoVerify, hash, type KeyObject } from 'node:crypto';
import {
  type BearerAuthenticator,
  computeAth,
  createBearerAuthenticator,
  createDPoPProof,
  createTokenValidator,
  generateDPoPKey,
  jwkThumbprint,
  type TokenValidator,
} from '@identity-model/core';
import type { JWK } from 'jose';
import { fixed, int, ratio, table } from './lib/format.js';
import { type BenchAlg, generateKey, mintTokens } from './lib/jwt.js';
import { type Measurement, measureInterleaved } from './lib/measure.js';
import { isMain, reply } from './lib/process.js';

const ISSUER = 'https://issuer.bench.example';
const AUDIENCE = 'api://bench';
const PUBLIC_URL = 'https://api.bench.example';
const DPOP_ALGS = ['ES256', 'RS256'] as const satisfies readonly BenchAlg[];

export interface DPoPRow {
  alg: (typeof DPOP_ALGS)[number];
  contender: string;
  result: Measurement;
}

export interface DPoPReport {
  rows: DPoPRow[];
  markdown: string;
}

/** The floor plus what RFC 9449 §4.3 requires of every resource server besides the two signatures. */
export const MUSTS = 'floor + RFC 9449 musts: ath hash, both payloads parsed, jti remembered';

interface Pair {
  token: string;
  proof: string;
}

function verifier(alg: BenchAlg, key: KeyObject): (jws: string) => void {
  const digest = alg === 'EdDSA' ? null : 'sha256';
  const input: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' } =
    alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key;
  return (jws) => {
    const dot = jws.lastIndexOf('.');
    if (
      !cryptoVerify(
        digest,
        Buffer.from(jws.slice(0, dot)),
        input,
        Buffer.from(jws.slice(dot + 1), 'base64url'),
      )
    )
      throw new Error('bad signature');
  };
}

/** A compact JWS's payload, parsed. */
function payload(jws: string): unknown {
  const first = jws.indexOf('.');
  return JSON.parse(Buffer.from(jws.slice(first + 1, jws.indexOf('.', first + 1)), 'base64url').toString());
}

async function measureAlg(
  alg: (typeof DPOP_ALGS)[number],
  count: number,
  rounds: number,
): Promise<DPoPRow[]> {
  const providerKey = generateKey(alg);
  const clientKey = generateDPoPKey(alg);
  const jkt = jwkThumbprint(clientKey.publicJwk);
  // One extra pair per run warms the keys (the provider key import, the code paths) before timing.
  const tokens = await mintTokens(providerKey, ISSUER, AUDIENCE, count + 1, { cnf: { jkt } });
  const pairs: Pair[] = await Promise.all(
    tokens.map(async (token) => ({
      token,
      proof: await createDPoPProof({
        key: clientKey,
        htm: 'GET',
        htu: `${PUBLIC_URL}/api`,
        ath: computeAth(token),
      }),
    })),
  );
  const request = (p: Pair) => ({
    method: 'GET',
    url: '/api?page=1',
    headers: { host: 'api.bench.example', authorization: `DPoP ${p.token}`, dpop: p.proof },
  });
  const indices = Array.from({ length: count }, (_, i) => String(i));
  const open: { authenticator: BearerAuthenticator; validator: TokenValidator }[] = [];

  const ours = async () => {
    const validator = createTokenValidator({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: { keys: [providerKey.jwk] } as { keys: JWK[] },
      algorithms: [alg],
    });
    const authenticator = createBearerAuthenticator({
      validator,
      dpop: { mode: 'required', algorithms: [alg] },
      publicUrl: PUBLIC_URL,
    });
    open.push({ authenticator, validator });
    // Each run has a fresh replay store and token cache, so the same pairs are fresh again; the extra one warms.
    const checked = await authenticator.authenticate(request(pairs[count] as Pair));
    if (checked?.binding?.method !== 'dpop')
      throw new Error('the authenticator refused a valid DPoP request');
    return async (i: string) => {
      const result = await authenticator.authenticate(request(pairs[Number(i)] as Pair));
      if (result === undefined) throw new Error('no token');
    };
  };
  const verifyToken = verifier(alg, providerKey.publicKey);
  const verifyProof = verifier(alg, clientKey.publicKey);
  const floor = () => (i: string) => {
    const p = pairs[Number(i)] as Pair;
    verifyToken(p.token);
    verifyProof(p.proof);
  };
  const musts = () => {
    const seen = new Map<string, number>();
    return (i: string) => {
      const p = pairs[Number(i)] as Pair;
      verifyToken(p.token);
      verifyProof(p.proof);
      const proofClaims = payload(p.proof) as { ath?: unknown; jti?: unknown };
      payload(p.token);
      if (proofClaims.ath !== hash('sha256', p.token, 'base64url')) throw new Error('bad ath');
      const jti = String(proofClaims.jti);
      if (seen.has(jti)) throw new Error('replayed');
      seen.set(jti, Date.now());
    };
  };
  try {
    const results = await measureInterleaved(
      [
        { make: floor, tokens: indices },
        { make: musts, tokens: indices },
        { make: ours, tokens: indices },
      ],
      { rounds, warmupRounds: 1, reference: 0 },
    );
    return [
      { alg, contender: 'floor: node:crypto, token + proof signatures', result: results[0] as Measurement },
      { alg, contender: MUSTS, result: results[1] as Measurement },
      { alg, contender: 'ours: createBearerAuthenticator, dpop required', result: results[2] as Measurement },
    ];
  } finally {
    await Promise.all(
      open.map(async (o) => {
        await o.authenticator.close();
        await o.validator.close();
      }),
    );
  }
}

export async function runDPoP(quick: boolean): Promise<DPoPReport> {
  // Runs of a few milliseconds wandered ±15 % from one bench to the next; these are long enough to settle.
  const count = quick ? 500 : 3000;
  const rounds = quick ? 5 : 9;
  const rows: DPoPRow[] = [];
  for (const alg of DPOP_ALGS) rows.push(...(await measureAlg(alg, count, rounds)));
  const markdown = [
    `${int(count)} DPoP-bound requests per run (each a distinct token with \`cnf.jkt\` and a distinct proof ` +
      `with \`ath\`), 1 warm-up round then ${rounds} rounds, interleaved. Ours: \`authenticate()\` of a ` +
      `fresh \`createBearerAuthenticator\` (dpop mode 'required', in-memory replay store, local key set) per ` +
      `run: token signature and claims, proof header, signature, htm, htu, iat, jti replay check, ath, jkt. ` +
      `Floor: the two signatures alone with \`node:crypto\` and keys imported once. Floor + musts: what ` +
      `RFC 9449 §4.3 requires of any resource server on top (SHA-256 of the token for \`ath\`, ` +
      `\`JSON.parse\` of both payloads, the \`jti\` in a \`Map\`), with nothing else checked. × floor: ratio ` +
      `to the floor in the same round.`,
    '',
    table(
      ['alg', 'contender', 'µs/request', '× floor', 'requests/s in flight'],
      rows.map((r) => [
        r.alg,
        r.contender,
        fixed(r.result.latencyUs, 1),
        ratio(r.result.latencyRatio),
        int(r.result.opsPerSec),
      ]),
      'llrrr',
    ),
  ].join('\n');
  return { rows, markdown };
}

if (isMain(import.meta.url)) {
  const report = await runDPoP(process.argv.includes('--quick'));
  if (!reply(report)) console.log(report.markdown);
}
