import { createHash } from 'node:crypto';
import { ConfigurationError, type Logger, type ReplayStore, silentLogger } from '@identity-model/core';
import type { Cluster, Redis } from 'ioredis';
import { BoundedCommands } from './bounded-commands.js';
import { ReplayStoreError } from './errors.js';

export interface RedisReplayStoreOptions {
  /** Prepended to every key name, e.g. `'orders-api:dpop:'`. Default `'identity-model:replay:'`. */
  prefix?: string;
  /**
   * Upper bound (ms) on each Redis call; past it `setIfAbsent` rejects and the caller refuses the request
   * (a DPoP proof is answered 503). Default 500.
   */
  commandTimeoutMs?: number;
  /** Longest time (ms) one identifier is remembered, whatever the caller asks. Default 1 h. */
  maxTtlMs?: number;
  /** Warns once when Redis becomes unreachable and says when it is back. */
  logger?: Logger;
}

const DEFAULT_MAX_TTL_MS = 3_600_000;
// Longer prefixes are a configuration mistake, not a namespace: every key would carry them.
const MAX_PREFIX_LENGTH = 256;

/**
 * A `ReplayStore` on Redis (single node, Sentinel or Cluster through an `ioredis` client) so that every
 * replica of a resource server sees the one-time identifiers (DPoP proof `jti`s, logout token `jti`s) the
 * others accepted: a proof replayed to another replica is refused.
 *
 * Each identifier is one `SET <prefix><sha256 of the key> 1 NX PX <ttl>`: atomic, so of two replicas seeing
 * the same proof at once exactly one accepts it. Key names hold a hash of bounded size, never the identifier
 * itself. When Redis cannot answer, `setIfAbsent` rejects with `ReplayStoreError` so the caller refuses the
 * request rather than accept a possible replay. The store does not own the client: `close()` stops using it;
 * quit the client yourself.
 */
export class RedisReplayStore implements ReplayStore {
  readonly #client: Redis | Cluster;
  readonly #prefix: string;
  readonly #maxTtlMs: number;
  readonly #commands: BoundedCommands<ReplayStoreError>;

  constructor(client: Redis | Cluster, options: RedisReplayStoreOptions = {}) {
    if (!client || typeof (client as Partial<Redis>).set !== 'function') {
      throw new ConfigurationError(
        'RedisReplayStore needs an ioredis client (new Redis(...) or new Cluster(...))',
      );
    }
    const prefix = options.prefix ?? 'identity-model:replay:';
    if (typeof prefix !== 'string' || prefix.length > MAX_PREFIX_LENGTH) {
      throw new ConfigurationError(
        `RedisReplayStore prefix must be a string of at most ${MAX_PREFIX_LENGTH} characters`,
      );
    }
    const timeoutMs = options.commandTimeoutMs ?? 500;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new ConfigurationError(
        'RedisReplayStore commandTimeoutMs must be a positive number of milliseconds',
      );
    }
    const maxTtlMs = options.maxTtlMs ?? DEFAULT_MAX_TTL_MS;
    if (!Number.isSafeInteger(maxTtlMs) || maxTtlMs < 1) {
      throw new ConfigurationError(
        'RedisReplayStore maxTtlMs must be a positive whole number of milliseconds',
      );
    }
    this.#client = client;
    this.#prefix = prefix;
    this.#maxTtlMs = maxTtlMs;
    this.#commands = new BoundedCommands(client, {
      timeoutMs,
      logger: options.logger ?? silentLogger,
      name: 'replay store',
      errorType: ReplayStoreError,
      error: (failure, message, cause) => new ReplayStoreError(`replay_store_${failure}`, message, { cause }),
      downMessage: 'Redis replay store unavailable; requests that need it are refused until it is back',
      upMessage: 'Redis replay store is reachable again',
    });
  }

  /** The Redis key name used for an identifier (for operators and tests; it does not reveal the identifier). */
  keyName(key: string): string {
    return `${this.#prefix}${createHash('sha256').update(String(key)).digest('base64url')}`;
  }

  /**
   * Records `key` for `ttlMs` (clamped to 1 ms..`maxTtlMs`; not a finite number: `maxTtlMs`). Resolves `true`
   * on first use, `false` for a replay; rejects with `ReplayStoreError` when Redis does not answer in time.
   */
  async setIfAbsent(key: string, ttlMs: number): Promise<boolean> {
    const name = this.keyName(key);
    const ttl = Number.isFinite(ttlMs)
      ? Math.min(Math.max(Math.ceil(ttlMs), 1), this.#maxTtlMs)
      : this.#maxTtlMs;
    const result = await this.#commands.run('set', () => this.#client.set(name, '1', 'PX', ttl, 'NX'));
    return result === 'OK';
  }

  /** Stops using the client (later calls reject). The client itself is yours to `quit()`. */
  async close(): Promise<void> {
    this.#commands.close();
  }
}
