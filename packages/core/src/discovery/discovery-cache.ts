import { ConfigurationError } from '../errors.js';
import { cacheLifetimeMs } from '../http/cache-control.js';
import { getDefaultHttpClient } from '../http/default-client.js';
import type { HttpClient } from '../http/types.js';
import { type Logger, silentLogger } from '../logger.js';
import { DiscoveryDocumentResponse } from './discovery-document-response.js';
import type { DiscoveryPolicy, DiscoveryPolicyOptions } from './discovery-policy.js';
import { DiscoveryDocumentRequest, fetchDiscoveryDocument } from './get-discovery-document.js';
import { forgetPolicyRefusal, logPolicyRefusal } from './policy-refusal-log.js';

const MAX_TIMER_MS = 2_147_483_647;

export interface DiscoveryCacheOptions {
  policy?: DiscoveryPolicy | DiscoveryPolicyOptions;
  /** Default: the shared process-wide client. */
  httpClient?: HttpClient;
  /** Lifetime when the response has no `Cache-Control: max-age`. Default 1 h. */
  defaultTtlMs?: number;
  /** `max-age` is clamped to [minTtlMs, maxTtlMs]. Defaults 60 s and 24 h. */
  minTtlMs?: number;
  maxTtlMs?: number;
  /** After a failed fetch, callers get that failure (or the stale document) without a new fetch for this long. Default 5 s. */
  failureBackoffMs?: number;
  /** A document that cannot be refreshed keeps being served for this long after it was fetched. Default 24 h. */
  maxStaleMs?: number;
  logger?: Logger;
}

function checkDuration(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigurationError(
      `DiscoveryCacheOptions.${name} must be a number of ms (0 or more), got ${value}`,
    );
  }
  return value;
}

/**
 * A cached discovery document for one authority: fetched once however many callers ask at the same time,
 * kept for the server's `max-age` (clamped) or an hour, refreshed lazily on the first `get()` after it
 * expires. A failure is never cached as a result, but for `failureBackoffMs` callers get it back at once
 * instead of hammering a provider that is down; meanwhile a previous good document is still served (up to
 * `maxStaleMs`). No timers: nothing to unref, `close()` only drops the state.
 */
export class DiscoveryCache {
  readonly #request: DiscoveryDocumentRequest;
  readonly #http: HttpClient;
  readonly #logger: Logger;
  readonly #defaultTtlMs: number;
  readonly #minTtlMs: number;
  readonly #maxTtlMs: number;
  readonly #failureBackoffMs: number;
  readonly #maxStaleMs: number;

  #current: DiscoveryDocumentResponse | undefined;
  /** The same resolved promise handed to every caller while the document is fresh: no allocation per get(). */
  #currentPromise: Promise<DiscoveryDocumentResponse> | undefined;
  #fetchedAt = 0;
  /** True until the TTL passes; flipped by an unref'd timer so `get()` reads no clock when fresh. */
  #fresh = false;
  #expiryTimer: NodeJS.Timeout | undefined;
  #inflight: Promise<DiscoveryDocumentResponse> | undefined;
  #failurePromise: Promise<DiscoveryDocumentResponse> | undefined;
  #backoffUntil = 0;
  #closed = false;

  constructor(address: string | DiscoveryDocumentRequest, options: DiscoveryCacheOptions = {}) {
    this.#request =
      typeof address === 'string'
        ? new DiscoveryDocumentRequest({ address, ...(options.policy ? { policy: options.policy } : {}) })
        : address;
    this.#http = options.httpClient ?? getDefaultHttpClient();
    this.#logger = options.logger ?? silentLogger;
    this.#defaultTtlMs = checkDuration('defaultTtlMs', options.defaultTtlMs ?? 3_600_000);
    this.#minTtlMs = checkDuration('minTtlMs', options.minTtlMs ?? 60_000);
    this.#maxTtlMs = checkDuration('maxTtlMs', options.maxTtlMs ?? 86_400_000);
    this.#failureBackoffMs = checkDuration('failureBackoffMs', options.failureBackoffMs ?? 5_000);
    this.#maxStaleMs = checkDuration('maxStaleMs', options.maxStaleMs ?? 86_400_000);
    if (this.#minTtlMs > this.#maxTtlMs) {
      throw new ConfigurationError('DiscoveryCacheOptions.minTtlMs must not exceed maxTtlMs');
    }
  }

  get address(): string {
    return this.#request.address;
  }

  /** The document: cached, or fetched (one fetch shared by concurrent callers). Never rejects. */
  get(): Promise<DiscoveryDocumentResponse> {
    if (this.#fresh) return this.#currentPromise!;
    const now = Date.now();
    if (this.#closed) return Promise.resolve(closedResponse());
    if (this.#inflight !== undefined) return this.#inflight.then((fresh) => this.#choose(fresh));
    if (now < this.#backoffUntil) return this.#fallback() ?? this.#failurePromise!;
    return this.#fetch(this.#current === undefined ? 'initial' : 'ttl').then((fresh) => this.#choose(fresh));
  }

  /**
   * Fetches now (sharing a fetch already in flight) and returns what the provider answered, even a
   * failure; a good document replaces the cached one.
   */
  refresh(): Promise<DiscoveryDocumentResponse> {
    if (this.#closed) return Promise.resolve(closedResponse());
    return this.#inflight ?? this.#fetch('forced');
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#current = undefined;
    this.#currentPromise = undefined;
    this.#failurePromise = undefined;
    this.#fresh = false;
    clearTimeout(this.#expiryTimer);
  }

  /** A failed fetch answers with the stale document while it is young enough; nothing once closed. */
  #choose(fresh: DiscoveryDocumentResponse): DiscoveryDocumentResponse | Promise<DiscoveryDocumentResponse> {
    if (this.#closed) return closedResponse();
    if (fresh.isSuccessful) return fresh;
    return this.#fallback() ?? fresh;
  }

  #fallback(): Promise<DiscoveryDocumentResponse> | undefined {
    if (this.#currentPromise === undefined || Date.now() - this.#fetchedAt > this.#maxStaleMs)
      return undefined;
    return this.#currentPromise;
  }

  #fetch(reason: 'initial' | 'ttl' | 'forced'): Promise<DiscoveryDocumentResponse> {
    // getDiscoveryDocument never rejects by contract; a custom HttpClient or policy could still make it,
    // and a rejection here would leave #inflight set forever and reach every caller as an exception.
    const fetched = fetchDiscoveryDocument(this.#request, this.#http, reason).catch(
      (cause: unknown) =>
        new DiscoveryDocumentResponse({
          errorType: 'exception',
          error: 'discovery failed unexpectedly',
          cause,
        }),
    );
    const inflight = fetched.then((response) => {
      this.#inflight = undefined;
      // A fetch that ends after close() serves nothing: not even to the callers that were waiting on it.
      if (this.#closed) return closedResponse();
      const now = Date.now();
      if (response.isSuccessful) {
        const ttl = cacheLifetimeMs(
          response.headers['cache-control'],
          this.#defaultTtlMs,
          this.#minTtlMs,
          this.#maxTtlMs,
        );
        this.#current = response;
        this.#currentPromise = Promise.resolve(response);
        this.#fetchedAt = now;
        clearTimeout(this.#expiryTimer);
        this.#fresh = ttl > 0;
        if (this.#fresh) {
          this.#expiryTimer = setTimeout(
            () => {
              this.#fresh = false;
            },
            Math.min(ttl, MAX_TIMER_MS),
          );
          this.#expiryTimer.unref();
        }
        this.#backoffUntil = 0;
        this.#failurePromise = undefined;
        forgetPolicyRefusal(this.#logger, this.#request.address);
      } else {
        this.#backoffUntil = now + this.#failureBackoffMs;
        this.#failurePromise = Promise.resolve(response);
      }
      if (response.errorType === 'policy') {
        // A refusal is a configuration problem, not an outage: one error line naming the option, once.
        logPolicyRefusal(this.#logger, this.#request.address, response.error);
      } else if (!response.isSuccessful) {
        const stale = this.#current !== undefined && now - this.#fetchedAt <= this.#maxStaleMs;
        this.#logger.warn(
          {
            address: this.#request.address,
            errorType: response.errorType,
            error: response.error,
            servingStale: stale,
          },
          'discovery document could not be fetched',
        );
      }
      return response;
    });
    this.#inflight = inflight;
    return inflight;
  }
}

function closedResponse(): DiscoveryDocumentResponse {
  return new DiscoveryDocumentResponse({ errorType: 'exception', error: 'the discovery cache is closed' });
}
