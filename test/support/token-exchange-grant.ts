/**
 * An RFC 8693 token exchange grant for the oidc-provider fixture (test/support/idp.ts), which has none built
 * in. `registerTokenExchangeGrant(provider, …)` adds it; the provider's `extraTokenClaims` must be
 * `tokenExchangeClaims` so that a delegated token carries its `act` claim.
 *
 * The handler accepts a `subject_token` (and for delegation an `actor_token`) that is a JWT access token of
 * this provider, verified with its published keys, issuer and `typ: at+jwt`; anything else is
 * `invalid_grant`. It issues a JWT access token for the requested `audience` or `resource` (one of the
 * provider's registered APIs, else `invalid_target`) whose `sub` is the subject's (impersonation), plus
 * `act: { sub: <actor> }` when an actor token was given (delegation, RFC 8693 §4.1). The scope is the
 * requested one, which must lie within the subject token's (`invalid_scope`), or the subject's.
 */
import { createLocalJWKSet, type JWK, type JWTPayload, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const ACCEPTED_TYPES = new Set([ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE]);
const PARAMETERS = [
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'audience',
  'resource',
  'scope',
];

export interface TokenExchangeGrantOptions {
  /** The provider's public keys now (they rotate). */
  jwks(): { keys: JWK[] };
  /** The APIs a token may be exchanged for; the first is the default. */
  audiences: readonly string[];
  accessTokenTtl: number;
}

/** The slice of oidc-provider's API the handler uses (the package ships no types). */
interface IssuedToken {
  resourceServer?: object;
  expiration: number;
  scope?: string;
  save(): Promise<string>;
}
interface ExchangeContext {
  oidc: {
    params: Record<string, string | undefined>;
    client: unknown;
    provider: {
      issuer: string;
      AccessToken: new (init: Record<string, unknown>) => IssuedToken;
      ResourceServer: new (identifier: string, info: Record<string, unknown>) => object;
    };
  };
  body: unknown;
}
type GrantRegistry = {
  registerGrantType(name: string, handler: (ctx: ExchangeContext) => Promise<void>, params: string[]): void;
};

/** `act` (and any other extra claims) of the tokens this grant issued, read back by `extraTokenClaims`. */
const issuedClaims = new WeakMap<object, Record<string, unknown>>();

/** For the provider's `extraTokenClaims`: the exchange's own claims for its tokens, nothing for others. */
export function tokenExchangeClaims(_ctx: unknown, token: object): Record<string, unknown> | undefined {
  return issuedClaims.get(token);
}

function providerError(name: string, description: string): Error {
  const ErrorClass = errors[name] as unknown as new (description: string) => Error;
  return new ErrorClass(description);
}

async function verifiedToken(
  ctx: ExchangeContext,
  options: TokenExchangeGrantOptions,
  role: 'subject' | 'actor',
): Promise<JWTPayload | undefined> {
  const token = ctx.oidc.params[`${role}_token`];
  const type = ctx.oidc.params[`${role}_token_type`];
  if (token === undefined && type === undefined && role === 'actor') return undefined;
  if (!token || !type)
    throw providerError('InvalidRequest', `${role}_token and ${role}_token_type are required`);
  if (!ACCEPTED_TYPES.has(type)) throw providerError('InvalidRequest', `unsupported ${role}_token_type`);
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(options.jwks()), {
      issuer: ctx.oidc.provider.issuer,
      audience: [...options.audiences],
      typ: 'at+jwt',
    });
    return payload;
  } catch {
    throw providerError('InvalidGrant', `${role}_token is invalid`);
  }
}

function grantedScope(requested: string | undefined, subject: JWTPayload): string | undefined {
  const held = new Set(typeof subject.scope === 'string' ? subject.scope.split(' ') : []);
  if (requested === undefined) return held.size > 0 ? [...held].join(' ') : undefined;
  const asked = requested.split(' ').filter(Boolean);
  if (asked.some((s) => !held.has(s))) {
    throw providerError('InvalidScope', 'the requested scope exceeds the subject token’s');
  }
  return asked.join(' ') || undefined;
}

export function registerTokenExchangeGrant(provider: Provider, options: TokenExchangeGrantOptions): void {
  async function handler(ctx: ExchangeContext): Promise<void> {
    const { params, client, provider: op } = ctx.oidc;
    const requested = params.requested_token_type;
    if (requested !== undefined && requested !== ACCESS_TOKEN_TYPE) {
      throw providerError('InvalidRequest', 'only access tokens are issued');
    }
    const subject = await verifiedToken(ctx, options, 'subject');
    const actor = await verifiedToken(ctx, options, 'actor');
    if (subject?.sub === undefined) throw providerError('InvalidGrant', 'subject_token has no sub');
    const target = params.resource ?? params.audience ?? options.audiences[0];
    if (target === undefined || !options.audiences.includes(target)) {
      throw providerError('InvalidTarget', 'unknown audience or resource');
    }
    const token = new op.AccessToken({
      accountId: subject.sub,
      client,
      gty: 'token_exchange',
      scope: grantedScope(params.scope, subject),
    });
    token.resourceServer = new op.ResourceServer(target, {
      scope: 'read write',
      audience: target,
      accessTokenTTL: options.accessTokenTtl,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: 'RS256' } },
    });
    if (actor !== undefined) {
      // RFC 8693 §4.1: the current actor; the subject token's own `act` (a prior delegation) nests inside it.
      issuedClaims.set(token, { act: { sub: actor.sub, ...(subject.act ? { act: subject.act } : {}) } });
    }
    const value = await token.save();
    ctx.body = {
      access_token: value,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: token.expiration,
      ...(token.scope ? { scope: token.scope } : {}),
    };
  }
  (provider as unknown as GrantRegistry).registerGrantType(TOKEN_EXCHANGE_GRANT, handler, PARAMETERS);
}
