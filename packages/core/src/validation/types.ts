import type { ClaimsPrincipal } from '../principal/claims-principal.js';

/** A JOSE header as received: only `alg` is guaranteed, and only after validation. */
export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
  crit?: string[];
  [member: string]: unknown;
}

/** JWT claims as received. Registered claims are typed; anything else is `unknown`. */
export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  client_id?: string;
  scope?: string;
  scp?: string | string[];
  [claim: string]: unknown;
}

/** What a successful validation hands to the application. */
export interface ValidatedToken {
  token: string;
  header: JwtHeader;
  claims: JwtClaims;
  principal: ClaimsPrincipal;
  /** Granted scopes (from `scope` / `scp`, and `permissions` when configured). */
  scopes: readonly string[];
  /**
   * How the token was bound to its sender, when it was: a DPoP proof by the key with thumbprint `jkt`
   * (RFC 9449), or the client certificate with thumbprint `thumbprint` (RFC 8705). Set by the authenticator.
   */
  binding?: TokenBinding | undefined;
}

/** The sender constraint a request proved for its token. */
export type TokenBinding = { method: 'dpop'; jkt: string } | { method: 'mtls'; thumbprint: string };

/** Built once by `createTokenValidator`, used for every request. */
export interface TokenValidator {
  /** Resolves with the validated token or rejects with `TokenValidationError`. */
  validate(token: string): Promise<ValidatedToken>;
  /**
   * `validate` without the wait when none is needed (a cached token, or keys at hand): the validated token,
   * or a promise when it must wait; throws what `validate` would reject with. Optional: the bearer layer
   * calls `validate` when a validator has no `validateNow`.
   */
  validateNow?(token: string): ValidatedToken | Promise<ValidatedToken>;
  close(): Promise<void>;
}
