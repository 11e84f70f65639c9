import { setTimeout as sleep } from 'node:timers/promises';
import { type DPoPClient, dpopClientFor } from '../dpop/dpop-client.js';
import { type IdentityModelError, TokenManagementError } from '../errors.js';
import { getDefaultHttpClient } from '../http/index.js';
import type { HttpClient } from '../http/types.js';
import { type Logger, silentLogger } from '../logger.js';
import { ClientCredentialsTokenRequest } from '../token/grant-requests.js';
import { requestClientCredentialsToken } from '../token/request-token.js';
import type { CacheStore, StoredToken } from './cache-store.js';
import {
  type AccessTokenSource,
  type ClientCredentialsToken,
  type GetTokenOptions,
  toClientCredentialsToken as view,
} from './managed-token.js';
import {
  type ClientCredentialsTokenManagerOptions,
  cacheKeyFor,
  failureBackoffMs,
  type ResolvedManagerOptions,
  resolveManagerOptions,
} from './manager-options.js';
import { MemoryCacheStore } from './memory-cache-store.js';
import { type LockResult, StoreGuard } from './store-guard.js';
import { resolveTokenEndpoint } from './token-endpoint.js';
import { publishTokenCacheHit, publishTokenRequest } from './token-events.js';

interface Entry {
  token: StoredToken;
  /** Epoch ms from which the token is renewed in the background. */
  refreshAt: number;
}

interface Failure {
  error: TokenManagementError;
  count: number;
  /** Epoch ms before which no new attempt is made. */
  until: number;
}

class ManagerClosed extends Error {}

/**
 * Obtains client-credentials tokens and keeps them: cached (keyed by client, scope, resource and extra
 * parameters), renewed in the background before they expire, fetched once however many callers ask, and
 * shared across processes through a `CacheStore` with a lock. Failures are never cached; after one, calls
 * fail fast for a short, growing backoff instead of hammering the provider.
 *
 * How a store's lock is used: before fetching, the manager calls `store.tryLock(cacheKey, lock.ttlMs)`. With
 * the lock it fetches, `set`s the token (TTL = its remaining lifetime) and releases the lock. Without it
 * (another process is fetching), it polls `store.get(cacheKey)` every `lock.pollIntervalMs` for a token other
 * than the one it already holds, trying the lock again on each poll (so a crashed holder's lock, once expired,
 * passes to one waiter), for at most `lock.waitMs`; then it fetches by itself. A store that rejects or
 * stalls is skipped: the in-process copy and a direct fetch keep callers served.
 */
export class ClientCredentialsTokenManager implements AccessTokenSource {
  /** The key under which this manager's token is stored (a hash; no secret in it). */
  readonly cacheKey: string;
  /** With the `dpop` option: the key its tokens are bound to, which the injectors sign proofs with. */
  readonly dpop: DPoPClient | undefined;
  readonly #options: ClientCredentialsTokenManagerOptions;
  readonly #config: ResolvedManagerOptions;
  readonly #store: StoreGuard;
  readonly #ownedStore: CacheStore | undefined;
  readonly #http: HttpClient | undefined;
  readonly #logger: Logger;
  readonly #closing = new AbortController();
  /** Authenticates with, or presents, a TLS client certificate: discovery picks the mTLS alias. */
  readonly #mtls: boolean;
  #request: ClientCredentialsTokenRequest | undefined;
  #local: Entry | undefined;
  #inflight: { promise: Promise<Entry>; forced: boolean } | undefined;
  #failure: Failure | undefined;
  #closed = false;

  constructor(options: ClientCredentialsTokenManagerOptions) {
    this.#config = resolveManagerOptions(options);
    this.#options = { ...options };
    this.#logger = options.logger ?? silentLogger;
    this.#http = options.httpClient;
    this.dpop = dpopClientFor(options.dpop);
    this.cacheKey = cacheKeyFor(
      options,
      options.cacheKeyPrefix ?? 'identity-model:client-credentials:',
      this.dpop?.thumbprint,
    );
    if (options.store === undefined) this.#ownedStore = new MemoryCacheStore({ maxEntries: 100 });
    this.#store = new StoreGuard(
      options.store ?? (this.#ownedStore as CacheStore),
      this.#logger,
      this.#config.storeTimeoutMs,
      this.#config.storeRetryMs,
    );
    // Build the request now, so bad client options fail here and not on first use. With an issuer, the
    // endpoint is not known yet: validate against the issuer URL and build the real request after discovery.
    const request = this.#buildRequest(String(options.tokenEndpoint ?? options.issuer));
    // tls_client_auth without a certificate on the HTTP client cannot work: say so now, not on first use.
    request.authenticator.checkTransport(
      options.httpClient,
      options.tokenEndpoint === undefined ? undefined : request.address,
    );
    this.#mtls =
      request.authenticator.mutualTls || options.httpClient?.clientCertificateThumbprint !== undefined;
    if (options.tokenEndpoint !== undefined) this.#request = request;
  }

  /**
   * A token that has not expired: from the cache when there is one (renewed in the background once inside
   * the refresh window), else fetched, with concurrent callers sharing one fetch. Rejects with
   * `TokenManagementError` when no token can be had.
   */
  async getToken(options: GetTokenOptions = {}): Promise<ClientCredentialsToken> {
    if (this.#closed) throw new TokenManagementError('manager_closed', 'the token manager is closed');
    if (!options.forceRenewal) {
      const local = this.#local;
      const now = Date.now();
      if (local && local.token.expiresAt > now) {
        if (now >= local.refreshAt) this.#refreshInBackground();
        publishTokenCacheHit(this.#options.clientId, this.cacheKey, 'memory');
        return view(local.token);
      }
    }
    const entry = await this.#obtain(options.forceRenewal === true);
    return view(entry.token);
  }

  /** Stops background work and releases what the manager created (not a store or HTTP client you passed). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort(new ManagerClosed());
    await this.#inflight?.promise.catch(() => {});
    this.#local = undefined;
    await this.#ownedStore?.close?.();
  }

  #refreshInBackground(): void {
    if (this.#inflight) return;
    if (this.#failure && Date.now() < this.#failure.until) return;
    this.#obtain(false).catch((err: unknown) => {
      if (err instanceof TokenManagementError && err.code === 'manager_closed') return;
      // #recordFailure has warned already; this says what the callers get meanwhile.
      this.#logger.debug(
        { code: (err as IdentityModelError).code },
        'background token renewal failed; the cached token is served until it expires',
      );
    });
  }

  #obtain(force: boolean): Promise<Entry> {
    const current = this.#inflight;
    if (current && (current.forced || !force)) return current.promise;
    // A forced renewal must not be answered by a non-forced fetch that may just re-read the rejected token.
    const before = current?.promise.catch(() => {});
    const promise = (async () => {
      if (before) await before;
      try {
        return await this.#acquire(force);
      } catch (err) {
        // One exit for every way close() can interrupt an acquisition (a lock wait, discovery, the fetch).
        throw this.#closed || err instanceof ManagerClosed ? closedError(err) : err;
      }
    })();
    const slot = { promise, forced: force };
    this.#inflight = slot;
    promise.then(
      () => {
        if (this.#inflight === slot) this.#inflight = undefined;
      },
      () => {
        if (this.#inflight === slot) this.#inflight = undefined;
      },
    );
    return promise;
  }

  async #acquire(force: boolean): Promise<Entry> {
    // The token we hold (about to expire, or rejected): a stored copy of it is no renewal.
    const held = this.#local?.token;
    const fresh = (t: StoredToken | undefined): t is StoredToken =>
      t !== undefined && t.expiresAt > Date.now() && t.accessToken !== held?.accessToken;

    if (!force) {
      const stored = await this.#store.get(this.cacheKey);
      if (fresh(stored)) return this.#adopt(stored);
    }
    // Checked after the store: another replica may have succeeded where this one failed.
    const failure = this.#failure;
    if (failure && Date.now() < failure.until) {
      throw new TokenManagementError(
        failure.error.code,
        `${failure.error.message} (not retried for another ${failure.until - Date.now()} ms)`,
        {
          cause: failure.error,
          error: failure.error.error,
          errorDescription: failure.error.errorDescription,
          httpStatus: failure.error.httpStatus,
          retryAfter: failure.error.retryAfter,
        },
      );
    }
    let lock = await this.#store.tryLock(this.cacheKey, this.#config.lockTtlMs);
    if (lock.state === 'busy') {
      const outcome = await this.#waitForHolder(fresh);
      if (outcome.token) return this.#adopt(outcome.token);
      lock = outcome.lock;
    }
    if (lock.state === 'acquired') {
      // Double-check: a holder may have stored its token and released between our read and our lock.
      const stored = await this.#store.get(this.cacheKey);
      if (fresh(stored)) {
        await this.#store.release(lock.lock);
        return this.#adopt(stored);
      }
    }
    try {
      const entry = await this.#fetch();
      this.#failure = undefined;
      this.#local = entry;
      await this.#store.set(this.cacheKey, entry.token, entry.token.expiresAt - Date.now());
      return entry;
    } catch (err) {
      throw this.#recordFailure(err);
    } finally {
      if (lock.state === 'acquired') await this.#store.release(lock.lock);
    }
  }

  /**
   * Another process holds the lock: poll the store for its token; meanwhile try the lock again, so that when a
   * holder dies its lock's expiry hands the fetch to one waiter. After `lock.waitMs`, fetch regardless.
   */
  async #waitForHolder(
    fresh: (t: StoredToken | undefined) => t is StoredToken,
  ): Promise<{ token?: StoredToken; lock: LockResult }> {
    const deadline = Date.now() + this.#config.lockWaitMs;
    while (Date.now() < deadline) {
      await this.#sleep(Math.min(this.#config.lockPollMs, Math.max(0, deadline - Date.now())));
      const stored = await this.#store.get(this.cacheKey);
      if (fresh(stored)) return { token: stored, lock: { state: 'unavailable' } };
      const lock = await this.#store.tryLock(this.cacheKey, this.#config.lockTtlMs);
      if (lock.state !== 'busy') return { lock };
    }
    this.#logger.debug(
      { waitedMs: this.#config.lockWaitMs },
      'token lock holder did not store a token in time; fetching',
    );
    return { lock: { state: 'unavailable' } };
  }

  #adopt(token: StoredToken): Entry {
    // A token another process stored: its full lifetime is unknown, so scale the window to what is left.
    const remaining = token.expiresAt - Date.now();
    const entry = { token, refreshAt: token.expiresAt - this.#window(remaining) };
    publishTokenCacheHit(this.#options.clientId, this.cacheKey, 'store');
    this.#local = entry;
    this.#failure = undefined;
    return entry;
  }

  #window(lifetimeMs: number): number {
    return Math.min(this.#config.refreshBeforeExpiryMs, lifetimeMs / 4);
  }

  async #fetch(): Promise<Entry> {
    if (this.#closed) throw new ManagerClosed();
    const request = await this.#tokenRequest();
    const started = Date.now();
    this.#logger.debug(
      { clientId: request.clientId, tokenEndpoint: endpointForLog(request.address) },
      'requesting token',
    );
    const response = await requestClientCredentialsToken(request, this.#http ?? getDefaultHttpClient());
    publishTokenRequest(request.clientId, this.cacheKey, response, started);
    if (!response.isSuccessful) {
      const what = response.error ?? 'unknown error';
      const message =
        response.errorType === 'protocol'
          ? `token request for client "${request.clientId}" was refused: ${what}`
          : `token request for client "${request.clientId}" failed: ${what}`;
      throw new TokenManagementError('token_request_failed', message, {
        cause: response.exception,
        error: response.error,
        errorDescription: response.errorDescription,
        httpStatus: response.httpStatus,
        retryAfter: response.retryAfter,
      });
    }
    const accessToken = response.accessToken as string;
    if (response.expiresIn === 0) {
      throw new TokenManagementError(
        'token_response_invalid',
        'token endpoint issued a token with expires_in 0',
        {
          httpStatus: response.httpStatus,
        },
      );
    }
    const lifetimeMs =
      response.expiresIn === undefined ? this.#config.defaultLifetimeMs : response.expiresIn * 1000;
    // Count the lifetime from when we asked, not when the answer arrived: errs on the safe side.
    const expiresAt = started + lifetimeMs;
    const token: StoredToken = { accessToken, tokenType: response.tokenType ?? 'Bearer', expiresAt };
    if (response.scope !== undefined) token.scope = response.scope;
    this.#logger.debug({ clientId: request.clientId, expiresIn: lifetimeMs / 1000 }, 'token obtained');
    return { token, refreshAt: expiresAt - this.#window(lifetimeMs) };
  }

  async #tokenRequest(): Promise<ClientCredentialsTokenRequest> {
    if (this.#request) return this.#request;
    const issuer = this.#options.issuer as string;
    const endpoint = await resolveTokenEndpoint(
      issuer,
      this.#options.discoveryPolicy,
      this.#http,
      this.#closing.signal,
      this.#mtls,
    );
    this.#request = this.#buildRequest(endpoint);
    return this.#request;
  }

  #buildRequest(address: string): ClientCredentialsTokenRequest {
    const o = this.#options;
    return new ClientCredentialsTokenRequest({
      address,
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      privateKey: o.privateKey,
      clientAuthentication: o.clientAuthentication,
      basicAuthenticationHeaderStyle: o.basicAuthenticationHeaderStyle,
      clientAssertion: o.clientAssertion,
      scope: o.scope,
      resource: o.resource,
      parameters: o.parameters,
      timeoutMs: o.timeoutMs,
      signal: this.#closing.signal,
      dpop: this.dpop,
    });
  }

  #recordFailure(err: unknown): TokenManagementError {
    if (err instanceof ManagerClosed || this.#closed) return closedError(err);
    const error =
      err instanceof TokenManagementError
        ? err
        : new TokenManagementError('token_request_failed', 'token request failed', { cause: err });
    const count = (this.#failure?.count ?? 0) + 1;
    const delay = failureBackoffMs(count, this.#config, error.retryAfter);
    this.#failure = { error, count, until: Date.now() + delay };
    this.#logger.warn(
      {
        code: error.code,
        error: error.error,
        httpStatus: error.httpStatus,
        failures: count,
        backoffMs: Math.round(delay),
      },
      'token request failed',
    );
    return error;
  }

  async #sleep(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.#closing.signal, ref: false });
    } catch {
      throw new ManagerClosed();
    }
  }
}

function closedError(cause: unknown): TokenManagementError {
  if (cause instanceof TokenManagementError && cause.code === 'manager_closed') return cause;
  return new TokenManagementError('manager_closed', 'the token manager was closed', { cause });
}

function endpointForLog(address: string): string {
  const url = new URL(address);
  return `${url.origin}${url.pathname}`;
}
