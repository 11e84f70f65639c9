import { type Channel, channel } from 'node:diagnostics_channel';
import type { DiscoveryErrorType } from './discovery/discovery-document-response.js';
import type { TokenManagementErrorCode, TokenValidationErrorCode } from './errors.js';
import type { JwksErrorType } from './jwks/get-jwks.js';

/**
 * The `node:diagnostics_channel` names the library publishes on, one per kind of event. Subscribe with
 * `diagnostics_channel.subscribe(DIAGNOSTICS_CHANNELS.validation, (message) => …)`; each message's shape is
 * in {@link DiagnosticsMessages}. Nothing is built or published while a channel has no subscriber.
 *
 * | name | published when | message |
 * | --- | --- | --- |
 * | `identity-model:validation` | a JWT access token validation ends (every outcome) | {@link TokenValidationEvent} |
 * | `identity-model:jwks:fetch` | a JWK Set is fetched | {@link KeySetFetchEvent} |
 * | `identity-model:discovery:fetch` | a discovery document is fetched | {@link DiscoveryFetchEvent} |
 * | `identity-model:token-manager:request` | the token manager asked the token endpoint | {@link TokenRequestEvent} |
 * | `identity-model:token-manager:cache-hit` | the token manager answered from a cache | {@link TokenCacheHitEvent} |
 * | `identity-model:introspection` | an opaque token validation by introspection ends | {@link IntrospectionEvent} |
 * | `identity-model:dpop:replay-refused` | a DPoP proof was refused as a replay | {@link DPoPReplayRefusedEvent} |
 * | `identity-model:bearer:unavailable` | a request was answered 503 (keys or introspection unobtainable) | {@link ServiceUnavailableEvent} |
 *
 * No message carries a token, a proof, a secret or a claim other than `iss`; URLs are origin and path only.
 */
export const DIAGNOSTICS_CHANNELS = {
  validation: 'identity-model:validation',
  keySetFetch: 'identity-model:jwks:fetch',
  discoveryFetch: 'identity-model:discovery:fetch',
  tokenRequest: 'identity-model:token-manager:request',
  tokenCacheHit: 'identity-model:token-manager:cache-hit',
  introspection: 'identity-model:introspection',
  dpopReplayRefused: 'identity-model:dpop:replay-refused',
  serviceUnavailable: 'identity-model:bearer:unavailable',
} as const;

/**
 * A JWT access token validation ended (`createTokenValidator(...).validate`, `validateToken`, every adapter).
 * Cache hits are published too: their `durationMs` is a few microseconds.
 */
export interface TokenValidationEvent {
  outcome: 'ok' | 'error';
  /** The refusal's code; `keys_unavailable` is the one the bearer layer answers 503. Absent when `ok`. */
  code?: TokenValidationErrorCode;
  /**
   * The token's `iss` when it is one the validator accepts (on a failure: the issuer the token claims,
   * which a forged token can name too); absent otherwise, so an attacker cannot fill a metric with values.
   */
  issuer?: string;
  /** From the call to the outcome, in milliseconds (fractional). */
  durationMs: number;
}

/**
 * Why a key set (or a discovery document) was fetched:
 * - `initial`: none was held (first use, or every fetch so far failed);
 * - `ttl`: the one held expired (its `Cache-Control: max-age`, clamped, or the default lifetime);
 * - `unknown_kid`: a token named a `kid` the held set does not have (at most once per cooldown);
 * - `forced`: `refresh()` was called;
 * - `uncached`: a direct call (`getJwks`, `getDiscoveryDocument`, an endpoint lookup) that keeps nothing.
 */
export type FetchReason = 'initial' | 'ttl' | 'unknown_kid' | 'forced' | 'uncached';

/** A JWK Set was fetched (`RemoteKeySet`, the key sets behind discovery, `getJwks`). */
export interface KeySetFetchEvent {
  /** The `jwks_uri`, origin and path. */
  url: string;
  reason: FetchReason;
  outcome: 'ok' | 'error';
  /** The HTTP status, when the server answered. */
  status?: number;
  /** Why it failed, when it did. */
  errorType?: JwksErrorType;
  /** Usable keys in the set (0 on a failure). */
  keys: number;
  durationMs: number;
}

/** A discovery document was fetched (`DiscoveryCache`, `getDiscoveryDocument`, endpoint lookups). */
export interface DiscoveryFetchEvent {
  /** The well-known URL fetched, origin and path. */
  url: string;
  /** `initial`, `ttl`, `forced` (a `DiscoveryCache`) or `uncached`. */
  reason: Exclude<FetchReason, 'unknown_kid'>;
  outcome: 'ok' | 'error';
  status?: number;
  /** Why it failed (`policy`: the document was refused by the discovery policy). */
  errorType?: DiscoveryErrorType;
  durationMs: number;
}

/** `ClientCredentialsTokenManager` sent a token request (a cache miss, a renewal or a forced renewal). */
export interface TokenRequestEvent {
  clientId: string;
  /** The manager's cache key (a hash: no secret in it). */
  cacheKey: string;
  outcome: 'ok' | 'error';
  code?: TokenManagementErrorCode;
  /** The token endpoint's HTTP status, when it answered. */
  status?: number;
  durationMs: number;
}

/** `ClientCredentialsTokenManager` answered without a token request. */
export interface TokenCacheHitEvent {
  clientId: string;
  cacheKey: string;
  /** `memory`: the manager's own copy; `store`: a token another process (or an earlier one) stored. */
  source: 'memory' | 'store';
}

/** An opaque token validation by introspection ended (`createIntrospectionValidator(...).validate`). */
export interface IntrospectionEvent {
  /**
   * `active`: accepted; `inactive`: refused (`active: false`, or members the validator does not accept:
   * `code` says which); `error`: no verdict could be had (`keys_unavailable`, answered 503).
   */
  outcome: 'active' | 'inactive' | 'error';
  code?: TokenValidationErrorCode;
  /** The verdict came from the validator's cache or its shared store, without a request. */
  cached: boolean;
  durationMs: number;
}

/** A DPoP proof was refused because its `jti` was already used (RFC 9449 §11.1). */
export interface DPoPReplayRefusedEvent {
  /** The proof's `htm`. */
  method: string;
  /** The proof's `htu`, origin and path. */
  url: string;
}

/** A request was answered 503 with `Retry-After`: its token could not be judged. */
export interface ServiceUnavailableEvent {
  /** The `Retry-After` sent, in seconds. */
  retryAfter: number;
  /** The discovery document was refused by policy: a configuration problem, not an outage. */
  policyRefusal: boolean;
}

/** The message published on each channel of {@link DIAGNOSTICS_CHANNELS}, by channel name. */
export interface DiagnosticsMessages {
  'identity-model:validation': TokenValidationEvent;
  'identity-model:jwks:fetch': KeySetFetchEvent;
  'identity-model:discovery:fetch': DiscoveryFetchEvent;
  'identity-model:token-manager:request': TokenRequestEvent;
  'identity-model:token-manager:cache-hit': TokenCacheHitEvent;
  'identity-model:introspection': IntrospectionEvent;
  'identity-model:dpop:replay-refused': DPoPReplayRefusedEvent;
  'identity-model:bearer:unavailable': ServiceUnavailableEvent;
}

/** A channel whose `publish` takes only its own message type. */
interface TypedChannel<M> extends Channel {
  publish(message: M): void;
}

function open<K extends keyof typeof DIAGNOSTICS_CHANNELS>(
  key: K,
): TypedChannel<DiagnosticsMessages[(typeof DIAGNOSTICS_CHANNELS)[K]]> {
  return channel(DIAGNOSTICS_CHANNELS[key]) as TypedChannel<
    DiagnosticsMessages[(typeof DIAGNOSTICS_CHANNELS)[K]]
  >;
}

// Created once, at module load, and held: publishers test `hasSubscribers` (a field read) before building
// anything, so a process that subscribes to nothing pays one branch per event.
/** @internal */
export const validationChannel = open('validation');
/** @internal */
export const keySetFetchChannel = open('keySetFetch');
/** @internal */
export const discoveryFetchChannel = open('discoveryFetch');
/** @internal */
export const tokenRequestChannel = open('tokenRequest');
/** @internal */
export const tokenCacheHitChannel = open('tokenCacheHit');
/** @internal */
export const introspectionChannel = open('introspection');
const dpopReplayRefusedChannel = open('dpopReplayRefused');
const serviceUnavailableChannel = open('serviceUnavailable');

/** @internal Origin and path of a URL (query strings may carry credentials); `''` when it does not parse. */
export function eventUrl(url: string | URL): string {
  if (typeof url === 'string' && !URL.canParse(url)) return '';
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return `${parsed.origin}${parsed.pathname}`;
}

/** @internal The proof verifier's one call when a proof's `jti` was seen before. */
export function publishDPoPReplayRefused(method: string, url: string | URL): void {
  if (dpopReplayRefusedChannel.hasSubscribers)
    dpopReplayRefusedChannel.publish({ method: method.slice(0, 16), url: eventUrl(url) });
}

/**
 * @internal The bearer layer's one call on every refusal: publishes those answered 503. Returns the error
 * unchanged, so it wraps a `throw`.
 */
export function noteUnavailable<E>(error: E): E {
  if (!serviceUnavailableChannel.hasSubscribers) return error;
  const refusal = error as { status?: unknown; retryAfter?: unknown; cause?: unknown } | undefined;
  if (error instanceof Error && refusal?.status === 503 && typeof refusal.retryAfter === 'number') {
    // The validation error's cause is the discovery answer when a policy refused it (`isPolicyRefusal`).
    const cause = refusal.cause as { cause?: { errorType?: unknown } } | undefined;
    serviceUnavailableChannel.publish({
      retryAfter: refusal.retryAfter,
      policyRefusal: cause?.cause?.errorType === 'policy',
    });
  }
  return error;
}
