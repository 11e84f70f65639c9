import { DiscoveryCache } from '../discovery/discovery-cache.js';
import type { DiscoveryDocumentResponse } from '../discovery/discovery-document-response.js';
import type { DiscoveryPolicyOptions } from '../discovery/discovery-policy.js';
import { TokenValidationError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import { RemoteKeySet, type RemoteKeySetOptions } from '../jwks/remote-key-set.js';
import type { KeySource, VerificationKey } from '../jwks/verification-key.js';
import type { Logger } from '../logger.js';

export interface DiscoveryKeySourceOptions {
  httpClient?: HttpClient | undefined;
  logger: Logger;
  policy?: DiscoveryPolicyOptions | undefined;
  keySet?: Omit<RemoteKeySetOptions, 'httpClient' | 'logger'> | undefined;
  /** See `DiscoveryCacheOptions.failureBackoffMs`. */
  failureBackoffMs?: number | undefined;
  /** How often the discovery document is re-read to notice a moved `jwks_uri`. Default 1 h. */
  recheckMs?: number;
}

/**
 * The keys of one issuer, found through its discovery document: `jwks_uri` is read once (then re-read in
 * the background every `recheckMs`, switching key sets if it moved), and the key set does the rest.
 */
export class DiscoveryKeySource implements KeySource {
  readonly discovery: DiscoveryCache;
  readonly #options: DiscoveryKeySourceOptions;
  #keySet: RemoteKeySet | undefined;
  #checkedAt = 0;
  #pending: Promise<RemoteKeySet> | undefined;
  #closed = false;

  constructor(address: string, options: DiscoveryKeySourceOptions) {
    this.#options = options;
    this.discovery = new DiscoveryCache(address, {
      httpClient: options.httpClient,
      logger: options.logger,
      ...(options.policy === undefined ? {} : { policy: options.policy }),
      ...(options.failureBackoffMs === undefined ? {} : { failureBackoffMs: options.failureBackoffMs }),
    });
  }

  /** The discovery document (cached; never rejects). */
  document(): Promise<DiscoveryDocumentResponse> {
    return this.discovery.get();
  }

  getKeys(kid: string | undefined): Promise<readonly VerificationKey[]> {
    const keySet = this.#keySet;
    if (keySet !== undefined) {
      if (Date.now() - this.#checkedAt > (this.#options.recheckMs ?? 3_600_000)) this.#recheck();
      return keySet.getKeys(kid);
    }
    this.#pending ??= this.#load();
    return this.#pending.then((k) => k.getKeys(kid));
  }

  isCurrent(key: VerificationKey): boolean {
    return this.#keySet?.isCurrent(key) ?? false;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([this.#keySet?.close(), this.discovery.close()]);
    this.#keySet = undefined;
  }

  async #load(): Promise<RemoteKeySet> {
    try {
      const doc = await this.discovery.get();
      if (this.#closed) throw new TokenValidationError('keys_unavailable', 'the validator is closed');
      if (!doc.isSuccessful || doc.jwksUri === undefined) {
        throw new TokenValidationError(
          'keys_unavailable',
          `discovery failed: ${doc.error ?? 'no jwks_uri'}`,
          {
            cause: doc.cause ?? doc,
            retryAfter: doc.retryAfter ?? 5,
          },
        );
      }
      return this.#use(doc.jwksUri);
    } finally {
      this.#pending = undefined;
    }
  }

  #use(jwksUri: string): RemoteKeySet {
    this.#checkedAt = Date.now();
    if (this.#keySet?.jwksUri === new URL(jwksUri).href) return this.#keySet;
    const previous = this.#keySet;
    this.#keySet = new RemoteKeySet(jwksUri, {
      ...this.#options.keySet,
      httpClient: this.#options.httpClient,
      logger: this.#options.logger,
    });
    if (previous !== undefined) {
      this.#options.logger.info({ jwksUri }, 'jwks_uri changed in discovery: switching key sets');
      void previous.close();
    }
    return this.#keySet;
  }

  #recheck(): void {
    this.#checkedAt = Date.now();
    void this.discovery.get().then((doc) => {
      if (!this.#closed && doc.isSuccessful && doc.jwksUri !== undefined) this.#use(doc.jwksUri);
    });
  }
}
