import { ConfigurationError } from '../errors.js';
import type { JwtClaims, ValidatedToken } from '../validation/types.js';
import { TOKEN_MISSING_DESCRIPTION } from './authenticate.js';
import { BearerError } from './bearer-error.js';
import { assertValidScopes, type ChallengeSettings } from './challenge.js';
import { type AuthenticationRequirement, requireAuthentication } from './require-authentication.js';

/** A refusal, or `undefined` when the token may pass. */
export type GuardResult = BearerError | undefined;

/** A route requirement on an authenticated token; adapters turn it into middleware / preHandlers. */
export type AuthGuard = (auth: ValidatedToken) => GuardResult | Promise<GuardResult>;

const CLAIM_REFUSED = 'The access token does not meet the requirements of this resource';

function insufficient(description: string, scope?: readonly string[]): BearerError {
  return new BearerError('insufficient_scope', description, { scope });
}

/** Passes when the token grants every one of `scopes`; else 403 `insufficient_scope` naming them. */
export function requireScopes(...scopes: string[]): AuthGuard {
  assertValidScopes('requireScopes', scopes);
  const required = Object.freeze([...scopes]);
  return (auth) =>
    required.every((s) => auth.scopes.includes(s))
      ? undefined
      : insufficient('The access token lacks a scope this resource requires', required);
}

/** Passes when the token grants at least one of `scopes`. */
export function requireAnyScope(...scopes: string[]): AuthGuard {
  assertValidScopes('requireAnyScope', scopes);
  const accepted = Object.freeze([...scopes]);
  return (auth) =>
    accepted.some((s) => auth.scopes.includes(s))
      ? undefined
      : insufficient('The access token grants none of the scopes this resource accepts', accepted);
}

function assertClaimName(what: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ConfigurationError(`${what} needs a claim name`);
  }
}

/** Passes when claim `name` is exactly `expected`. */
export function claimEquals(name: string, expected: string | number | boolean): AuthGuard {
  assertClaimName('claimEquals', name);
  return (auth) =>
    Object.hasOwn(auth.claims, name) && auth.claims[name] === expected
      ? undefined
      : insufficient(CLAIM_REFUSED);
}

/**
 * Passes when claim `name` contains every one of `values`: an array claim holding them, or a space-delimited
 * string claim (like `scope`) listing them.
 */
export function claimIncludes(name: string, ...values: (string | number)[]): AuthGuard {
  assertClaimName('claimIncludes', name);
  if (values.length === 0) throw new ConfigurationError('claimIncludes needs at least one value');
  return (auth) => {
    const claim = Object.hasOwn(auth.claims, name) ? auth.claims[name] : undefined;
    const present: readonly unknown[] = Array.isArray(claim)
      ? claim
      : typeof claim === 'string'
        ? claim.split(' ')
        : [];
    return values.every((v) => present.includes(v)) ? undefined : insufficient(CLAIM_REFUSED);
  };
}

/**
 * Passes when `check` returns (or resolves) `true`. A thrown error is not a refusal: it reaches the framework
 * as a server error. `description` is sent to the client, so it must not reveal anything sensitive.
 */
export function claimCheck(
  check: (claims: JwtClaims, auth: ValidatedToken) => boolean | Promise<boolean>,
  options: { description?: string } = {},
): AuthGuard {
  if (typeof check !== 'function') throw new ConfigurationError('claimCheck needs a function');
  const description = options.description ?? CLAIM_REFUSED;
  return async (auth) => ((await check(auth.claims, auth)) === true ? undefined : insufficient(description));
}

/**
 * Runs a guard for a request: no authenticated token (optional mode, or a guard without authentication)
 * → 401 without an error code; a refusal is answered in `realm`.
 */
export async function checkGuard(
  guard: AuthGuard,
  auth: ValidatedToken | undefined,
  options: { realm?: string | undefined; challenge?: ChallengeSettings | undefined } = {},
): Promise<GuardResult> {
  const challenge = options.challenge ?? { realm: options.realm };
  if (auth === undefined) return new BearerError('token_missing', TOKEN_MISSING_DESCRIPTION, { challenge });
  return (await guard(auth))?.withChallenge(challenge);
}

/** The guards in a framework's own shape: what each adapter exports (or decorates) as middleware. */
export interface GuardMiddlewares<M> {
  /** 403 `insufficient_scope` with `scope="…"` unless the token grants every one of `scopes`. */
  requireScopes(...scopes: string[]): M;
  /** 403 unless the token grants at least one of `scopes`. */
  requireAnyScope(...scopes: string[]): M;
  /** 403 unless the claim equals `expected`. */
  claimEquals(name: string, expected: string | number | boolean): M;
  /** 403 unless the claim (an array or a space-separated string) holds every one of `values`. */
  claimIncludes(name: string, ...values: (string | number)[]): M;
  /** 403 unless `check` returns `true`. */
  claimCheck(
    check: (claims: JwtClaims, auth: ValidatedToken) => boolean | Promise<boolean>,
    options?: { description?: string },
  ): M;
  /**
   * RFC 9470 step-up: 401 `insufficient_user_authentication` with `acr_values="…"` / `max_age=…` unless the
   * token's `acr` is accepted and its `auth_time` recent enough.
   */
  requireAuthentication(requirement: AuthenticationRequirement): M;
}

/** Builds every guard middleware from the adapter's one `authorize(guard)`, so adapters never repeat them. */
export function guardMiddlewares<M>(authorize: (guard: AuthGuard) => M): GuardMiddlewares<M> {
  return {
    requireScopes: (...scopes) => authorize(requireScopes(...scopes)),
    requireAnyScope: (...scopes) => authorize(requireAnyScope(...scopes)),
    claimEquals: (name, expected) => authorize(claimEquals(name, expected)),
    claimIncludes: (name, ...values) => authorize(claimIncludes(name, ...values)),
    claimCheck: (check, options) => authorize(claimCheck(check, options)),
    requireAuthentication: (requirement) => authorize(requireAuthentication(requirement)),
  };
}
