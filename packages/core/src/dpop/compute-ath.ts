import { createHash } from 'node:crypto';
import { ConfigurationError } from '../errors.js';

/** RFC 9449 §4.2: `ath`, the base64url (no padding) SHA-256 of the ASCII access token a proof goes with. */
export function computeAth(accessToken: string): string {
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw new ConfigurationError('accessToken: a non-empty string is required to compute ath');
  }
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}
