import { constants, type KeyObject, type SignKeyObjectInput, sign } from 'node:crypto';
import type { TestIssuerAlgorithm } from './signing-keys.js';

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signingInput(alg: TestIssuerAlgorithm, key: KeyObject): [string | null, SignKeyObjectInput] {
  if (alg === 'EdDSA') return [null, { key }];
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith('PS')) {
    return [hash, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }];
  }
  // JWS wants the raw r||s form of an ECDSA signature (RFC 7518 §3.4), not DER.
  if (alg.startsWith('ES')) return [hash, { key, dsaEncoding: 'ieee-p1363' }];
  return [hash, { key }];
}

/**
 * A compact JWS signed with node:crypto. The header is written as given, so a test can put anything in it
 * (a wrong `kid`, `alg: none`, a `jku`…) while the signature is always made with `alg` and `key`; with a
 * header `alg` of `none` the signature is empty, as an unsigned JWT has.
 */
export function signJws(
  header: Readonly<Record<string, unknown>>,
  claims: Readonly<Record<string, unknown>>,
  alg: TestIssuerAlgorithm,
  key: KeyObject,
): string {
  const input = `${encode(header)}.${encode(claims)}`;
  if (header.alg === 'none') return `${input}.`;
  const [hash, options] = signingInput(alg, key);
  return `${input}.${sign(hash, Buffer.from(input), options).toString('base64url')}`;
}
