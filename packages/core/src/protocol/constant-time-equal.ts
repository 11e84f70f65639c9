import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Whether two strings are equal, in time independent of their content and length: both are hashed first, so
 * `timingSafeEqual` always compares 32 bytes (a `state`, a `nonce`, a token hash).
 */
export function constantTimeEqual(actual: string, expected: string): boolean {
  return timingSafeEqual(digest(actual), digest(expected));
}
