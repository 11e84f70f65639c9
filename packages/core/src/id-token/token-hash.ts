import { createHash } from 'node:crypto';

/** Length (characters) of a base64url Ed448 signature (114 bytes); an Ed25519 one (64 bytes) has 86. */
const ED448_SIGNATURE_CHARS = 152;

/**
 * The digest behind `at_hash` / `c_hash` for an ID token signed with `alg` (OIDC Core §3.1.3.6, §3.3.2.11):
 * the JWA hash of the alg (…256 → SHA-256, …384 → SHA-384, …512 → SHA-512). EdDSA names no hash: following
 * OpenID Connect issue #1125 and the Token Hash Algorithms implementer's guide (as oidc-provider and
 * oidc-token-hash do), Ed25519 → SHA-512 and Ed448 → SHAKE256 with a 114-byte output. The curve is read from
 * the signature's length, which the verified signature fixes (64 bytes for Ed25519, 114 for Ed448).
 */
function digest(value: string, alg: string, signatureChars: number): Buffer | undefined {
  const bytes = Buffer.from(value, 'ascii');
  if (alg === 'EdDSA') {
    if (signatureChars === ED448_SIGNATURE_CHARS) {
      return createHash('shake256', { outputLength: 114 }).update(bytes).digest();
    }
    return createHash('sha512').update(bytes).digest();
  }
  const bits = alg.slice(2);
  if (bits === '256' || bits === '384' || bits === '512') {
    return createHash(`sha${bits}`).update(bytes).digest();
  }
  return undefined;
}

/** `base64url(left-most half of hash(ASCII(value)))`, or undefined for an alg with no defined hash. */
export function tokenHash(value: string, alg: string, signatureChars = 86): string | undefined {
  const hash = digest(value, alg, signatureChars);
  return hash?.subarray(0, hash.length / 2).toString('base64url');
}
