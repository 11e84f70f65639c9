import type { DiscoveryPolicy, DiscoveryPolicyOptions } from '../discovery/discovery-policy.js';
import { ConfigurationError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import { type Logger, silentLogger } from '../logger.js';
import { DEFAULT_SCOPE_CLAIMS } from '../principal/scopes.js';
import type { ClientCredentialsInput } from '../token/client-authentication.js';
import type { CacheStore } from '../token-management/cache-store.js';
import type { ClaimRuleOptions } from '../validation/claim-rules.js';
import type { IssuerOption } from '../validation/options.js';
import { DEFAULT_CLOCK_TOLERANCE, DEFAULT_MAX_TOKEN_LENGTH } from '../validation/resolve-options.js';
import { MAX_INTROSPECTED_TOKEN_LENGTH } from './token-introspection-request.js';

/** How the resource server asks the authorization server about opaque tokens (RFC 7662). */
export interface IntrospectionOptions extends ClientCredentialsInput {
  /** The introspection endpoint. Default: `introspection_endpoint` from the issuer's discovery document. */
  address?: string | URL;
  /** Sent as `token_type_hint`. Default `access_token`. */
  tokenTypeHint?: string;
  /** Seconds an active result is kept (never past its `exp`). Default 300; 0 introspects every request. */
  cacheDuration?: number;
  /** Seconds an inactive (or refused) result is kept, so a flood of one bad token costs one request. Default 5. */
  inactiveCacheDuration?: number;
  /** Most results kept in memory (least recently used out). Default 10,000. */
  maxEntries?: number;
  /** Most bytes of results kept in memory (estimated from their JSON). Default 16 MiB. */
  maxBytes?: number;
  /** Shares results across processes (`getValue`/`setValue`, e.g. `@identity-model/redis`). */
  store?: CacheStore;
  /** Accept an active answer without `exp` (it is then cached `cacheDuration`). Default false. */
  allowMissingExp?: boolean;
  /** Introspections in flight at once. Default 32. */
  maxConcurrent?: number;
  /** Validations waiting for a slot beyond that; more are answered 503 at once. Default 1,000. */
  maxQueued?: number;
  /** Timeout (ms) of one introspection. Default: the HTTP client's. */
  timeoutMs?: number;
  /** Rules for the issuer's discovery document (when `address` is not given). */
  discoveryPolicy?: DiscoveryPolicy | DiscoveryPolicyOptions;
}

/** `createIntrospectionValidator`'s options: what a JWT validator is told, plus how to introspect. */
export interface IntrospectionValidatorOptions extends IntrospectionOptions {
  /** The issuer: discovery is read from it (first of a list), and an answer's `iss`, when present, must be it. */
  issuer: IssuerOption;
  /** An answer's `aud`, when present, must contain one of these; `false` skips the check. */
  audience: string | readonly string[] | false;
  /** Seconds of clock skew tolerated for `exp`, `nbf`, `iat`. Default 5. */
  clockTolerance?: number;
  /** Members scopes are read from. Default `['scope', 'scp']`. */
  scopeClaims?: readonly string[];
  /** Tokens longer than this (characters) are refused before anything else. Default 8192. */
  maxTokenLength?: number;
  httpClient?: HttpClient;
  logger?: Logger;
  /** Current time in ms since the epoch. Default `Date.now`; injectable for tests. */
  now?: () => number;
}

export interface ResolvedIntrospectionOptions {
  /** The endpoint (`address`) or the issuer to discover it from (`authority`). */
  location: { address: string | URL } | { authority: string };
  client: ClientCredentialsInput;
  tokenTypeHint: string;
  claimRules: ClaimRuleOptions;
  cacheMs: number;
  inactiveCacheMs: number;
  maxEntries: number;
  maxBytes: number;
  store: CacheStore | undefined;
  maxConcurrent: number;
  maxQueued: number;
  timeoutMs: number | undefined;
  discoveryPolicy: DiscoveryPolicy | DiscoveryPolicyOptions | undefined;
  scopeClaims: readonly string[];
  maxTokenLength: number;
  httpClient: HttpClient | undefined;
  logger: Logger;
  now: () => number;
}

export const DEFAULT_INTROSPECTION_CACHE_SECONDS = 300;
export const DEFAULT_INACTIVE_CACHE_SECONDS = 5;
export const DEFAULT_INTROSPECTION_MAX_ENTRIES = 10_000;
export const DEFAULT_INTROSPECTION_MAX_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_CONCURRENT_INTROSPECTIONS = 32;
export const DEFAULT_MAX_QUEUED_INTROSPECTIONS = 1000;

function fail(message: string): never {
  throw new ConfigurationError(`introspection: ${message}`);
}

function number(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
  int = false,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(`${name} must be a number between ${min} and ${max}`);
  }
  if (int && !Number.isInteger(value)) fail(`${name} must be an integer`);
  return value;
}

function list(value: unknown, name: string): string[] {
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || items.length === 0 || !items.every((i) => typeof i === 'string' && i !== '')) {
    fail(`${name} must be a non-empty string or a non-empty array of non-empty strings`);
  }
  return [...items];
}

function issuerChecks(issuer: IssuerOption): Pick<ClaimRuleOptions, 'issuerAllowed' | 'issuerRefusal'> {
  const refusal = () => 'issuer not accepted';
  if (typeof issuer === 'function') {
    return {
      issuerAllowed: (iss) => {
        try {
          return issuer(iss) === true;
        } catch {
          return false;
        }
      },
      issuerRefusal: refusal,
    };
  }
  const accepted = new Set(list(issuer, 'issuer'));
  return { issuerAllowed: (iss) => accepted.has(iss), issuerRefusal: refusal };
}

/** Checks every option once; a `ConfigurationError` says what to change. */
export function resolveIntrospectionOptions(
  options: IntrospectionValidatorOptions,
): ResolvedIntrospectionOptions {
  if (typeof options !== 'object' || options === null)
    fail('options are required: { issuer, audience, clientId }');
  const { issuer, address } = options;
  if (issuer === undefined) fail('issuer is required (the `iss` of your tokens)');
  if (typeof options.clientId !== 'string' || options.clientId === '') {
    fail(
      'clientId is required: the client this resource server authenticates as at the introspection endpoint',
    );
  }
  if (options.audience === undefined)
    fail('audience is required: this API as it appears in `aud` (or false)');
  const audiences = options.audience === false ? undefined : new Set(list(options.audience, 'audience'));
  let location: ResolvedIntrospectionOptions['location'];
  if (address !== undefined) location = { address };
  else if (typeof issuer === 'function')
    fail('with an issuer predicate give address: the introspection endpoint URL');
  else location = { authority: list(issuer, 'issuer')[0]! };

  if (options.allowMissingExp !== undefined && typeof options.allowMissingExp !== 'boolean') {
    fail('allowMissingExp must be a boolean');
  }
  const tokenTypeHint = options.tokenTypeHint ?? 'access_token';
  if (typeof tokenTypeHint !== 'string' || tokenTypeHint === '')
    fail('tokenTypeHint must be a non-empty string');
  const store = options.store;
  if (
    store !== undefined &&
    (typeof store !== 'object' || store === null || typeof store.get !== 'function')
  ) {
    fail('store must be a CacheStore (MemoryCacheStore, RedisCacheStore)');
  }
  if (options.now !== undefined && typeof options.now !== 'function')
    fail('now must be a function returning epoch ms');
  const scopeClaims =
    options.scopeClaims === undefined ? DEFAULT_SCOPE_CLAIMS : list(options.scopeClaims, 'scopeClaims');
  const {
    clientId,
    clientSecret,
    clientAuthentication,
    basicAuthenticationHeaderStyle,
    privateKey,
    clientAssertion,
  } = options;
  const client: ClientCredentialsInput = { clientId };
  Object.assign(
    client,
    Object.fromEntries(
      Object.entries({
        clientSecret,
        clientAuthentication,
        basicAuthenticationHeaderStyle,
        privateKey,
        clientAssertion,
      }).filter(([, v]) => v !== undefined),
    ),
  );
  return {
    location,
    client,
    tokenTypeHint,
    claimRules: {
      requiredClaims: options.allowMissingExp === true ? [] : ['exp'],
      checkIssuer: true,
      ...issuerChecks(issuer),
      audiences,
      subject: undefined,
      clockTolerance: number(options.clockTolerance, 'clockTolerance', DEFAULT_CLOCK_TOLERANCE, 0, 3600),
      checkNbf: true,
      checkIat: true,
      maxTokenAge: undefined,
    },
    cacheMs:
      number(options.cacheDuration, 'cacheDuration', DEFAULT_INTROSPECTION_CACHE_SECONDS, 0, 86_400) * 1000,
    inactiveCacheMs:
      number(
        options.inactiveCacheDuration,
        'inactiveCacheDuration',
        DEFAULT_INACTIVE_CACHE_SECONDS,
        0,
        3600,
      ) * 1000,
    maxEntries: number(
      options.maxEntries,
      'maxEntries',
      DEFAULT_INTROSPECTION_MAX_ENTRIES,
      1,
      10_000_000,
      true,
    ),
    maxBytes: number(options.maxBytes, 'maxBytes', DEFAULT_INTROSPECTION_MAX_BYTES, 1024, 2 ** 40, true),
    store,
    maxConcurrent: number(
      options.maxConcurrent,
      'maxConcurrent',
      DEFAULT_MAX_CONCURRENT_INTROSPECTIONS,
      1,
      10_000,
      true,
    ),
    maxQueued: number(options.maxQueued, 'maxQueued', DEFAULT_MAX_QUEUED_INTROSPECTIONS, 0, 1_000_000, true),
    timeoutMs:
      options.timeoutMs === undefined
        ? undefined
        : number(options.timeoutMs, 'timeoutMs', 0, 1, 600_000, true),
    discoveryPolicy: options.discoveryPolicy,
    scopeClaims,
    maxTokenLength: number(
      options.maxTokenLength,
      'maxTokenLength',
      DEFAULT_MAX_TOKEN_LENGTH,
      256,
      MAX_INTROSPECTED_TOKEN_LENGTH,
      true,
    ),
    httpClient: options.httpClient,
    logger: options.logger ?? silentLogger,
    now: options.now ?? Date.now,
  };
}
