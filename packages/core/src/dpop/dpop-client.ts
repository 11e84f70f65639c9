import { KeyObject } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import { computeAth } from './compute-ath.js';
import { checkDPoPAlgorithm, type DPoPKey, generateDPoPKey, publicJwkOf } from './dpop-key.js';
import { createDPoPProof } from './dpop-proof.js';
import { jwkThumbprint } from './jwk-thumbprint.js';
import { NonceMemory } from './nonce-memory.js';

/** How a `DPoPClient` is built: the key it signs with and how many servers' nonces it keeps. */
export interface DPoPClientOptions {
  /** The key proofs are signed with. Default: a fresh ES256 key (`generateDPoPKey()`), private to this client. */
  key?: DPoPKey;
  /** How many servers' (origins') last `DPoP-Nonce` are remembered (default 100). */
  maxNonces?: number;
}

/**
 * One DPoP key in use (RFC 9449): signs a fresh proof for each request (new `jti`, `iat` now) with the nonce
 * the target's origin last sent, and remembers the nonces servers send. What the token manager, the
 * authenticated fetch and the interceptor share, so that the token and every call are bound to one key.
 */
export class DPoPClient {
  /** The key pair proofs are signed with. */
  readonly key: DPoPKey;
  /** RFC 7638 thumbprint of the public key: the `cnf.jkt` a token bound to this key carries. */
  readonly thumbprint: string;
  readonly #nonces: NonceMemory;

  constructor(options: DPoPClientOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError('dpop: true or an object { key?: DPoPKey } is required');
    }
    const key = options.key ?? generateDPoPKey();
    if (typeof key !== 'object' || key === null || !(key.privateKey instanceof KeyObject)) {
      throw new ConfigurationError('dpop.key: a DPoP key pair from generateDPoPKey() is required');
    }
    if (key.privateKey.type !== 'private') {
      throw new ConfigurationError('dpop.key.privateKey: must be a private key');
    }
    checkDPoPAlgorithm(key.alg);
    this.key = key;
    // From the private key itself: the thumbprint always names the key that signs.
    this.thumbprint = jwkThumbprint(publicJwkOf(key.privateKey));
    this.#nonces = new NonceMemory(options.maxNonces);
  }

  /**
   * A proof for one request: `htm` = `method`, `htu` = `url` without query and fragment, `ath` when an
   * access token goes with it, and `nonce` when given or when `url`'s origin sent one before.
   */
  proof(method: string, url: string | URL, accessToken?: string, nonce?: string): Promise<string> {
    return createDPoPProof({
      key: this.key,
      htm: method.toUpperCase(),
      htu: url,
      ath: accessToken === undefined ? undefined : computeAth(accessToken),
      nonce: nonce ?? this.#nonces.get(url),
    });
  }

  /** Remembers a response's `DPoP-Nonce` for `url`'s origin; returns it when it is a valid nonce. */
  rememberNonce(url: string | URL, header: unknown): string | undefined {
    return this.#nonces.remember(url, header);
  }

  /** The nonce `url`'s origin sent last, if any. */
  nonceFor(url: string | URL): string | undefined {
    return this.#nonces.get(url);
  }
}

/** The manager's `dpop` option as a client: `true` makes a key of its own; undefined/false means no DPoP. */
export function dpopClientFor(
  option: DPoPClient | DPoPClientOptions | boolean | undefined,
): DPoPClient | undefined {
  if (option === undefined || option === false) return undefined;
  if (option instanceof DPoPClient) return option;
  return new DPoPClient(option === true ? {} : option);
}
