import { DiscoveryCache } from '../discovery/discovery-cache.js';
import { DiscoveryDocumentResponse } from '../discovery/discovery-document-response.js';
import type { DiscoveryPolicyOptions } from '../discovery/discovery-policy.js';
import { TokenValidationError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import { RemoteKeySet, type RemoteKeySetOptions } from '../jwks/remote-key-set.js';
import type { KeySource, VerificationKey } from '../jwks/verification-key.js';
import type { Logger } from '../logger.js';
import { trailingSlashMessage, trailingSlashVariant } from './issuer-form.js';

export interface DiscoveryKeySourceOptions {
  httpClient?: HttpClient | undefined;
  logger: Logger;
  policy?: DiscoveryPolicyOptions | undefined;
  keySet?: Omit<RemoteKeySetOptions, 'httpClient' | 'logger'> | undefined;
  /** See `DiscoveryCacheOptions.failureBackoffMs`. */
  failureBackoffMs?: number | undefined;
  /** How often the discovery document is re-read to notice a moved `jwks_uri`. Default 1 h. */
  recheckMs?: number;
  /**
   * The issuer the document must declare, character for character (OpenID Connect Discovery 1.0 §4.3):
   * set when the address is a token's `iss`, so a URL that discovery would rewrite cannot borrow another
   * issuer's keys.
   */
  issuer?: string | undefined;
}

/**
 * Whether a key failure is a discovery document refused by policy: a configuration problem the discovery
 * cache already logged once at error level, which a warning per request would only bury.
 */
export function isPolicyRefusal(error: TokenValidationError): boolean {
  return error.cause instanceof DiscoveryDocumentResponse && error.cause.errorType === 'policy';
}

/**
 * The discovery policy token validation applies on top of the user's: only `jwks_uri`, the one endpoint
 * validation uses, is checked, and the `jwks_uri` the issuer's own document names is trusted on any host
 * (Google's keys live on www.googleapis.com) unless the user sets `validateEndpoints: true`.
 */
export function validationPolicy(policy: DiscoveryPolicyOptions | undefined): DiscoveryPolicyOptions {
  return {
    ...policy,
    usedEndpoints: policy?.usedEndpoints ?? ['jwks_uri'],
    validateEndpoints: policy?.validateEndpoints ?? false,
  };
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
  #mismatchLogged = false;
  #closed = false;

  constructor(address: string, options: DiscoveryKeySourceOptions) {
    this.#options = options;
    this.discovery = new DiscoveryCache(address, {
      httpClient: options.httpClient,
      logger: options.logger,
      policy: validationPolicy(options.policy),
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

  keysNow(kid: string | undefined): readonly VerificationKey[] | undefined {
    const keySet = this.#keySet;
    // A recheck that is due goes through getKeys, which starts it.
    if (keySet === undefined || Date.now() - this.#checkedAt > (this.#options.recheckMs ?? 3_600_000))
      return undefined;
    return keySet.keysNow(kid);
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
        // A policy refusal (errorType 'policy': issuer mismatch, http, strict endpoints, missing metadata)
        // is a configuration problem, already logged once at error level with the option to set. It still
        // answers keys_unavailable (503), never a 401: the keys cannot be had, so a genuine token cannot be
        // told from a forged one, and a client must not be told its good token is bad.
        throw new TokenValidationError(
          'keys_unavailable',
          `discovery failed: ${doc.error ?? 'no jwks_uri'}`,
          {
            cause: doc.cause ?? doc,
            retryAfter: doc.retryAfter ?? 5,
          },
        );
      }
      const mismatch = this.#issuerMismatch(doc.issuer);
      if (mismatch !== undefined) {
        // Does not heal by retrying: said once, at error level, with the fix when there is one.
        if (!this.#mismatchLogged) this.#options.logger.error({ issuer: this.#options.issuer }, mismatch);
        this.#mismatchLogged = true;
        // A policy refusal like any other, so the validator and the bearer layer do not warn per request.
        const refusal = new DiscoveryDocumentResponse({
          raw: doc.raw,
          httpStatus: doc.httpStatus,
          error: mismatch,
          errorType: 'policy',
        });
        throw new TokenValidationError('keys_unavailable', mismatch, { cause: refusal, retryAfter: 5 });
      }
      return this.#use(doc.jwksUri);
    } finally {
      this.#pending = undefined;
    }
  }

  /** Why the document's issuer is not exactly the expected one (undefined when it is, or none is expected). */
  #issuerMismatch(actual: string | undefined): string | undefined {
    const expected = this.#options.issuer;
    if (expected === undefined || actual === expected) return undefined;
    const variant = actual === undefined ? undefined : trailingSlashVariant(expected, actual);
    if (variant !== undefined) return trailingSlashMessage("the discovery document's issuer", variant);
    return "the discovery document's issuer is not the token's issuer";
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
      if (this.#closed || !doc.isSuccessful || doc.jwksUri === undefined) return;
      if (this.#issuerMismatch(doc.issuer) === undefined) this.#use(doc.jwksUri);
    });
  }
}
