import type { ClaimsPrincipal } from '../principal/claims-principal.js';
import type { JwtClaims, JwtHeader, TokenBinding, ValidatedToken } from '../validation/types.js';

/**
 * A validated token with the sender binding it was checked against. It wraps the validator's result rather
 * than spreading it: `scopes` and `principal` are lazy getters there, which an object spread would drop.
 */
class BoundToken implements ValidatedToken {
  readonly token: string;
  readonly header: JwtHeader;
  readonly claims: JwtClaims;
  readonly binding: TokenBinding;
  readonly #validated: ValidatedToken;

  constructor(validated: ValidatedToken, binding: TokenBinding) {
    this.token = validated.token;
    this.header = validated.header;
    this.claims = validated.claims;
    this.binding = binding;
    this.#validated = validated;
    Object.freeze(this);
  }

  get scopes(): readonly string[] {
    return this.#validated.scopes;
  }

  get principal(): ClaimsPrincipal {
    return this.#validated.principal;
  }

  /** Keeps the token out of logs and serialized errors, as the validator's result does. */
  toJSON(): Omit<ValidatedToken, 'token' | 'principal'> {
    return { header: this.header, claims: this.claims, scopes: this.scopes, binding: this.binding };
  }
}

/** `validated` with `binding` added, every member of the original (getters included) kept. */
export function withBinding(validated: ValidatedToken, binding: TokenBinding): ValidatedToken {
  return new BoundToken(validated, binding);
}
