import { ConfigurationError } from '../errors.js';
import { BearerError } from './bearer-error.js';
import { assertValidScopes } from './challenge.js';
import type { AuthGuard } from './guards.js';

/** What a route asks of the user's authentication (RFC 9470 step-up). */
export interface AuthenticationRequirement {
  /** Accepted authentication context classes: the token's `acr` must be one of them. */
  acr?: readonly string[];
  /** Seconds: the token's `auth_time` must be at most this long ago. */
  maxAge?: number;
}

// RFC 9470 §3's own example texts: fixed, they echo nothing of the token.
const WEAK = 'A different authentication level is required';
const STALE = 'More recent authentication is required';
// An `auth_time` this far ahead of our clock is a broken claim, not a fresh login.
const FUTURE_TOLERANCE_SECONDS = 60;

/**
 * Passes when the user authenticated strongly enough (`acr` among `acr`) and recently enough (`auth_time`
 * within `maxAge` seconds). Otherwise 401 `insufficient_user_authentication` (RFC 9470 §3) whose challenge
 * carries the whole requirement: `acr_values="…"` and/or `max_age=…`, so the client can ask the
 * authorization server for exactly that. A token without the claim does not meet the requirement. Works on
 * any validated token: a JWT's claims or an introspection answer's members.
 */
export function requireAuthentication(requirement: AuthenticationRequirement): AuthGuard {
  if (requirement === null || typeof requirement !== 'object') {
    throw new ConfigurationError('requireAuthentication needs { acr?: string[], maxAge?: seconds }');
  }
  const { acr, maxAge } = requirement;
  if (acr === undefined && maxAge === undefined) {
    throw new ConfigurationError('requireAuthentication needs `acr`, `maxAge` or both');
  }
  if (acr !== undefined) {
    if (!Array.isArray(acr))
      throw new ConfigurationError('requireAuthentication: `acr` must be a list of acr values');
    assertValidScopes('requireAuthentication acr', acr);
  }
  if (maxAge !== undefined && (!Number.isSafeInteger(maxAge) || maxAge < 0)) {
    throw new ConfigurationError(
      'requireAuthentication: `maxAge` must be a whole number of seconds (0 or more)',
    );
  }
  const accepted = acr === undefined ? undefined : Object.freeze([...acr]);
  const refuse = (description: string) =>
    new BearerError('insufficient_user_authentication', description, { acrValues: accepted, maxAge });
  return (auth) => {
    const claims = auth.claims;
    if (accepted !== undefined) {
      const value = Object.hasOwn(claims, 'acr') ? claims.acr : undefined;
      if (typeof value !== 'string' || !accepted.includes(value)) return refuse(WEAK);
    }
    if (maxAge !== undefined) {
      const authTime = Object.hasOwn(claims, 'auth_time') ? claims.auth_time : undefined;
      const now = Math.floor(Date.now() / 1000);
      if (
        typeof authTime !== 'number' ||
        !Number.isFinite(authTime) ||
        authTime > now + FUTURE_TOLERANCE_SECONDS ||
        now - authTime > maxAge
      ) {
        return refuse(STALE);
      }
    }
    return undefined;
  };
}
