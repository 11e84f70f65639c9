import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConfigurationError } from '../errors.js';

/** Options of the RFC 9449 §9 server nonces. */
export interface DPoPNonceOptions {
  /**
   * The HMAC key nonces are made with: replicas given the same secret accept each other's nonces. At least
   * 32 bytes (a string is read as UTF-8). Default: random, per authenticator (one process).
   */
  secret?: string | Uint8Array;
  /** Seconds one nonce stays current; the previous one is still accepted. Default 300, at least 10. */
  rotateEvery?: number;
}

/** Seconds one server nonce stays current unless told otherwise. */
export const DEFAULT_NONCE_ROTATION_SECONDS = 300;
const MIN_SECRET_BYTES = 32;
/** 6 bytes of time slot + 16 bytes of MAC, base64url: 30 characters. Anything longer is refused unread. */
const SLOT_BYTES = 6;
const MAC_BYTES = 16;
const NONCE_LENGTH = Math.ceil(((SLOT_BYTES + MAC_BYTES) * 4) / 3);

/**
 * Stateless server nonces (RFC 9449 §9): a nonce is the current time slot and an HMAC of it, so checking
 * one needs no storage and every replica sharing the `secret` accepts it. The nonce of the current slot and
 * of the one before are accepted: a nonce lives between `rotateEvery` and twice that.
 */
export class DPoPNonceSource {
  readonly #secret: Buffer;
  readonly #rotateMs: number;
  readonly #now: () => number;
  #slot = -1;
  #current = '';

  /** `now`: milliseconds since the epoch, `Date.now` by default (injectable for tests). */
  constructor(options: DPoPNonceOptions = {}, now: () => number = Date.now) {
    const { secret, rotateEvery = DEFAULT_NONCE_ROTATION_SECONDS } = options;
    if (!Number.isFinite(rotateEvery) || rotateEvery < 10 || rotateEvery > 86_400) {
      throw new ConfigurationError('dpop.nonce.rotateEvery: a number of seconds between 10 and 86400');
    }
    if (secret === undefined) this.#secret = randomBytes(32);
    else {
      if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) {
        throw new ConfigurationError('dpop.nonce.secret: a string or bytes shared by every replica');
      }
      this.#secret = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
      if (this.#secret.length < MIN_SECRET_BYTES) {
        throw new ConfigurationError(`dpop.nonce.secret: at least ${MIN_SECRET_BYTES} bytes (random)`);
      }
    }
    this.#rotateMs = rotateEvery * 1000;
    this.#now = now;
  }

  /** The nonce to send now in `DPoP-Nonce`. */
  current(): string {
    const slot = Math.floor(this.#now() / this.#rotateMs);
    if (slot !== this.#slot) {
      this.#slot = slot;
      this.#current = this.#make(slot);
    }
    return this.#current;
  }

  /** Whether `nonce` is the current or the previous slot's nonce made with this secret. */
  accepts(nonce: unknown): boolean {
    if (typeof nonce !== 'string' || nonce.length !== NONCE_LENGTH) return false;
    const bytes = Buffer.from(nonce, 'base64url');
    if (bytes.length !== SLOT_BYTES + MAC_BYTES || bytes.toString('base64url') !== nonce) return false;
    const slot = bytes.readUIntBE(0, SLOT_BYTES);
    const now = Math.floor(this.#now() / this.#rotateMs);
    if (slot !== now && slot !== now - 1) return false;
    return timingSafeEqual(bytes.subarray(SLOT_BYTES), this.#mac(slot));
  }

  #mac(slot: number): Buffer {
    const data = Buffer.alloc(SLOT_BYTES);
    data.writeUIntBE(slot, 0, SLOT_BYTES);
    return createHmac('sha256', this.#secret)
      .update('dpop-nonce:')
      .update(data)
      .digest()
      .subarray(0, MAC_BYTES);
  }

  #make(slot: number): string {
    const data = Buffer.alloc(SLOT_BYTES);
    data.writeUIntBE(slot, 0, SLOT_BYTES);
    return Buffer.concat([data, this.#mac(slot)]).toString('base64url');
  }
}
