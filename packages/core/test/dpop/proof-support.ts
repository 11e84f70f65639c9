/**
 * Hand-made DPoP proofs for the resource-server tests: any header and claims, signed with a real key (or with
 * a secret, or not at all), so every RFC 9449 §4.3 check can be given exactly the proof that trips it.
 */
import { createHmac, type KeyObject, randomUUID, sign } from 'node:crypto';
import { computeAth } from '../../src/dpop/compute-ath.js';
import { type DPoPKey, generateDPoPKey } from '../../src/dpop/dpop-key.js';

const HASH: Record<string, string | null> = {
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  RS256: 'sha256',
  PS256: 'sha256',
  EdDSA: null,
};

function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A compact JWS of `header` and `claims`, signed by `key` as `header.alg` says ('none': no signature). */
export function signJws(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key?: KeyObject | Uint8Array,
): string {
  const input = `${segment(header)}.${segment(claims)}`;
  const alg = header.alg as string;
  if (alg === 'none') return `${input}.`;
  if (alg.startsWith('HS')) {
    return `${input}.${createHmac(`sha${alg.slice(2)}`, key as Uint8Array)
      .update(input)
      .digest('base64url')}`;
  }
  const hash = alg in HASH ? (HASH[alg] ?? null) : 'sha256';
  const options = alg.startsWith('ES')
    ? { key: key as KeyObject, dsaEncoding: 'ieee-p1363' as const }
    : alg.startsWith('PS')
      ? { key: key as KeyObject, padding: 6, saltLength: 32 }
      : (key as KeyObject);
  return `${input}.${sign(hash, Buffer.from(input), options).toString('base64url')}`;
}

export interface ProofParts {
  key?: DPoPKey;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** Claims removed after defaults are applied. */
  omit?: readonly string[];
  accessToken?: string;
}

/** A valid proof for `htm` `htu` (with `ath` of `accessToken`), then `header` / `claims` overrides applied. */
export function proof(htm: string, htu: string, parts: ProofParts = {}): string {
  const key = parts.key ?? defaultKey;
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm,
    htu,
    iat: Math.floor(Date.now() / 1000),
    ...(parts.accessToken === undefined ? {} : { ath: computeAth(parts.accessToken) }),
    ...parts.claims,
  };
  for (const name of parts.omit ?? []) delete claims[name];
  const header = { typ: 'dpop+jwt', alg: key.alg, jwk: { ...key.publicJwk }, ...parts.header };
  return signJws(header, claims, key.privateKey);
}

export const defaultKey: DPoPKey = generateDPoPKey('ES256');
