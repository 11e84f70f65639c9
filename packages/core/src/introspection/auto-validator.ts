import { isUtf8 } from 'node:buffer';
import { decodeCanonicalBase64url } from '../validation/base64url.js';
import { parseJsonObject } from '../validation/safe-json.js';
import type { TokenValidator, ValidatedToken } from '../validation/types.js';

/** A JOSE header is a few hundred characters; a longer first segment is not decoded to find out. */
const MAX_HEADER_SEGMENT = 4096;

/**
 * Whether a token is a compact JWS: exactly three dot-separated segments, the first canonical base64url of a
 * UTF-8 JSON object with a string `alg`. Cheap (the header only, no signature) and never throws. An opaque
 * token with two dots whose first part happens to decode to such an object is, to a resource server, a JWS.
 */
export function looksLikeJws(token: string): boolean {
  const d1 = token.indexOf('.');
  if (d1 <= 0 || d1 > MAX_HEADER_SEGMENT) return false;
  const d2 = token.indexOf('.', d1 + 1);
  if (d2 < 0 || token.indexOf('.', d2 + 1) !== -1) return false;
  const bytes = decodeCanonicalBase64url(token, 0, d1);
  if (bytes === undefined || !isUtf8(bytes)) return false;
  const parsed = parseJsonObject(bytes.toString('utf8'), false);
  return parsed.ok && typeof parsed.value.alg === 'string';
}

/**
 * `tokens: 'auto'`: a token that looks like a JWS goes to the JWT validator (and its verdict stands: a JWS
 * that fails locally is NOT retried by introspection, or a forged JWT would cost an introspection each and a
 * revoked-but-unexpired JWT could pass), anything else is introspected.
 */
export function createAutoTokenValidator(jwt: TokenValidator, introspection: TokenValidator): TokenValidator {
  return {
    validate(token: string): Promise<ValidatedToken> {
      return typeof token === 'string' && looksLikeJws(token)
        ? jwt.validate(token)
        : introspection.validate(token);
    },
    async close(): Promise<void> {
      await Promise.all([jwt.close(), introspection.close()]);
    },
  };
}
