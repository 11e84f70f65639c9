import { type FetchReason, keySetFetchChannel } from '../diagnostics.js';
import { ConfigurationError, TokenValidationError } from '../errors.js';
import { cacheLifetimeMs } from '../http/cache-control.js';
import { getDefaultHttpClient } from '../http/default-client.js';
import type { HttpClient } from '../http/types.js';
import { type Logger, silentLogger } from '../logger.js';
import { fetchJwks, JwksRequest, JwksResponse, MAX_JWKS_BYTES, publishKeySetFetch } from './get-jwks.js';
import { EMPTY_KEYS, KeyIndex } from './key-index.js';
import type { KeySource, VerificationKey } from './verification-key.js';

export interface RemoteKeySetOptions {
  /** Default: the shared process-wide client. Not closed by `close()`. */
  httpClient?: HttpClient;
  logger?: Logger;
  /** Lifetime of a fetched set without `Cache-Control: max-age`. Default 10 min. */
  defaultTtlMs?: number;
  /** `max-age` is clamped to [minTtlMs, maxTtlMs]. Defaults 60 s and 24 h. */
  minTtlMs?: number;
  maxTtlMs?: number;
  /** An unknown `kid` refetches the set at most once per this long. Default 30 s. */
  cooldownMs?: number;
  /** After a failed fetch, no new attempt for this long. Default 5 s. */
  failureBackoffMs?: number;
  /** When refreshes fail, the last good keys keep serving for this long after they were fetched. Default 24 h. */
  maxStaleAgeMs?: number;
  /** Default 512 KiB. */
  maxBodyBytes?: number;
  /** Whole-exchange timeout per fetch (default: the client's). */
  timeoutMs?: number;
}

/** setTimeout's ceiling (about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

function duration(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigurationError(
      `RemoteKeySetOptions.${name} must be a number of ms (0 or more), got ${value}`,
    );
  }
  return value;
}

/**
 * The keys published at a `jwks_uri`, for token validation. Fetched lazily and shared: concurrent callers
 * wait on one fetch; a fresh set answers from memory without allocating or reading the clock; an unknown
 * `kid` refetches at most once per cooldown (a flood of random `kid`s costs at most one request per
 * `cooldownMs`); a failed refresh keeps the last good keys serving, with a warning, for up to
 * `maxStaleAgeMs`, while an unknown `kid` then answers `keys_unavailable`. A set with no key that can verify
 * (`{"keys": []}`, every key refused, only encryption keys) is a failed refresh, never adopted: a botched
 * rotation must not lock every caller out, and a cold start against it answers `keys_unavailable` (503).
 * The only timer (TTL expiry) is unref()ed.
 */
export class RemoteKeySet implements KeySource {
  readonly jwksUri: string;
  readonly #request: JwksRequest;
  readonly #http: HttpClient;
  readonly #logger: Logger;
  readonly #defaultTtlMs: number;
  readonly #minTtlMs: number;
  readonly #maxTtlMs: number;
  readonly #cooldownMs: number;
  readonly #failureBackoffMs: number;
  readonly #maxStaleAgeMs: number;

  #index: KeyIndex | undefined;
  #fetchedAt = 0;
  /** True until the TTL passes; flipped by an unref'd timer so the hot path reads no clock. */
  #fresh = false;
  #expiryTimer: NodeJS.Timeout | undefined;
  /** When an unknown kid last caused a fetch: the cooldown runs from here. */
  #lastMissFetchAt = Number.NEGATIVE_INFINITY;
  #nextAttemptAt = 0;
  #lastFailure: JwksResponse | undefined;
  #inflight: Promise<boolean> | undefined;
  #closed = false;

  constructor(jwksUri: string | URL, options: RemoteKeySetOptions = {}) {
    let url: URL;
    try {
      url = new URL(jwksUri);
    } catch (cause) {
      throw new ConfigurationError('jwksUri is not a valid absolute URL', { cause });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigurationError(`jwksUri must be an http(s) URL, got ${url.protocol}`);
    }
    this.jwksUri = url.href;
    this.#http = options.httpClient ?? getDefaultHttpClient();
    this.#logger = options.logger ?? silentLogger;
    this.#defaultTtlMs = duration('defaultTtlMs', options.defaultTtlMs, 600_000);
    this.#minTtlMs = duration('minTtlMs', options.minTtlMs, 60_000);
    this.#maxTtlMs = duration('maxTtlMs', options.maxTtlMs, 86_400_000);
    this.#cooldownMs = duration('cooldownMs', options.cooldownMs, 30_000);
    this.#failureBackoffMs = duration('failureBackoffMs', options.failureBackoffMs, 5_000);
    this.#maxStaleAgeMs = duration('maxStaleAgeMs', options.maxStaleAgeMs, 86_400_000);
    if (this.#minTtlMs > this.#maxTtlMs) {
      throw new ConfigurationError('RemoteKeySetOptions.minTtlMs must not exceed maxTtlMs');
    }
    this.#request = new JwksRequest({
      address: url,
      maxBodyBytes: options.maxBodyBytes ?? MAX_JWKS_BYTES,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  getKeys(kid: string | undefined): Promise<readonly VerificationKey[]> {
    if (this.#fresh) {
      // Hot path: a fresh set and a known kid return a promise made when the set was imported.
      return this.#index!.lookup(kid) ?? this.#miss(kid, Date.now());
    }
    const now = Date.now();
    if (this.#closed) return Promise.reject(this.#unavailable('the key set is closed'));
    if (this.#inflight !== undefined) return this.#inflight.then(() => this.#answer(kid));
    if (now < this.#nextAttemptAt) return this.#answerNow(kid);
    return this.#fetch(this.#index === undefined ? 'initial' : 'ttl').then(() => this.#answer(kid));
  }

  keysNow(kid: string | undefined): readonly VerificationKey[] | undefined {
    return this.#fresh ? this.#index!.lookupNow(kid) : undefined;
  }

  isCurrent(key: VerificationKey): boolean {
    return this.#index?.has(key) ?? false;
  }

  /** Fetches now (sharing a fetch in flight), ignoring TTL and cooldown. Resolves whether it succeeded. */
  refresh(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return this.#inflight ?? this.#fetch('forced');
  }

  /** The keys currently held (possibly stale), for inspection. */
  get keys(): readonly VerificationKey[] {
    return this.#index?.keys ?? [];
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#index = undefined;
    this.#fresh = false;
    clearTimeout(this.#expiryTimer);
  }

  #miss(kid: string | undefined, now: number): Promise<readonly VerificationKey[]> {
    if (this.#inflight !== undefined) return this.#inflight.then(() => this.#answer(kid));
    // The last fetch failed: whether this kid exists cannot be known now.
    if (now < this.#nextAttemptAt) return this.#answerNow(kid);
    if (now - this.#lastMissFetchAt < this.#cooldownMs) return EMPTY_KEYS;
    this.#lastMissFetchAt = now;
    this.#logger.debug({ jwksUri: this.jwksUri, kid }, 'unknown kid: refetching the key set');
    return this.#fetch('unknown_kid').then(() => this.#answer(kid));
  }

  #answerNow(kid: string | undefined): Promise<readonly VerificationKey[]> {
    try {
      return this.#answer(kid);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * After a fetch (or during a backoff): the keys for `kid` from the best set we have. An unknown `kid`
   * while the last fetch failed is `keys_unavailable` (the key may exist: answer 503, not 401).
   */
  #answer(kid: string | undefined): Promise<readonly VerificationKey[]> {
    const index = this.#index;
    if (index === undefined || Date.now() - this.#fetchedAt > this.#maxStaleAgeMs) {
      throw this.#unavailable(this.#closed ? 'the key set is closed' : undefined);
    }
    const keys = index.lookup(kid);
    if (keys !== undefined) return keys;
    if (this.#lastFailure !== undefined) throw this.#unavailable(undefined);
    return EMPTY_KEYS;
  }

  #unavailable(reason: string | undefined): TokenValidationError {
    const failure = this.#lastFailure;
    const waitMs = Math.max(0, this.#nextAttemptAt - Date.now());
    const retryAfter = Math.max(1, failure?.retryAfter ?? 0, Math.ceil(waitMs / 1000));
    const why = reason ?? failure?.error ?? 'no key set has been fetched';
    return new TokenValidationError(
      'keys_unavailable',
      `signing keys from ${this.jwksUri} are unavailable: ${why}`,
      {
        cause: failure?.cause ?? failure,
        retryAfter,
      },
    );
  }

  #fetch(reason: FetchReason): Promise<boolean> {
    const started = keySetFetchChannel.hasSubscribers ? performance.now() : -1;
    const inflight = fetchJwks(this.#request, this.#http)
      .then(
        (response) => this.#record(response, reason, started),
        (cause: unknown) =>
          this.#record(
            new JwksResponse({ errorType: 'exception', error: 'the key set could not be loaded', cause }),
            reason,
            started,
          ),
      )
      .finally(() => {
        this.#inflight = undefined;
      });
    this.#inflight = inflight;
    return inflight;
  }

  #setFresh(ttlMs: number): void {
    clearTimeout(this.#expiryTimer);
    this.#fresh = ttlMs > 0;
    if (!this.#fresh) return;
    this.#expiryTimer = setTimeout(
      () => {
        this.#fresh = false;
      },
      Math.min(ttlMs, MAX_TIMER_MS),
    );
    this.#expiryTimer.unref();
  }

  #record(fetched: JwksResponse, reason: FetchReason, started: number): boolean {
    if (this.#closed) return false;
    const now = Date.now();
    let response = fetched;
    const index = response.isSuccessful
      ? KeyIndex.build(response.keys, this.#index, this.#logger, this.jwksUri)
      : undefined;
    if (index !== undefined && index.keys.length === 0) {
      // Only keys that cannot verify (encryption keys, keys Node refused): as useless as an empty set, so a
      // failed refresh too, and the last good keys keep serving.
      response = new JwksResponse({
        httpStatus: fetched.httpStatus,
        headers: fetched.headers,
        rejectedKeys: fetched.rejectedKeys,
        errorType: 'protocol',
        error: 'the key set has no key that can verify signatures',
      });
    }
    // The verdict acted on (a set of unusable keys is a failure here); subscribed when the fetch began.
    if (started >= 0) publishKeySetFetch(this.jwksUri, reason, response, started);
    if (index !== undefined && response.isSuccessful) {
      this.#index = index;
      this.#fetchedAt = now;
      const cacheControl = response.headers['cache-control'];
      this.#setFresh(cacheLifetimeMs(cacheControl, this.#defaultTtlMs, this.#minTtlMs, this.#maxTtlMs));
      this.#nextAttemptAt = 0;
      this.#lastFailure = undefined;
      if (response.rejectedKeys.length > 0) {
        this.#logger.warn(
          { jwksUri: this.jwksUri, rejectedKeys: response.rejectedKeys },
          'JWKS keys ignored',
        );
      }
      return true;
    }
    this.#nextAttemptAt = now + this.#failureBackoffMs;
    this.#lastFailure = response;
    const staleForMs = this.#index === undefined ? undefined : now - this.#fetchedAt;
    const servingStale = staleForMs !== undefined && staleForMs <= this.#maxStaleAgeMs;
    this.#logger.warn(
      {
        jwksUri: this.jwksUri,
        error: response.error,
        errorType: response.errorType,
        httpStatus: response.httpStatus,
        ...(response.rejectedKeys.length > 0 ? { rejectedKeys: response.rejectedKeys } : {}),
        servingStaleKeys: servingStale,
        ...(servingStale ? { keysAgeMs: staleForMs } : {}),
      },
      servingStale
        ? 'JWKS refresh failed; serving the last good keys'
        : 'JWKS fetch failed; no keys available',
    );
    return false;
  }
}
