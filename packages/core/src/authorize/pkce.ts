import { createHash, randomInt } from 'node:crypto';
import { ConfigurationError } from '../errors.js';

/** `S256` unless the server cannot hash; `plain` only when asked for (RFC 7636 §4.2, §7.2). */
export type CodeChallengeMethod = 'S256' | 'plain';

export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: CodeChallengeMethod;
}

/** RFC 3986 §2.3 unreserved characters, the alphabet of a code verifier (RFC 7636 §4.1). */
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * A code verifier of `length` (43–128, default 64) unreserved characters, each drawn uniformly from the
 * CSPRNG (`randomInt` has no modulo bias): 6 bits of entropy per character, 384 at the default length.
 */
export function generateCodeVerifier(length = 64): string {
  if (!Number.isInteger(length) || length < 43 || length > 128) {
    throw new ConfigurationError(
      'generateCodeVerifier: length must be an integer from 43 to 128 (RFC 7636 §4.1)',
    );
  }
  let verifier = '';
  for (let i = 0; i < length; i++) verifier += UNRESERVED[randomInt(UNRESERVED.length)];
  return verifier;
}

/** The `code_challenge` for `verifier`: BASE64URL(SHA256(ASCII(verifier))) for S256, the verifier for plain. */
export function generateCodeChallenge(verifier: string, method: CodeChallengeMethod = 'S256'): string {
  if (typeof verifier !== 'string' || !VERIFIER.test(verifier)) {
    throw new ConfigurationError(
      'generateCodeChallenge: the verifier must be 43 to 128 characters of [A-Z a-z 0-9 - . _ ~] (RFC 7636 §4.1)',
    );
  }
  if (method === 'plain') return verifier;
  if (method !== 'S256') {
    throw new ConfigurationError(`generateCodeChallenge: method "${String(method)}" is not S256 or plain`);
  }
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** A fresh verifier and its S256 (or, when asked, plain) challenge. */
export function generatePkcePair(options: { length?: number; method?: CodeChallengeMethod } = {}): PkcePair {
  const method = options.method ?? 'S256';
  const codeVerifier = generateCodeVerifier(options.length);
  return {
    codeVerifier,
    codeChallenge: generateCodeChallenge(codeVerifier, method),
    codeChallengeMethod: method,
  };
}
