import { createHash } from 'node:crypto';
import { ConfigurationError } from '../errors.js';

/** RFC 7638 §3.2: the members that make up a key's thumbprint, per key type, in lexicographic order. */
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
  oct: ['k', 'kty'],
};

/** A JWK as far as its thumbprint is concerned: string members, at least `kty`. */
export type ThumbprintJwk = Readonly<Record<string, unknown>>;

/**
 * The RFC 7638 JWK thumbprint with SHA-256, base64url without padding: what a DPoP-bound access token carries
 * in `cnf.jkt` (RFC 9449 §6.1). Only the required members of the key type count, so a private JWK has the
 * same thumbprint as its public half. Throws `ConfigurationError` for a key type or member it cannot use.
 */
export function jwkThumbprint(jwk: ThumbprintJwk): string {
  if (jwk === null || typeof jwk !== 'object') throw new ConfigurationError('jwk: a JWK object is required');
  const kty = jwk.kty;
  const members = typeof kty === 'string' ? REQUIRED_MEMBERS[kty] : undefined;
  if (members === undefined) {
    throw new ConfigurationError(`jwk: kty must be one of ${Object.keys(REQUIRED_MEMBERS).join(', ')}`);
  }
  // Built by hand in the RFC's order: no whitespace, members sorted (JSON.stringify keeps insertion order).
  const canonical: Record<string, string> = {};
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string' || value.length === 0) {
      throw new ConfigurationError(`jwk: a ${String(kty)} key needs a non-empty string "${name}" member`);
    }
    canonical[name] = value;
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}
