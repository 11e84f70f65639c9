import type { Logger } from '../logger.js';
import { importCheckedJwk, isVerificationJwk, jwkFingerprint } from './import-jwk.js';
import type { JsonWebKey } from './json-web-key.js';
import type { VerificationKey } from './verification-key.js';

export const NO_KEYS: readonly VerificationKey[] = Object.freeze([]);
export const EMPTY_KEYS: Promise<readonly VerificationKey[]> = Promise.resolve(NO_KEYS);

/**
 * One generation of verification keys, indexed for the per-request path: `lookup` returns a promise
 * created here, once, so answering a known `kid` allocates nothing.
 */
export class KeyIndex {
  readonly keys: readonly VerificationKey[];
  readonly all: Promise<readonly VerificationKey[]>;
  readonly #byKid: Map<string, Promise<readonly VerificationKey[]>>;
  readonly #byKidNow: Map<string, readonly VerificationKey[]>;
  readonly #members: Set<VerificationKey>;
  readonly #byFingerprint: Map<string, VerificationKey>;

  private constructor(entries: [string, VerificationKey][]) {
    this.#byFingerprint = new Map(entries);
    this.keys = Object.freeze(entries.map(([, key]) => key));
    this.all = Promise.resolve(this.keys);
    this.#members = new Set(this.keys);
    const grouped = new Map<string, VerificationKey[]>();
    for (const key of this.keys) {
      if (key.kid === undefined) continue;
      const list = grouped.get(key.kid) ?? [];
      list.push(key);
      grouped.set(key.kid, list);
    }
    this.#byKidNow = new Map([...grouped].map(([kid, list]) => [kid, Object.freeze(list)]));
    this.#byKid = new Map([...this.#byKidNow].map(([kid, list]) => [kid, Promise.resolve(list)]));
  }

  /**
   * Imports the verification keys of a checked set. A key whose JWK is unchanged since `previous` keeps
   * its `VerificationKey` object (no re-import; identity stays meaningful for `isCurrent`). Keys that
   * cannot verify (`use: enc`, key agreement curves) are skipped; keys Node refuses are logged and skipped.
   */
  static build(
    jwks: readonly JsonWebKey[],
    previous: KeyIndex | undefined,
    logger: Logger,
    source: string,
  ): KeyIndex {
    const entries: [string, VerificationKey][] = [];
    for (const jwk of jwks) {
      if (!isVerificationJwk(jwk)) continue;
      const fingerprint = jwkFingerprint(jwk);
      const kept = previous?.reusable(fingerprint);
      if (kept !== undefined) {
        entries.push([fingerprint, kept]);
        continue;
      }
      try {
        entries.push([fingerprint, importCheckedJwk(jwk)]);
      } catch (error) {
        logger.warn({ jwksUri: source, kid: jwk.kid, err: error }, 'JWK could not be imported; key ignored');
      }
    }
    return new KeyIndex(entries);
  }

  /** An index of keys imported elsewhere (a local set). */
  static of(keys: readonly VerificationKey[]): KeyIndex {
    return new KeyIndex(keys.map((key, i) => [String(i), key]));
  }

  /** Keys for a `kid` (keys without a `kid` never match a token that names one); all keys for undefined. */
  lookup(kid: string | undefined): Promise<readonly VerificationKey[]> | undefined {
    return kid === undefined ? this.all : this.#byKid.get(kid);
  }

  /** `lookup` without the promise, for a caller that need not wait. */
  lookupNow(kid: string | undefined): readonly VerificationKey[] | undefined {
    return kid === undefined ? this.keys : this.#byKidNow.get(kid);
  }

  reusable(fingerprint: string): VerificationKey | undefined {
    return this.#byFingerprint.get(fingerprint);
  }

  has(key: VerificationKey): boolean {
    return this.#members.has(key);
  }
}
