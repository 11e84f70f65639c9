import { ConfigurationError } from '../errors.js';
import { createAutoTokenValidator } from '../introspection/auto-validator.js';
import type { IntrospectionOptions } from '../introspection/introspection-options.js';
import { createIntrospectionValidator } from '../introspection/introspection-validator.js';
import type { Logger } from '../logger.js';
import { canonicalResource, protectedResourceMetadataUrl } from '../resource-metadata/resource-identifier.js';
import { buildResourceMetadata, type ResourceMetadata } from '../resource-metadata/resource-metadata.js';
import type { ResourceMetadataOptions } from '../resource-metadata/resource-metadata-options.js';
import { createResourceMetadataEndpoint, type ResourceMetadataEndpoint } from '../resource-metadata/serve.js';
import { createTokenValidator } from '../validation/index.js';
import type { TokenValidatorOptions } from '../validation/options.js';
import type { TokenValidator, ValidatedToken } from '../validation/types.js';
import { type AuthenticateBearerOptions, authenticateRequestNow } from './authenticate.js';
import { BearerError } from './bearer-error.js';
import { assertValidRealm, type ChallengeSettings } from './challenge.js';
import {
  type Environment,
  type EnvironmentValidatorOptions,
  withEnvironmentOptions,
} from './environment-options.js';
import type { BearerRequest } from './extract-token.js';
import { type AuthGuard, checkGuard } from './guards.js';
import { SenderConstraint } from './sender-constraint.js';
import type { SenderConstraintOptions } from './sender-constraint-options.js';
import type { AuthenticationOutcome } from './when-authenticated.js';

/** How requests are authenticated, common to every adapter. */
export interface BearerOptions
  extends Omit<AuthenticateBearerOptions, 'logger' | 'senderConstraint'>,
    SenderConstraintOptions {
  logger?: Logger;
  /**
   * RFC 9728: publish this API's protected resource metadata (served by every adapter at the well-known
   * URLs), point every challenge to it with `resource_metadata="…"`, and — when `audience` is not given —
   * require `resource` as the audience (RFC 8707: a token minted for another resource is refused).
   */
  resourceMetadata?: ResourceMetadataOptions;
}

/**
 * Either a validator you built (and close yourself), or the options to build one; `issuer` and `audience`
 * not given are read from the environment (see `withEnvironmentOptions`).
 */
export type BearerAuthOptions = BearerOptions &
  ((EnvironmentValidatorOptions & TokenKindOptions) | { validator: TokenValidator });

/** Which tokens are accepted and how (issue 15: opaque tokens by introspection). */
export interface TokenKindOptions {
  /**
   * `jwt`: validated locally (the default without `introspection`); `introspection`: every token introspected
   * (the default with `introspection`); `auto`: a token that looks like a JWS is validated locally, anything
   * else introspected (a JWS that fails locally is not retried by introspection).
   */
  tokens?: 'jwt' | 'introspection' | 'auto';
  /** How to introspect (client credentials, endpoint, cache). Required for `introspection` and `auto`. */
  introspection?: IntrospectionOptions;
}

/** Built once per adapter instance; holds the validator and answers every request the same way. */
export interface BearerAuthenticator {
  readonly validator: TokenValidator;
  readonly realm: string | undefined;
  /** What every challenge of this resource server carries (realm, metadata URL, offered schemes). */
  readonly challenge: ChallengeSettings;
  readonly optional: boolean;
  /** With the `resourceMetadata` option: the document and the answers to its well-known paths. */
  readonly resourceMetadata: ResourceMetadataEndpoint | undefined;
  /** See `authenticateBearer`; `logger` (e.g. Fastify's `request.log`) overrides the configured one. */
  authenticate(request: BearerRequest, logger?: Logger): Promise<ValidatedToken | undefined>;
  /**
   * `authenticate` for adapters on the hot path: the token (or `undefined`) itself when nothing had to be
   * waited for (a cached token, keys at hand), else a promise. Never throws: a refusal is a rejected promise.
   */
  authenticateNow(request: BearerRequest, logger?: Logger): AuthenticationOutcome;
  /**
   * Runs a route guard: authenticates first when `auth` is not there yet (a guard alone protects a route),
   * then resolves the token the guard passed, or rejects with `BearerError` (401 without a token, 403 refused).
   */
  authorize(
    guard: AuthGuard,
    request: BearerRequest,
    auth: ValidatedToken | undefined,
    logger?: Logger,
  ): Promise<ValidatedToken>;
  /** Closes the validator when this authenticator built it, and the DPoP replay store it made. Idempotent. */
  close(): Promise<void>;
}

const BEARER_KEYS = ['realm', 'optional', 'retryAfter', 'allowQueryToken', 'allowBodyToken'] as const;
/** Sender-constraint options (DPoP, mTLS): read by the authenticator, never passed to the validator. */
const CONSTRAINT_KEYS = ['dpop', 'mtls', 'trustedProxies', 'publicUrl'] as const;

/**
 * Validates the options once and builds the validator (unless one is given). Nothing is built per request.
 * No options: `issuer` and `audience` come from `env` (OIDC_ISSUER, OIDC_AUDIENCE…), read here and only here.
 */
export function createBearerAuthenticator(
  options: BearerAuthOptions = {},
  env: Environment = process.env,
): BearerAuthenticator {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(
      'bearer authentication options must be an object: { issuer, audience }, { validator }, or none to read OIDC_ISSUER and OIDC_AUDIENCE',
    );
  }
  assertValidRealm(options.realm);
  if (options.retryAfter !== undefined && (!Number.isFinite(options.retryAfter) || options.retryAfter <= 0)) {
    throw new ConfigurationError('`retryAfter` must be a positive number of seconds');
  }
  const settings: AuthenticateBearerOptions = {};
  for (const key of BEARER_KEYS) {
    if (options[key] !== undefined) Object.assign(settings, { [key]: options[key] });
  }
  if (options.logger) settings.logger = options.logger;
  const metadataOptions = options.resourceMetadata;
  const resource = metadataOptions === undefined ? undefined : canonicalResource(metadataOptions?.resource);
  const metadataUrl = resource === undefined ? undefined : protectedResourceMetadataUrl(resource);
  const senderConstraint = new SenderConstraint(options);
  settings.senderConstraint = senderConstraint;
  // One frozen object shared by every refusal of this resource server.
  const challenge: ChallengeSettings = Object.freeze(
    senderConstraint.challenge({ realm: options.realm, resourceMetadata: metadataUrl }),
  );
  settings.challenge = challenge;

  let owned = false;
  let validator: TokenValidator;
  let metadata: ResourceMetadata | undefined;
  const describe = (issuers: readonly string[] | undefined) => {
    if (metadataOptions === undefined) return undefined;
    if (issuers === undefined && metadataOptions.authorizationServers === undefined) {
      throw new ConfigurationError(
        'resourceMetadata.authorizationServers is required with `validator` or an issuer predicate (the issuers to publish cannot be read from them)',
      );
    }
    return buildResourceMetadata(metadataOptions, {
      issuers,
      allowBodyToken: options.allowBodyToken,
      allowQueryToken: options.allowQueryToken,
      dpopAlgorithms: challenge.dpopAlgorithms,
      dpopRequired: challenge.bearer === false,
      mtlsBound: options.mtls !== undefined,
    });
  };
  if ('validator' in options && options.validator !== undefined) {
    validator = options.validator;
    if (typeof validator.validate !== 'function') {
      throw new ConfigurationError('`validator` must be a TokenValidator (from createTokenValidator)');
    }
    metadata = describe(undefined);
  } else {
    const validatorOptions: Record<string, unknown> = { ...options };
    for (const key of [...BEARER_KEYS, ...CONSTRAINT_KEYS, 'tokens', 'introspection', 'resourceMetadata'])
      delete validatorOptions[key];
    // RFC 8707: the resource is the audience its tokens must name, unless `audience` says otherwise.
    if (resource !== undefined && validatorOptions.audience === undefined)
      validatorOptions.audience = resource;
    const resolved = withEnvironmentOptions(validatorOptions as EnvironmentValidatorOptions, env);
    const { issuer } = resolved;
    metadata = describe(
      typeof issuer === 'function' ? undefined : typeof issuer === 'string' ? [issuer] : issuer,
    );
    validator = buildValidator(options as TokenKindOptions, resolved);
    owned = true;
  }

  const authenticateNow = (request: BearerRequest, logger?: Logger): AuthenticationOutcome => {
    let outcome: AuthenticationOutcome;
    try {
      outcome = authenticateRequestNow(request, validator, settings, logger ?? settings.logger);
    } catch (error) {
      return Promise.reject(exposed(error, request));
    }
    if (!(outcome instanceof Promise)) return outcome;
    return outcome.catch((error: unknown) => {
      throw exposed(error, request);
    });
  };
  const authenticate = (request: BearerRequest, logger?: Logger) => {
    const outcome = authenticateNow(request, logger);
    return outcome instanceof Promise ? outcome : Promise.resolve(outcome);
  };
  let closing: Promise<void> | undefined;
  return {
    validator,
    realm: options.realm,
    challenge,
    optional: options.optional === true,
    resourceMetadata: metadata === undefined ? undefined : createResourceMetadataEndpoint(metadata),
    authenticate,
    authenticateNow,
    async authorize(guard, request, auth, logger) {
      auth ??= await authenticate(request, logger);
      const refusal = await checkGuard(guard, auth, { challenge });
      if (refusal) {
        (logger ?? options.logger)?.debug(
          { code: refusal.code, status: refusal.status },
          'bearer token refused by guard',
        );
        throw exposed(refusal, request);
      }
      return auth as ValidatedToken;
    },
    close() {
      // The validator only when built here; the DPoP replay store the sender constraint made, always.
      closing ??= Promise.all([owned ? validator.close() : undefined, senderConstraint.close()]).then(
        () => {},
      );
      return closing;
    },
  };
}

/** A refusal of a cross-origin browser request (it carries `Origin`) lets the browser read its challenge. */
function exposed(error: unknown, request: BearerRequest): unknown {
  return error instanceof BearerError && request.headers.origin !== undefined
    ? error.exposedToBrowsers()
    : error;
}

const TOKEN_KINDS = new Set(['jwt', 'introspection', 'auto']);

/** The JWT validator, the introspection validator or both, as `tokens` says; options checked now. */
function buildValidator(kind: TokenKindOptions, options: TokenValidatorOptions): TokenValidator {
  const { introspection } = kind;
  const tokens = kind.tokens ?? (introspection === undefined ? 'jwt' : 'introspection');
  if (!TOKEN_KINDS.has(tokens)) {
    throw new ConfigurationError(
      `tokens: must be 'jwt', 'introspection' or 'auto', not ${JSON.stringify(tokens)}`,
    );
  }
  if (tokens === 'jwt') {
    if (introspection !== undefined) {
      throw new ConfigurationError(
        "introspection: given with tokens: 'jwt'; set tokens: 'introspection' or 'auto', or remove introspection",
      );
    }
    return createTokenValidator(options);
  }
  if (typeof introspection !== 'object' || introspection === null) {
    throw new ConfigurationError(
      `tokens: '${tokens}' needs introspection: { clientId, clientSecret } (the client this API introspects as)`,
    );
  }
  const { issuer, audience, clockTolerance, scopeClaims, maxTokenLength, httpClient, logger, now } = options;
  const shared = { issuer, audience, clockTolerance, scopeClaims, maxTokenLength, httpClient, logger, now };
  const defined = Object.fromEntries(Object.entries(shared).filter(([, v]) => v !== undefined));
  const policy = options.discovery?.policy;
  const opaque = createIntrospectionValidator({
    ...(policy === undefined ? {} : { discoveryPolicy: policy }),
    ...introspection,
    ...(defined as Pick<TokenValidatorOptions, 'issuer' | 'audience'>),
  });
  return tokens === 'introspection'
    ? opaque
    : createAutoTokenValidator(createTokenValidator(options), opaque);
}

/**
 * Decides a guard for a request, with the authenticator that saw it (which authenticates when needed), or
 * from the token alone when no authenticator ran. Resolves the passing token; rejects with the refusal.
 */
export async function authorizeBearer(
  guard: AuthGuard,
  authenticator: BearerAuthenticator | undefined,
  request: BearerRequest,
  auth: ValidatedToken | undefined,
  logger?: Logger,
): Promise<ValidatedToken> {
  if (authenticator) return authenticator.authorize(guard, request, auth, logger);
  const refusal = await checkGuard(guard, auth);
  if (refusal) throw refusal;
  return auth as ValidatedToken;
}
