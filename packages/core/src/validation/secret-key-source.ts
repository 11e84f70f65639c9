import { createSecretKey, KeyObject } from 'node:crypto';
import type { KeySource, VerificationKey } from '../jwks/verification-key.js';

/** The one shared secret for HS256/384/512, as a key source. */
export class SecretKeySource implements KeySource {
  readonly #keys: readonly VerificationKey[];

  constructor(secret: string | Uint8Array | KeyObject) {
    const keyObject =
      secret instanceof KeyObject
        ? secret
        : createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
    const key: VerificationKey = {
      kid: undefined,
      kty: 'oct',
      alg: undefined,
      crv: undefined,
      use: undefined,
      keyOps: undefined,
      modulusBits: undefined,
      keyObject,
    };
    this.#keys = Object.freeze([Object.freeze(key)]);
  }

  /** The secret whatever the `kid`: there is only one. */
  async getKeys(): Promise<readonly VerificationKey[]> {
    return this.#keys;
  }

  keysNow(): readonly VerificationKey[] {
    return this.#keys;
  }

  isCurrent(): boolean {
    return true;
  }

  async close(): Promise<void> {}
}
