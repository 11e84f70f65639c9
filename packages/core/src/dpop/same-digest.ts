import { timingSafeEqual } from 'node:crypto';

/**
 * Whether two base64url digests (an `ath`, a `jkt`) are equal, in time independent of their content. Their
 * length is public (43 characters for SHA-256), so unequal lengths return at once and no hashing is needed.
 */
export function sameDigest(actual: string, expected: string): boolean {
  if (actual.length !== expected.length || actual.length === 0) return false;
  return timingSafeEqual(Buffer.from(actual, 'latin1'), Buffer.from(expected, 'latin1'));
}
