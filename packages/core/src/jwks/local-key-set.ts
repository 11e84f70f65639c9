import { ConfigurationError } from '../errors.js';
import { checkKeySet } from './check-jwk.js';
import { importJwk, isVerificationJwk } from './import-jwk.js';
import { EMPTY_KEYS, KeyIndex, NO_KEYS } from './key-index.js';
import type { KeySource, VerificationKey } from './verification-key.js';

export interface LocalKeySetOptions {
  /** Accept `oct` (shared secret) keys. Default false. */
  allowSymmetric?: boolean;
}

/**
 * A fixed JWK Set given in configuration (public keys). Checked and imported once, when built: any key
 * that is not usable is a `ConfigurationError`, not a silent omission.
 */
export class LocalKeySet implements KeySource {
  readonly #index: KeyIndex;

  constructor(jwks: { readonly keys: readonly object[] }, options: LocalKeySetOptions = {}) {
    const checked = checkKeySet(jwks, options);
    if (!checked.ok) throw new ConfigurationError(`keys: ${checked.error}`);
    if (checked.rejected.length > 0) {
      const reasons = checked.rejected.map((r) => `keys[${r.index}]: ${r.reason}`).join('; ');
      throw new ConfigurationError(`keys has unusable keys: ${reasons}`);
    }
    const keys = checked.keys.filter(isVerificationJwk).map((jwk) => importJwk(jwk, options));
    if (keys.length === 0) throw new ConfigurationError('keys has no key that can verify signatures');
    this.#index = KeyIndex.of(keys);
  }

  get keys(): readonly VerificationKey[] {
    return this.#index.keys;
  }

  getKeys(kid: string | undefined): Promise<readonly VerificationKey[]> {
    return this.#index.lookup(kid) ?? EMPTY_KEYS;
  }

  keysNow(kid: string | undefined): readonly VerificationKey[] {
    return this.#index.lookupNow(kid) ?? NO_KEYS;
  }

  isCurrent(key: VerificationKey): boolean {
    return this.#index.has(key);
  }

  async close(): Promise<void> {}
}
