import { ConfigurationError } from '../errors.js';

/** RFC 9449 §8.1: `nonce = 1*NQCHAR`, NQCHAR = %x21 / %x23-5B / %x5D-7E (visible ASCII but `"` and `\`). */
const NONCE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** The longest `DPoP-Nonce` believed: real ones are tens of characters; a proof carries it on every call. */
const MAX_DPOP_NONCE_LENGTH = 512;

/** A `DPoP-Nonce` header value when it is one (RFC 9449 §8.1 syntax, at most 512 characters), else undefined. */
export function parseDPoPNonce(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const nonce = value.trim();
  return nonce.length <= MAX_DPOP_NONCE_LENGTH && NONCE.test(nonce) ? nonce : undefined;
}

function originOf(url: string | URL): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * The last `DPoP-Nonce` each server (origin) sent (RFC 9449 §8, §9), for the next proof to it. Bounded: past
 * `maxEntries` origins, the one used longest ago is forgotten (its server then asks again, one round trip).
 */
export class NonceMemory {
  readonly #nonces = new Map<string, string>();
  readonly #max: number;

  constructor(maxEntries = 100) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 100_000) {
      throw new ConfigurationError('dpop.maxNonces: a whole number from 1 to 100000 is required');
    }
    this.#max = maxEntries;
  }

  /** The nonce to put in a proof for `url`, when its origin sent one. */
  get(url: string | URL): string | undefined {
    const origin = originOf(url);
    if (origin === undefined) return undefined;
    const nonce = this.#nonces.get(origin);
    if (nonce !== undefined) {
      // Most recently used last, so eviction takes the stalest origin.
      this.#nonces.delete(origin);
      this.#nonces.set(origin, nonce);
    }
    return nonce;
  }

  /** Keeps `header` (a response's `DPoP-Nonce`) for `url`'s origin; a value that is not a nonce is ignored. */
  remember(url: string | URL, header: unknown): string | undefined {
    const nonce = parseDPoPNonce(header);
    const origin = originOf(url);
    if (nonce === undefined || origin === undefined) return undefined;
    this.#nonces.delete(origin);
    this.#nonces.set(origin, nonce);
    while (this.#nonces.size > this.#max) {
      const oldest = this.#nonces.keys().next().value as string;
      this.#nonces.delete(oldest);
    }
    return nonce;
  }

  /** How many origins have a nonce remembered. */
  get size(): number {
    return this.#nonces.size;
  }
}
