import type { KeyObject } from 'node:crypto';

/**
 * A public key from a trusted key set, imported once into a `KeyObject`. The same object is kept across
 * refreshes while the provider keeps publishing the same key, so identity comparison tells whether a key
 * is still current.
 */
export interface VerificationKey {
  readonly kid: string | undefined;
  readonly kty: 'RSA' | 'EC' | 'OKP' | 'oct';
  /** The JWK's own `alg`, when it declares one: a token must then use exactly that. */
  readonly alg: string | undefined;
  /** EC / OKP curve (`P-256`, `P-384`, `P-521`, `Ed25519`, `Ed448`). */
  readonly crv: string | undefined;
  readonly use: string | undefined;
  readonly keyOps: readonly string[] | undefined;
  /** RSA modulus length in bits. */
  readonly modulusBits: number | undefined;
  readonly keyObject: KeyObject;
}

/** Where a validator gets keys: a remote key set, or a fixed local one. */
export interface KeySource {
  /**
   * The keys that may have signed a token with this `kid` (all keys when `kid` is undefined).
   * An unknown `kid` causes at most one refetch per cooldown; still unknown → empty array.
   * Rejects with `TokenValidationError('keys_unavailable')` when no key set can be had at all, or when the
   * `kid` is unknown and the last attempt to refresh the set failed (it may exist: 503, not 401).
   */
  getKeys(kid: string | undefined): Promise<readonly VerificationKey[]>;
  /**
   * What `getKeys(kid)` would resolve with, when that is known without waiting (a fresh set that has the
   * `kid`); undefined when `getKeys` must be awaited. Optional: without it every token waits for `getKeys`.
   */
  keysNow?(kid: string | undefined): readonly VerificationKey[] | undefined;
  /** Whether the key is still in the current set (a verified-token cache entry dies with its key). */
  isCurrent(key: VerificationKey): boolean;
  close(): Promise<void>;
}
