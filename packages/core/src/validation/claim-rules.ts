import { TokenValidationError } from '../errors.js';
import type { ResolvedOptions } from './resolve-options.js';
import type { JwtClaims } from './types.js';

/** When a token passing now stops passing, and when it starts; epoch ms (for the verified-token cache). */
export interface ClaimWindow {
  expiresAt: number;
  notBefore: number;
}

function refuse(code: TokenValidationError['code'], message: string): never {
  throw new TokenValidationError(code, message);
}

function numericDate(claims: JwtClaims, name: 'exp' | 'nbf' | 'iat'): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  // 1e999 parses to Infinity: a token that never expires is not a numeric date.
  if (typeof value !== 'number' || !Number.isFinite(value))
    refuse('claim_invalid', `${name} must be a number`);
  return value;
}

/**
 * Presence, `iss`, `aud`, `sub`, then time. Runs before the signature is checked (all of it is cheap and
 * none of it trusts the token): an expired or foreign token is refused without a key lookup. `now` is epoch
 * seconds, truncated as jose does, so verdicts agree at the boundaries.
 */
/** What `checkClaims` reads of the options (the introspection validator builds its own). */
export type ClaimRuleOptions = Pick<
  ResolvedOptions,
  | 'requiredClaims'
  | 'checkIssuer'
  | 'issuerAllowed'
  | 'issuerRefusal'
  | 'audiences'
  | 'subject'
  | 'clockTolerance'
  | 'checkNbf'
  | 'checkIat'
  | 'maxTokenAge'
>;

export function checkClaims(claims: JwtClaims, options: ClaimRuleOptions, nowMs: number): ClaimWindow {
  for (const name of options.requiredClaims) {
    if (!Object.hasOwn(claims, name)) refuse('claim_missing', `required claim ${name} is missing`);
  }

  if (options.checkIssuer) {
    const iss = claims.iss;
    if (typeof iss !== 'string' || !options.issuerAllowed(iss))
      refuse('issuer_invalid', options.issuerRefusal(iss));
  }

  const audiences = options.audiences;
  if (audiences !== undefined) {
    const aud = claims.aud;
    let ok = false;
    if (typeof aud === 'string') ok = audiences.has(aud);
    else if (Array.isArray(aud)) ok = aud.some((a) => typeof a === 'string' && audiences.has(a));
    if (!ok) refuse('audience_invalid', 'audience not accepted');
  }

  if (options.subject !== undefined && claims.sub !== options.subject)
    refuse('claim_invalid', 'subject not accepted');

  const now = Math.floor(nowMs / 1000);
  const tolerance = options.clockTolerance;
  const exp = numericDate(claims, 'exp');
  const nbf = numericDate(claims, 'nbf');
  const iat = numericDate(claims, 'iat');
  if (exp !== undefined && exp <= now - tolerance) refuse('token_expired', 'token expired');
  if (nbf !== undefined && options.checkNbf && nbf > now + tolerance)
    refuse('token_not_yet_valid', 'token not yet valid');
  if (iat !== undefined && options.checkIat && iat > now + tolerance)
    refuse('iat_in_future', 'token issued in the future');
  // The same comparisons as above, solved for the first and last millisecond at which they pass.
  let expiresAt = exp === undefined ? Number.POSITIVE_INFINITY : Math.ceil(exp + tolerance) * 1000;
  if (options.maxTokenAge !== undefined && iat !== undefined) {
    if (now - iat - tolerance > options.maxTokenAge) refuse('token_too_old', 'token older than maxTokenAge');
    expiresAt = Math.min(expiresAt, (Math.floor(iat + options.maxTokenAge + tolerance) + 1) * 1000);
  }
  return {
    expiresAt,
    notBefore: nbf === undefined || !options.checkNbf ? 0 : Math.ceil(nbf - tolerance) * 1000,
  };
}
