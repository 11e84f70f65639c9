/** Tokens remembered for introspection; the oldest are forgotten past this many. */
const MAX_TOKENS = 10_000;

/**
 * What the introspection endpoint knows: every token the issuer made (JWT or opaque) with its claims, until
 * revoked. Bounded: a suite minting tokens in a loop cannot grow it without end.
 */
export class IssuedTokens {
  readonly #claims = new Map<string, Readonly<Record<string, unknown>>>();

  record(token: string, claims: Readonly<Record<string, unknown>>): void {
    if (this.#claims.size >= MAX_TOKENS) this.#claims.delete(this.#claims.keys().next().value!);
    this.#claims.set(token, claims);
  }

  /** Forgets `token`: introspection answers `active: false` from now on. True when it was known. */
  revoke(token: string): boolean {
    return this.#claims.delete(token);
  }

  /** The RFC 7662 §2.2 answer for `token` at `now` (seconds). */
  introspect(token: string, now: number): Record<string, unknown> {
    const claims = this.#claims.get(token);
    if (claims === undefined || !isCurrent(claims, now)) return { active: false };
    const bound = typeof (claims.cnf as { jkt?: unknown } | undefined)?.jkt === 'string';
    return { active: true, token_type: bound ? 'DPoP' : 'Bearer', ...claims };
  }
}

function isCurrent(claims: Readonly<Record<string, unknown>>, now: number): boolean {
  const { exp, nbf } = claims;
  if (typeof exp === 'number' && exp <= now) return false;
  return !(typeof nbf === 'number' && nbf > now);
}
