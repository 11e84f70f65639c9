import { hash } from 'node:crypto';
import { ConfigurationError } from '../errors.js';

/**
 * RFC 9449 §4.2: `ath`, the base64url (no padding) SHA-256 of the ASCII access token a proof goes with. A
 * token is ASCII (b64token), where UTF-8 and ASCII are the same bytes; the one-shot hash costs half of a Hash.
 */
export function computeAth(accessToken: string): string {
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw new ConfigurationError('accessToken: a non-empty string is required to compute ath');
  }
  return hash('sha256', accessToken, 'base64url');
}
