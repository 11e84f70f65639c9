import type { ValidatedToken } from '../validation/types.js';

/** What `BearerAuthenticator.authenticateNow` gives: the token itself when nothing was waited for. */
export type AuthenticationOutcome = ValidatedToken | undefined | Promise<ValidatedToken | undefined>;

/**
 * How to go on after `authenticateNow` (or `validateNow`): `accept` at once when the outcome is the token
 * itself (a cached token, keys at hand: no promise, no microtask), else once its promise settles; `refuse`
 * with a refusal. Returns what `accept` or `refuse` returns, or a promise of it. The hot paths (core's
 * authenticate, the adapters' hooks) test `instanceof Promise` themselves instead: the two callbacks passed
 * here are allocated on every call, even when the token is decided at once.
 */
export function whenAuthenticated<R, T = ValidatedToken | undefined>(
  outcome: T | Promise<T>,
  accept: (auth: T) => R,
  refuse: (error: unknown) => R,
): R | Promise<Awaited<R>> {
  if (!(outcome instanceof Promise)) return accept(outcome);
  // A promise `accept` or `refuse` returns is followed by `then`: what settles is its value.
  return outcome.then(accept, refuse) as Promise<Awaited<R>>;
}
