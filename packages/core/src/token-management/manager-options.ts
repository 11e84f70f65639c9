import { createHash } from 'node:crypto';
import type { DiscoveryPolicy, DiscoveryPolicyOptions } from '../discovery/index.js';
import type { DPoPClient } from '../dpop/dpop-client.js';
import type { DPoPKey } from '../dpop/dpop-key.js';
import { ConfigurationError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import type { Logger } from '../logger.js';
import { isMutualTlsMethod } from '../mtls/certificate-transport.js';
import type {
  BasicAuthenticationHeaderStyle,
  ClientAssertionOptions,
  ClientAuthenticationMethod,
  ClientPrivateKey,
} from '../token/client-authentication.js';
import type { TokenRequestParameters } from '../token/token-request.js';
import type { CacheStore } from './cache-store.js';

export interface ClientCredentialsTokenManagerOptions {
  /** The token endpoint URL. Give this or `issuer`. */
  tokenEndpoint?: string | URL;
  /** The provider's issuer: the token endpoint is read from its discovery document on first use. */
  issuer?: string;
  /** How the discovery document is checked (with `issuer`). Default: the discovery defaults, no key set required. */
  discoveryPolicy?: DiscoveryPolicy | DiscoveryPolicyOptions;
  clientId: string;
  clientSecret?: string;
  /** Signing key for `private_key_jwt` (then `clientSecret` is not needed). */
  privateKey?: ClientPrivateKey;
  /**
   * Default: `private_key_jwt` with `privateKey`, else `client_secret_basic`. `tls_client_auth` and
   * `self_signed_tls_client_auth` need no secret or key but an `httpClient` built with `clientCertificate`;
   * with `issuer`, the token endpoint's `mtls_endpoint_aliases` entry is used.
   */
  clientAuthentication?: ClientAuthenticationMethod;
  /**
   * How `client_secret_basic` encodes id and secret: `rfc6749` (default, form-urlencoded first) or `rfc2617`
   * (raw, for servers that do not decode, such as glewlwyd). Checked when the manager is built.
   */
  basicAuthenticationHeaderStyle?: BasicAuthenticationHeaderStyle;
  clientAssertion?: ClientAssertionOptions;
  scope?: string | readonly string[];
  resource?: string | readonly string[];
  /** Extra token request form fields (part of the cache key). */
  parameters?: TokenRequestParameters;
  /**
   * Seconds before expiry at which a token is renewed in the background while callers keep getting it
   * (default 60). Scaled down for short-lived tokens: the window is `min(refreshBeforeExpiry, lifetime / 4)`,
   * so a 60 s token is renewed 15 s before it expires, a 1-hour token 60 s before.
   */
  refreshBeforeExpiry?: number;
  /** Lifetime in seconds assumed when the provider sends no `expires_in` (default 300). */
  defaultLifetime?: number;
  /** Where tokens are kept; default a private `MemoryCacheStore`. A store you pass is not closed by `close()`. */
  store?: CacheStore;
  /** Prefix of the cache key (default `identity-model:client-credentials:`). */
  cacheKeyPrefix?: string;
  /** Longest a store call may take before it counts as failed (ms, default 1000). */
  storeTimeoutMs?: number;
  /** After a store failure, how long to leave it alone before trying it again (ms, default 5000). */
  storeRetryMs?: number;
  /** Cross-process single flight through `store.tryLock`. */
  lock?: {
    /** The lock expires by itself after this long (ms, default 30000), so a crashed holder blocks nobody for long. */
    ttlMs?: number;
    /** How long a caller that did not get the lock waits for the holder's token before fetching itself (ms, default 5000). */
    waitMs?: number;
    /** How often it looks in the store meanwhile (ms, default 100). */
    pollIntervalMs?: number;
  };
  /**
   * After a failed fetch (retries included), calls fail fast with the last error until the backoff has passed:
   * `initialMs` (default 1000) doubling per consecutive failure up to `maxMs` (default 30000), with jitter, and
   * never shorter than the provider's `Retry-After`. A cached token that has not expired is still served.
   */
  failureBackoff?: { initialMs?: number; maxMs?: number };
  /** Whole-exchange timeout of one token request in ms (default: the HTTP client's). */
  timeoutMs?: number;
  logger?: Logger;
  /** Default: the process-wide client (`getDefaultHttpClient()`), which is not closed by `close()`. */
  httpClient?: HttpClient;
  /**
   * DPoP-bound tokens (RFC 9449): `true` generates an ES256 key for this manager; `{ key }` uses yours
   * (`generateDPoPKey()`); a `DPoPClient` shares one key and its nonces with other managers. Every token request
   * carries a fresh proof, the provider's `use_dpop_nonce` is answered once, and `createAuthenticatedFetch` /
   * `clientCredentialsInterceptor` send `Authorization: DPoP` with a proof per call. The key's thumbprint is
   * part of the cache key: a token stored in a shared store (Redis) is only ever handed to a manager holding
   * the same key, so a replica with another key fetches its own token instead of one it cannot prove.
   */
  dpop?: true | { key?: DPoPKey; maxNonces?: number } | DPoPClient;
}

export interface ResolvedManagerOptions {
  refreshBeforeExpiryMs: number;
  defaultLifetimeMs: number;
  storeTimeoutMs: number;
  storeRetryMs: number;
  lockTtlMs: number;
  lockWaitMs: number;
  lockPollMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigurationError(`${name}: a finite number >= 0 is required`);
  }
  return value;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = nonNegative(name, value, fallback);
  if (v === 0) throw new ConfigurationError(`${name}: must be greater than 0`);
  return v;
}

export function resolveManagerOptions(options: ClientCredentialsTokenManagerOptions): ResolvedManagerOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('options: required');
  const hasEndpoint = options.tokenEndpoint !== undefined;
  const hasIssuer = options.issuer !== undefined;
  if (hasEndpoint === hasIssuer) {
    throw new ConfigurationError('tokenEndpoint or issuer: give exactly one (issuer uses discovery)');
  }
  if (hasIssuer && (typeof options.issuer !== 'string' || !URL.canParse(options.issuer))) {
    throw new ConfigurationError('issuer: an absolute http(s) URL is required');
  }
  const byCertificate = isMutualTlsMethod(String(options.clientAuthentication));
  if (options.clientSecret === undefined && options.privateKey === undefined && !byCertificate) {
    throw new ConfigurationError(
      'clientSecret or privateKey: the client credentials grant needs one (or clientAuthentication tls_client_auth with a client certificate)',
    );
  }
  if (options.clientAuthentication === 'none') {
    throw new ConfigurationError(
      'clientAuthentication: the client credentials grant needs an authenticated client',
    );
  }
  const backoffInitialMs = positive('failureBackoff.initialMs', options.failureBackoff?.initialMs, 1000);
  const backoffMaxMs = positive('failureBackoff.maxMs', options.failureBackoff?.maxMs, 30_000);
  if (backoffMaxMs < backoffInitialMs) {
    throw new ConfigurationError('failureBackoff.maxMs: must be at least failureBackoff.initialMs');
  }
  return {
    refreshBeforeExpiryMs: nonNegative('refreshBeforeExpiry', options.refreshBeforeExpiry, 60) * 1000,
    defaultLifetimeMs: positive('defaultLifetime', options.defaultLifetime, 300) * 1000,
    storeTimeoutMs: positive('storeTimeoutMs', options.storeTimeoutMs, 1000),
    storeRetryMs: nonNegative('storeRetryMs', options.storeRetryMs, 5000),
    lockTtlMs: positive('lock.ttlMs', options.lock?.ttlMs, 30_000),
    lockWaitMs: nonNegative('lock.waitMs', options.lock?.waitMs, 5000),
    lockPollMs: positive('lock.pollIntervalMs', options.lock?.pollIntervalMs, 100),
    backoffInitialMs,
    backoffMaxMs,
  };
}

function list(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

/**
 * The cache key: a hash of what determines which token the provider issues (endpoint or issuer, client,
 * scope, resource, extra parameters, and the client certificate or DPoP key a token may be bound to). Hashed so that
 * nothing a key reveals (in Redis, in logs) is sensitive; the secret itself is never part of it.
 */
export function cacheKeyFor(
  options: ClientCredentialsTokenManagerOptions,
  prefix: string,
  dpopThumbprint?: string,
): string {
  const thumbprint = options.httpClient?.clientCertificateThumbprint;
  const scopes = list(options.scope)
    .flatMap((s) => s.split(' '))
    .filter(Boolean)
    .sort();
  const parameters = Object.entries(options.parameters ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, list(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const material = JSON.stringify([
    1,
    options.tokenEndpoint === undefined ? null : String(options.tokenEndpoint),
    options.issuer ?? null,
    options.clientId,
    scopes,
    list(options.resource),
    parameters,
    // A certificate-bound token is useless to a process holding another certificate (RFC 8705 §3). Only
    // added when present, so the keys of managers without a certificate stay what they were.
    ...(thumbprint === undefined ? [] : [thumbprint]),
    // Likewise a DPoP-bound token for another key (RFC 9449 §6): keyed apart, so it is never shared.
    ...(dpopThumbprint === undefined ? [] : [{ jkt: dpopThumbprint }]),
  ]);
  return `${prefix}${createHash('sha256').update(material).digest('base64url')}`;
}

/**
 * How long calls fail fast after `count` consecutive failures: `initialMs` doubling up to `maxMs`, ±20% jitter
 * so that a fleet that failed together does not retry together, and never shorter than `Retry-After` (capped
 * at 5 minutes).
 */
export function failureBackoffMs(
  count: number,
  config: Pick<ResolvedManagerOptions, 'backoffInitialMs' | 'backoffMaxMs'>,
  retryAfterSeconds: number | undefined,
): number {
  const exp = Math.min(config.backoffMaxMs, config.backoffInitialMs * 2 ** (count - 1));
  const jittered = exp * (0.8 + Math.random() * 0.4);
  const retryAfterMs = retryAfterSeconds === undefined ? 0 : Math.min(retryAfterSeconds * 1000, 300_000);
  return Math.max(jittered, retryAfterMs);
}
