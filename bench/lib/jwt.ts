/**
 * Keys and tokens shared by every contender: one key per algorithm, tokens signed directly with
 * `node:crypto` (fast to mint in bulk; each token differs by its `jti`).
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';

export type BenchAlg = 'RS256' | 'ES256' | 'EdDSA';
export const BENCH_ALGS: readonly BenchAlg[] = ['RS256', 'ES256', 'EdDSA'];

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: string;
  use: string;
}

export interface BenchKey {
  alg: BenchAlg;
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: PublicJwk;
  /** SPKI PEM of the public key (fast-jwt, koa-jwt want PEM). */
  pem: string;
}

export function generateKey(alg: BenchAlg, kid = `bench-${alg.toLowerCase()}`): BenchKey {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return fromPrivateJwk(alg, kid, pair.privateKey.export({ format: 'jwk' }));
}

/** Rebuilds a key from its private JWK (keys are kept on disk between runs with their tokens). */
export function fromPrivateJwk(alg: BenchAlg, kid: string, privateJwk: JsonWebKey): BenchKey {
  const privateKey = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  return { alg, kid, privateKey, publicKey, jwk, pem };
}

export interface TokenClaims {
  iss: string;
  aud: string;
  sub?: string;
  exp?: number;
  iat?: number;
  scope?: string;
  client_id?: string;
  jti?: string;
  [claim: string]: unknown;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function signingInput(key: BenchKey, claims: TokenClaims, header: Record<string, unknown>): string {
  return `${b64({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header })}.${b64(claims)}`;
}

function signature(key: BenchKey, input: string): string {
  const data = Buffer.from(input);
  const sig =
    key.alg === 'RS256'
      ? sign('sha256', data, key.privateKey)
      : key.alg === 'ES256'
        ? sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
        : sign(null, data, key.privateKey);
  return sig.toString('base64url');
}

function signatureAsync(key: BenchKey, input: string): Promise<string> {
  const data = Buffer.from(input);
  const digest = key.alg === 'EdDSA' ? null : 'sha256';
  const keyInput =
    key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' as const } : key.privateKey;
  return new Promise((resolve, reject) => {
    sign(digest, data, keyInput, (err, sig) => (err ? reject(err) : resolve(sig.toString('base64url'))));
  });
}

export function signToken(key: BenchKey, claims: TokenClaims, header: Record<string, unknown> = {}): string {
  const input = signingInput(key, claims, header);
  return `${input}.${signature(key, input)}`;
}

/** Standard access-token claims, valid for `ttlSeconds`, with a fresh `jti`. */
export function accessClaims(issuer: string, audience: string, ttlSeconds = 3600): TokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issuer,
    aud: audience,
    sub: 'bench-user',
    client_id: 'bench-client',
    scope: 'read write',
    iat: now,
    exp: now + ttlSeconds,
    jti: randomUUID(),
  };
}

/**
 * `count` distinct valid tokens. RS256 signing costs ~1 ms each, so signatures run on the libuv pool
 * (both cores), 256 at a time.
 */
export async function mintTokens(
  key: BenchKey,
  issuer: string,
  audience: string,
  count: number,
  claims: Partial<TokenClaims> = {},
): Promise<string[]> {
  const tokens: string[] = new Array(count);
  for (let start = 0; start < count; start += 256) {
    const end = Math.min(count, start + 256);
    const batch: Promise<void>[] = [];
    for (let i = start; i < end; i++) {
      const input = signingInput(key, { ...accessClaims(issuer, audience), ...claims }, {});
      batch.push(
        signatureAsync(key, input).then((sig) => {
          tokens[i] = `${input}.${sig}`;
        }),
      );
    }
    await Promise.all(batch);
  }
  return tokens;
}
