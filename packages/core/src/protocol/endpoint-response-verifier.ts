import { ConfigurationError, TokenValidationError } from '../errors.js';
import { getDefaultHttpClient } from '../http/default-client.js';
import type { HttpClient } from '../http/types.js';
import type { JWK } from '../jwks/json-web-key.js';
import { EMPTY_KEYS } from '../jwks/key-index.js';
import { LocalKeySet } from '../jwks/local-key-set.js';
import { RemoteKeySet } from '../jwks/remote-key-set.js';
import type { KeySource } from '../jwks/verification-key.js';
import type { EndpointLocator } from './endpoint-address.js';
import {
  type SignedResponseOptions,
  SignedResponseVerifier,
  type VerifiedSignedResponse,
} from './signed-response.js';

/** What a request that can ask for a signed response takes to verify it. */
export interface SignedResponseRequestOptions {
  /**
   * The issuer the signed response must name in `iss`. Default with `authority`: the discovery document's
   * `issuer`. Required with `address`.
   */
  issuer?: string;
  /** The provider's JWK Set URL. Default with `authority`: the discovery document's `jwks_uri`. */
  jwksUri?: string | URL;
  /** Or a fixed JWK Set (public keys). */
  keys?: { keys: readonly JWK[] };
  /** Or any other source of trusted keys (not closed by the request). */
  keySource?: KeySource;
  /** Allowed `alg` values. Default: RS/PS/ES 256-512 and EdDSA. */
  algorithms?: readonly string[];
  /** Seconds of clock skew tolerated for `iat`/`exp`/`nbf`. Default 5. */
  clockTolerance?: number;
}

/** The rules of the endpoint: everything of `SignedResponseOptions` but where the keys and issuer come from. */
export type EndpointResponseRules = Omit<
  SignedResponseOptions,
  'issuer' | 'keySource' | 'algorithms' | 'clockTolerance'
>;

/** Remote key sets kept per HTTP client (least recently used out); a provider has one `jwks_uri`. */
const MAX_KEY_SETS = 16;
const keySets = new WeakMap<HttpClient, Map<string, RemoteKeySet>>();

/**
 * The `RemoteKeySet` for `jwksUri` over `httpClient`, shared by every request object of the process so that
 * keys are fetched once per TTL, not once per request. An evicted set is not closed: a verification in flight
 * may still hold it, and its only timer is unref()ed.
 */
export function sharedRemoteKeySet(httpClient: HttpClient, jwksUri: string): RemoteKeySet {
  let sets = keySets.get(httpClient);
  if (sets === undefined) {
    sets = new Map();
    keySets.set(httpClient, sets);
  }
  const known = sets.get(jwksUri);
  if (known !== undefined) {
    sets.delete(jwksUri);
    sets.set(jwksUri, known);
    return known;
  }
  const created = new RemoteKeySet(jwksUri, { httpClient });
  if (sets.size >= MAX_KEY_SETS) sets.delete(sets.keys().next().value!);
  sets.set(jwksUri, created);
  return created;
}

function jwksUrl(value: string | URL): string {
  const url = URL.canParse(String(value)) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigurationError('jwksUri: must be an absolute http(s) URL');
  }
  return url.href;
}

/** Stands in for the key source when options are checked at construction; never asked for keys. */
const NO_KEYS: KeySource = { getKeys: () => EMPTY_KEYS, isCurrent: () => false, close: async () => {} };

/**
 * Verifies the signed responses of one request object: the issuer and keys come from the options, or from the
 * discovery document the request's locator already read (no second fetch). Options are checked at
 * construction; a verifier per key source is built once and reused.
 */
export class EndpointResponseVerifier {
  readonly #locator: EndpointLocator;
  readonly #options: SignedResponseRequestOptions;
  readonly #rules: EndpointResponseRules;
  readonly #jwksUri: string | undefined;
  readonly #fixed: KeySource | undefined;
  readonly #verifiers = new WeakMap<KeySource, SignedResponseVerifier>();

  constructor(
    options: SignedResponseRequestOptions,
    rules: EndpointResponseRules,
    locator: EndpointLocator,
    what: string,
  ) {
    this.#locator = locator;
    this.#options = options;
    this.#rules = rules;
    const given = (['jwksUri', 'keys', 'keySource'] as const).filter((k) => options[k] !== undefined);
    if (given.length > 1) throw new ConfigurationError(`give one key source, not ${given.join(' and ')}`);
    if (locator.address !== undefined) {
      if (options.issuer === undefined) {
        throw new ConfigurationError(
          `issuer: required to verify a signed ${what} response when address is given (or give authority)`,
        );
      }
      if (given.length === 0) {
        throw new ConfigurationError(
          `jwksUri, keys or keySource: required to verify a signed ${what} response when address is given`,
        );
      }
    }
    if (options.jwksUri !== undefined) this.#jwksUri = jwksUrl(options.jwksUri);
    if (options.keys !== undefined) this.#fixed = new LocalKeySet(options.keys);
    if (options.keySource !== undefined) this.#fixed = options.keySource;
    // Every other option is checked now, far from the first signed response.
    this.#build(options.issuer ?? locator.authority ?? '', this.#fixed ?? NO_KEYS);
  }

  /** Verifies `jwt` (rejects with `TokenValidationError`). `resolve` of the locator has run, or runs here. */
  async verify(jwt: string, httpClient: HttpClient | undefined): Promise<VerifiedSignedResponse> {
    const client = httpClient ?? getDefaultHttpClient();
    const keySource = this.#fixed ?? (await this.#discoveredKeys(client));
    let verifier = this.#verifiers.get(keySource);
    if (verifier === undefined) {
      verifier = this.#build(this.#issuer(), keySource);
      this.#verifiers.set(keySource, verifier);
    }
    return verifier.verify(jwt);
  }

  #issuer(): string {
    const issuer = this.#options.issuer ?? this.#locator.document?.issuer;
    if (issuer === undefined) {
      throw new TokenValidationError('issuer_invalid', 'no issuer to check the signed response against');
    }
    return issuer;
  }

  async #discoveredKeys(client: HttpClient): Promise<KeySource> {
    if (this.#jwksUri !== undefined) return sharedRemoteKeySet(client, this.#jwksUri);
    await this.#locator.resolve(client);
    const jwksUri = this.#locator.document?.jwksUri;
    if (jwksUri === undefined) {
      throw new TokenValidationError(
        'keys_unavailable',
        'the discovery document names no jwks_uri to verify the signed response with',
      );
    }
    try {
      return sharedRemoteKeySet(client, jwksUri);
    } catch (cause) {
      throw new TokenValidationError('keys_unavailable', "the discovery document's jwks_uri is not usable", {
        cause,
      });
    }
  }

  #build(issuer: string, keySource: KeySource): SignedResponseVerifier {
    const { algorithms, clockTolerance } = this.#options;
    return new SignedResponseVerifier({
      ...this.#rules,
      issuer,
      keySource,
      ...(algorithms === undefined ? {} : { algorithms }),
      ...(clockTolerance === undefined ? {} : { clockTolerance }),
    });
  }
}
