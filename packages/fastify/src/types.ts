import type {
  AuthenticationRequirement,
  AuthGuard,
  BearerAuthenticator,
  BearerAuthOptions,
  JwtClaims,
  ServiceFetch,
  ServiceTokenOptions,
  ValidatedToken,
} from '@identity-model/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A preHandler (or onRequest) hook that authenticates or guards a route. */
export type OidcAuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface OidcAuthPluginOptions {
  /**
   * Validate every request of the context the plugin is registered in (default `true`), or only routes that
   * opt in with `preHandler: app.authenticate` or a guard such as `app.requireScopes('read')`.
   */
  authenticateAll?: boolean;
  /**
   * Register a second (third…) instance in the same context: its decorators go under `app[name]` instead of
   * the top-level `app.authenticate`, `app.requireScopes`… (declare `app[name]: OidcAuthInstance` yourself).
   */
  name?: string;
  /**
   * The service's own client credentials and the `origins` its token may go to: decorates `app.serviceFetch`,
   * a fetch that carries a managed client-credentials token (cached, renewed ahead of expiry). Closed with the app.
   */
  serviceToken?: ServiceTokenOptions;
}

/**
 * `oidcAuth` options: how to validate (`issuer`, `audience`… or `validator`; `issuer` and `audience` not given
 * come from OIDC_ISSUER and OIDC_AUDIENCE), how to answer, and the plugin's own. All optional.
 */
export type OidcAuthOptions = BearerAuthOptions & OidcAuthPluginOptions;

/** What one registration of the plugin offers; the default instance also spreads it onto `app`. */
export interface OidcAuthInstance {
  /** Authenticates the request (in `optional` mode a request without a token passes). */
  authenticate: OidcAuthHook;
  /** Requires every scope (403 `insufficient_scope` with `scope="…"` otherwise). Authenticates when needed. */
  requireScopes(...scopes: string[]): OidcAuthHook;
  requireAnyScope(...scopes: string[]): OidcAuthHook;
  claimEquals(name: string, expected: string | number | boolean): OidcAuthHook;
  claimIncludes(name: string, ...values: (string | number)[]): OidcAuthHook;
  claimCheck(
    check: (claims: JwtClaims, auth: ValidatedToken) => boolean | Promise<boolean>,
    options?: { description?: string },
  ): OidcAuthHook;
  /** RFC 9470 step-up: 401 `insufficient_user_authentication` unless `acr` / `auth_time` meet the requirement. */
  requireAuthentication(requirement: AuthenticationRequirement): OidcAuthHook;
  /** Any guard from `@identity-model/core`, as a preHandler. */
  authorize(guard: AuthGuard): OidcAuthHook;
  readonly authenticator: BearerAuthenticator;
  /** With `serviceToken`: the outgoing fetch; without, it rejects with a `ConfigurationError` saying so. */
  serviceFetch: ServiceFetch;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The validated access token: set by `oidcAuth`; `undefined` when the route is not authenticated. */
    auth: ValidatedToken | undefined;
  }
  interface FastifyInstance {
    /** Set by the default (unnamed) `oidcAuth` instance. */
    oidc: OidcAuthInstance;
    authenticate: OidcAuthHook;
    requireScopes: OidcAuthInstance['requireScopes'];
    requireAnyScope: OidcAuthInstance['requireAnyScope'];
    claimEquals: OidcAuthInstance['claimEquals'];
    claimIncludes: OidcAuthInstance['claimIncludes'];
    claimCheck: OidcAuthInstance['claimCheck'];
    requireAuthentication: OidcAuthInstance['requireAuthentication'];
    authorize: OidcAuthInstance['authorize'];
    serviceFetch: ServiceFetch;
  }
}
