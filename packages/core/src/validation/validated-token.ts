import type { ClaimsPrincipal } from '../principal/claims-principal.js';
import { getScopes } from '../principal/scopes.js';
import { toPrincipal } from '../principal/to-principal.js';
import { deepFreeze } from '../protocol/deep-freeze.js';
import type { JwtClaims, JwtHeader, ValidatedToken } from './types.js';

/**
 * A validated token. Frozen, because one instance is shared by every request that presents the same token
 * (the verified-token cache); scopes and the principal are built on first use only.
 */
export class ValidatedTokenResult implements ValidatedToken {
  readonly token: string;
  readonly header: JwtHeader;
  readonly claims: JwtClaims;
  readonly #scopeClaims: readonly string[];
  #scopes: readonly string[] | undefined;
  #principal: ClaimsPrincipal | undefined;

  constructor(token: string, header: JwtHeader, claims: JwtClaims, scopeClaims: readonly string[]) {
    this.token = token;
    this.header = header;
    deepFreeze(claims);
    this.claims = claims;
    this.#scopeClaims = scopeClaims;
    Object.freeze(this);
  }

  get scopes(): readonly string[] {
    // Private fields stay writable on a frozen object.
    this.#scopes ??= Object.freeze(getScopes(this.claims, this.#scopeClaims));
    return this.#scopes;
  }

  get principal(): ClaimsPrincipal {
    this.#principal ??= toPrincipal(this.claims);
    return this.#principal;
  }

  /** Keeps the token out of logs and serialized errors. */
  toJSON(): Omit<ValidatedToken, 'token' | 'principal'> {
    return { header: this.header, claims: this.claims, scopes: this.scopes };
  }
}
