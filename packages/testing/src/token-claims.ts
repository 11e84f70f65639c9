import { randomUUID } from 'node:crypto';
import { ConfigurationError, type DPoPKey, jwkThumbprint, type ThumbprintJwk } from '@identity-model/core';

/** The claims of a token the issuer makes, JWT or opaque. */
export interface TokenClaimOptions {
  /** `sub`. Default: the client id (RFC 9068 §2.2 for a client acting for itself). */
  sub?: string;
  /** `client_id`. Default: the default client's id. */
  clientId?: string;
  /** `scope`, a list or a space-separated string. Default: no `scope` claim. */
  scope?: string | readonly string[];
  /** `aud`. Default: the issuer's `audience` option. */
  aud?: string | readonly string[];
  /** `iat`, seconds since the epoch. Default: now. */
  iat?: number;
  /** `exp`, seconds since the epoch. Default: `iat + expiresIn`. */
  exp?: number;
  /** `nbf`, seconds since the epoch. Default: none. */
  nbf?: number;
  /** Lifetime in seconds when `exp` is not given. Default: the issuer's `accessTokenTtl`. */
  expiresIn?: number;
  /** `jti`. Default: a random UUID. */
  jti?: string;
  /**
   * Binds the token to a DPoP key (RFC 9449 §6): `cnf.jkt` is the RFC 7638 thumbprint of its public key.
   * A key from `generateDPoPKey()` or a public JWK.
   */
  dpop?: Pick<DPoPKey, 'publicJwk'> | ThumbprintJwk;
  /** Claims added last, over the defaults; a claim set to `undefined` is removed (to test a missing claim). */
  claims?: Readonly<Record<string, unknown>>;
}

export interface ClaimDefaults {
  issuer: string;
  audience: string | readonly string[];
  clientId: string;
  ttl: number;
}

function seconds(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ConfigurationError(`${name}: a whole number of seconds`);
  }
  return value;
}

function text(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0)
    throw new ConfigurationError(`${name}: a non-empty string`);
  return value;
}

function list(name: string, value: unknown): string | string[] {
  const values = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new ConfigurationError(`${name}: a non-empty string or a list of them`);
  }
  return values.length === 1 ? values[0] : [...values];
}

function scopeClaim(scope: unknown): string {
  if (typeof scope === 'string') return scope;
  if (Array.isArray(scope) && scope.every((s) => typeof s === 'string')) return scope.join(' ');
  throw new ConfigurationError('scope: a space-separated string or a list of scope names');
}

function thumbprintOf(dpop: TokenClaimOptions['dpop']): string {
  const jwk = dpop !== null && typeof dpop === 'object' && 'publicJwk' in dpop ? dpop.publicJwk : dpop;
  return jwkThumbprint(jwk as ThumbprintJwk);
}

/** RFC 9068 §2.2 claims (iss, exp, aud, sub, client_id, iat, jti) with the caller's choices on top. */
export function buildClaims(options: TokenClaimOptions, defaults: ClaimDefaults): Record<string, unknown> {
  const iat = seconds('iat', options.iat, Math.floor(Date.now() / 1000));
  const expiresIn = seconds('expiresIn', options.expiresIn, defaults.ttl);
  const clientId = text('clientId', options.clientId, defaults.clientId);
  const claims: Record<string, unknown> = {
    iss: defaults.issuer,
    sub: text('sub', options.sub, clientId),
    aud: list('aud', options.aud ?? defaults.audience),
    client_id: clientId,
    iat,
    exp: seconds('exp', options.exp, iat + expiresIn),
    jti: text('jti', options.jti, randomUUID()),
  };
  if (options.nbf !== undefined) claims.nbf = seconds('nbf', options.nbf, 0);
  if (options.scope !== undefined) claims.scope = scopeClaim(options.scope);
  if (options.dpop !== undefined) claims.cnf = { jkt: thumbprintOf(options.dpop) };
  return overlay(claims, options.claims, 'claims');
}

/** `base` with `extra`'s members on top; an `undefined` member removes that name. */
export function overlay(
  base: Record<string, unknown>,
  extra: Readonly<Record<string, unknown>> | undefined,
  name: string,
): Record<string, unknown> {
  if (extra === undefined) return base;
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) {
    throw new ConfigurationError(`${name}: an object of members to add (undefined removes one)`);
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}
