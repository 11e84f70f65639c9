import { createHash, randomBytes } from 'node:crypto';
import {
  type CacheLock,
  type CacheStore,
  ConfigurationError,
  type Logger,
  type StoredToken,
  silentLogger,
} from '@identity-model/core';
import type { Cluster, Redis } from 'ioredis';
import { BoundedCommands } from './bounded-commands.js';
import { decodeText, decodeToken, encodeText, encodeToken } from './codec.js';
import { parseEncryptionKey } from './encryption.js';
import { CacheStoreError } from './errors.js';

export interface RedisCacheStoreOptions {
  /** Prepended to every key name, e.g. `'orders-api:tokens:'`. Default `'identity-model:'`. */
  prefix?: string;
  /**
   * Seals stored values with AES-256-GCM so a dump of Redis does not hand out bearer tokens: 32 bytes as a
   * Buffer, 64 hex characters or base64. Every replica sharing the store needs the same key.
   */
  encryptionKey?: Buffer | Uint8Array | string;
  /**
   * Upper bound (ms) on each Redis operation; past it the operation rejects and the token manager carries
   * on without the store. Default 500.
   */
  commandTimeoutMs?: number;
  /** Warns once when Redis becomes unreachable and says when it is back. */
  logger?: Logger;
  /**
   * Largest value `setValue` shares and `getValue` accepts, in bytes of its text (default 1 MiB): a bigger
   * one is not written, and one found in Redis is a miss, so whoever can write to Redis cannot make every
   * replica hold a huge string.
   */
  maxValueBytes?: number;
}

// A value's TTL is clamped to this (a year): Redis refuses an expiry it cannot represent.
const MAX_VALUE_TTL_MS = 365 * 24 * 3600 * 1000;

// Deletes the lock only if it still holds our owner id: a holder whose lock expired and was taken over
// must not release the new holder's lock.
const RELEASE_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RELEASE_SHA = createHash('sha1').update(RELEASE_SCRIPT).digest('hex');

/**
 * A `CacheStore` on Redis (single node, Sentinel or Cluster through an `ioredis` client) so every replica of
 * a service shares one client-credentials token, and its lock lets one replica fetch while the others wait.
 *
 * Key names are `<prefix>{<sha256 of the cache key>}:token`, `...:lock` and `...:value` (`setValue`, e.g.
 * introspection results): nothing secret appears in them,
 * and the `{…}` hash tag keeps both in one Cluster slot. The store does not own the client: `close()` stops
 * using it; quit the client yourself.
 */
export class RedisCacheStore implements CacheStore {
  readonly #client: Redis | Cluster;
  readonly #prefix: string;
  readonly #key: Buffer | undefined;
  readonly #commands: BoundedCommands<CacheStoreError>;
  readonly #maxValueBytes: number;

  constructor(client: Redis | Cluster, options: RedisCacheStoreOptions = {}) {
    if (!client || typeof (client as Partial<Redis>).set !== 'function') {
      throw new ConfigurationError(
        'RedisCacheStore needs an ioredis client (new Redis(...) or new Cluster(...))',
      );
    }
    const prefix = options.prefix ?? 'identity-model:';
    if (typeof prefix !== 'string') throw new ConfigurationError('RedisCacheStore prefix must be a string');
    if (/[{}]/.test(prefix)) {
      throw new ConfigurationError(
        'RedisCacheStore prefix must not contain { or } (they would change the hash tag)',
      );
    }
    const timeoutMs = options.commandTimeoutMs ?? 500;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new ConfigurationError(
        'RedisCacheStore commandTimeoutMs must be a positive number of milliseconds',
      );
    }
    const maxValueBytes = options.maxValueBytes ?? 1024 * 1024;
    if (!Number.isSafeInteger(maxValueBytes) || maxValueBytes < 1) {
      throw new ConfigurationError(
        'RedisCacheStore maxValueBytes must be a positive integer number of bytes',
      );
    }
    this.#maxValueBytes = maxValueBytes;
    this.#client = client;
    this.#prefix = prefix;
    this.#key = options.encryptionKey === undefined ? undefined : parseEncryptionKey(options.encryptionKey);
    this.#commands = new BoundedCommands(client, {
      timeoutMs,
      logger: options.logger ?? silentLogger,
      name: 'cache store',
      errorType: CacheStoreError,
      error: (failure, message, cause) => new CacheStoreError(`cache_store_${failure}`, message, { cause }),
      downMessage: 'Redis cache store unavailable; tokens are cached per process until it is back',
      upMessage: 'Redis cache store is reachable again; tokens are shared again',
    });
  }

  /** The Redis key names used for a cache key (for operators and tests; they contain no secret). */
  keyNames(key: string): { token: string; lock: string; value: string } {
    const tag = createHash('sha256').update(key).digest('base64url');
    const base = `${this.#prefix}{${tag}}`;
    return { token: `${base}:token`, lock: `${base}:lock`, value: `${base}:value` };
  }

  async get(key: string): Promise<StoredToken | undefined> {
    const name = this.keyNames(key).token;
    const raw = await this.#commands.run('get', () => this.#client.get(name));
    if (raw === null) return undefined;
    const token = decodeToken(raw, name, this.#key);
    // Redis expiry has millisecond precision but the clocks of the writer and of Redis may differ.
    if (!token || token.expiresAt <= Date.now()) return undefined;
    return token;
  }

  async set(key: string, value: StoredToken, ttlMs: number): Promise<void> {
    const name = this.keyNames(key).token;
    const ttl = Math.floor(Math.min(ttlMs, value.expiresAt - Date.now()));
    if (!(ttl > 0)) return; // already expired, or a NaN: nothing worth sharing
    const encoded = encodeToken(value, name, this.#key);
    await this.#commands.run('set', () => this.#client.set(name, encoded, 'PX', ttl));
  }

  async delete(key: string): Promise<void> {
    const name = this.keyNames(key).token;
    await this.#commands.run('delete', () => this.#client.del(name));
  }

  /** The value stored by `setValue` under `key` (decrypted and checked), or undefined. */
  async getValue(key: string): Promise<string | undefined> {
    const name = this.keyNames(key).value;
    const raw = await this.#commands.run('getValue', () => this.#client.get(name));
    // Sealing adds under 40 bytes and base64 a third: anything longer than that was not written by us.
    if (raw === null || raw.length > Math.ceil(this.#maxValueBytes * 1.34) + 64) return undefined;
    const value = decodeText(raw, name, this.#key);
    if (value === undefined || Buffer.byteLength(value) > this.#maxValueBytes) return undefined;
    return value;
  }

  /** Keeps `value` (sealed when the store has an encryptionKey) for at most `ttlMs`; ttl <= 0 removes it. */
  async setValue(key: string, value: string, ttlMs: number): Promise<void> {
    const name = this.keyNames(key).value;
    const ttl = Math.floor(Math.min(ttlMs, MAX_VALUE_TTL_MS));
    const text = String(value);
    if (!(ttl > 0) || Buffer.byteLength(text) > this.#maxValueBytes) {
      // Kept "at most ttlMs": an older value must not outlive a request to keep this one for no time.
      await this.#commands.run('setValue', () => this.#client.del(name));
      return;
    }
    const encoded = encodeText(text, name, this.#key);
    await this.#commands.run('setValue', () => this.#client.set(name, encoded, 'PX', ttl));
  }

  async tryLock(key: string, ttlMs: number): Promise<CacheLock | undefined> {
    const name = this.keyNames(key).lock;
    const owner = randomBytes(18).toString('base64url');
    const ttl = Math.max(1, Math.ceil(Number.isFinite(ttlMs) ? ttlMs : 1));
    let acquire: Promise<'OK' | null> | undefined;
    let result: 'OK' | null;
    try {
      result = await this.#commands.run('lock', () => {
        acquire = this.#client.set(name, owner, 'PX', ttl, 'NX');
        return acquire;
      });
    } catch (err) {
      // If the SET lands after we gave up, nobody would release it: release it as soon as it does.
      acquire?.then(
        (late) => {
          if (late === 'OK') this.#release(name, owner).catch(() => {});
        },
        () => {},
      );
      throw err;
    }
    if (result !== 'OK') return undefined;
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await this.#commands.run('unlock', () => this.#release(name, owner));
      },
    };
  }

  /** Stops using the client (later calls reject). The client itself is yours to `quit()`. */
  async close(): Promise<void> {
    this.#commands.close();
  }

  async #release(name: string, owner: string): Promise<unknown> {
    try {
      return await this.#client.evalsha(RELEASE_SHA, 1, name, owner);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.#client.eval(RELEASE_SCRIPT, 1, name, owner);
    }
  }

  /** Runs one Redis call, bounded by the command timeout, tracking outages for the logger. */
}
