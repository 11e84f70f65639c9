import { LocalKeySet } from '../../src/jwks/local-key-set.js';
import { signJws, type TestKey, testKey } from '../validation/helpers.js';

export const ISSUER = 'https://op.example';
export const CLIENT = 'rp-client';
export const opKey = testKey('RS256', 'op-key');
export const opKeys = new LocalKeySet({ keys: [opKey.jwk] });

/** Signs a JWT: claims valid now unless overridden (an `undefined` override deletes the member). */
export function jwt(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
  signer: TestKey = opKey,
): string {
  const h: Record<string, unknown> = { alg: signer.alg, kid: signer.kid, ...header };
  for (const o of [claims, h]) for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return signJws(h, claims, signer.privateKey, String(h.alg));
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
