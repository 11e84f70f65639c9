import type { KeyObject } from 'node:crypto';
import {
  AsymmetricSigningAlgorithms,
  ConfigurationError,
  type DPoPAlgorithm,
  type DPoPPublicJwk,
  generateDPoPKey,
} from '@identity-model/core';

/** A JWS algorithm the test issuer signs with: any asymmetric one our validators accept. */
export type TestIssuerAlgorithm = DPoPAlgorithm;

/** One of the issuer's signing keys, as published in its JWKS. */
export interface SigningKey {
  readonly alg: TestIssuerAlgorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: DPoPPublicJwk & { readonly kid: string; readonly alg: string; readonly use: 'sig' };
}

/** Old keys kept published after a rotation without `dropOld`, so the JWKS stays small. */
const MAX_PUBLISHED_KEYS = 32;

/** Throws a `ConfigurationError` unless `algorithms` is a non-empty list of supported algorithms. */
export function checkAlgorithms(algorithms: unknown): readonly TestIssuerAlgorithm[] {
  const supported: readonly string[] = AsymmetricSigningAlgorithms;
  if (
    !Array.isArray(algorithms) ||
    algorithms.length === 0 ||
    !algorithms.every((alg) => typeof alg === 'string' && supported.includes(alg))
  ) {
    throw new ConfigurationError(
      `algorithms: a non-empty list of ${supported.join(', ')} (HS* need a shared secret, not an issuer)`,
    );
  }
  return [...new Set(algorithms as TestIssuerAlgorithm[])];
}

/** The issuer's keys: one current signing key per algorithm, and the published set (current + kept old ones). */
export class SigningKeys {
  readonly algorithms: readonly TestIssuerAlgorithm[];
  #generation = 0;
  #current = new Map<TestIssuerAlgorithm, SigningKey>();
  #published: SigningKey[] = [];

  constructor(algorithms: readonly TestIssuerAlgorithm[]) {
    this.algorithms = algorithms;
    this.rotate(true);
  }

  /** New keys for every algorithm; the old ones stay published (up to a bound) unless `dropOld`. */
  rotate(dropOld: boolean): void {
    this.#generation++;
    // The same key generation DPoP clients use: a key pair and its public members only.
    const fresh = this.algorithms.map((alg): SigningKey => {
      const { privateKey, publicJwk } = generateDPoPKey(alg);
      const kid = `${alg.toLowerCase()}-${this.#generation}`;
      return { alg, kid, privateKey, jwk: Object.freeze({ ...publicJwk, kid, alg, use: 'sig' }) };
    });
    this.#current = new Map(fresh.map((key) => [key.alg, key]));
    this.#published = (dropOld ? fresh : [...fresh, ...this.#published]).slice(0, MAX_PUBLISHED_KEYS);
  }

  /** The current key for `alg` (default: the first configured algorithm). */
  signingKey(alg: TestIssuerAlgorithm | undefined): SigningKey {
    const key = this.#current.get(alg ?? this.algorithms[0]!);
    if (key === undefined) {
      throw new ConfigurationError(
        `alg: ${String(alg)} is not one of this issuer's algorithms (${this.algorithms.join(', ')}); ` +
          'list it in createTestIssuer({ algorithms })',
      );
    }
    return key;
  }

  /** The JWK Set document. */
  jwks(): { keys: SigningKey['jwk'][] } {
    return { keys: this.#published.map((key) => key.jwk) };
  }
}
