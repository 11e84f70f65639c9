import type { Logger } from '@identity-model/core';
import type { Cluster, Redis } from 'ioredis';

// While ioredis knows the connection is down, commands would only queue up: fail at once instead.
const DOWN_STATUSES = new Set(['reconnecting', 'close', 'end', 'disconnecting']);

/** Why a command did not complete. */
export type CommandFailure = 'unavailable' | 'timeout' | 'closed';

export interface BoundedCommandsOptions<E extends Error> {
  /** What the store is, for messages: `cache store`. */
  name: string;
  timeoutMs: number;
  logger: Logger;
  /** The store's own typed error for a failure (`cause` is the Redis error, when there is one). */
  error(failure: CommandFailure, message: string, cause?: unknown): E;
  /** The class of those errors: one of them passes through unwrapped. */
  errorType: abstract new (
    ...args: never[]
  ) => E;
  /** Logged once when Redis becomes unreachable, and once when it is back. */
  downMessage: string;
  upMessage: string;
}

/**
 * Runs a store's Redis commands, each bounded by a timeout, failing at once while the connection is known
 * down, and logging an outage once (and its end once) instead of per command. Shared by the Redis stores.
 */
export class BoundedCommands<E extends Error & { code: string }> {
  readonly #client: Redis | Cluster;
  readonly #options: BoundedCommandsOptions<E>;
  #closed = false;
  #down = false;

  constructor(client: Redis | Cluster, options: BoundedCommandsOptions<E>) {
    this.#client = client;
    this.#options = options;
  }

  /** Later commands reject with the `closed` error. */
  close(): void {
    this.#closed = true;
  }

  async run<T>(op: string, call: () => Promise<T>): Promise<T> {
    const { error, timeoutMs, name } = this.#options;
    if (this.#closed) throw error('closed', `the Redis ${name} is closed`);
    if (DOWN_STATUSES.has(this.#client.status)) {
      throw this.#failed(op, error('unavailable', `Redis is not connected (${this.#client.status})`));
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(error('timeout', `Redis did not answer ${op} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      timer.unref();
    });
    const pending = call();
    pending.catch(() => {}); // a late failure after the timeout must not become an unhandled rejection
    try {
      const result = await Promise.race([pending, timeout]);
      this.#recovered();
      return result;
    } catch (err) {
      const failure =
        err instanceof this.#options.errorType ? err : error('unavailable', `Redis ${op} failed`, err);
      throw this.#failed(op, failure);
    } finally {
      clearTimeout(timer);
    }
  }

  #failed(op: string, err: E): E {
    if (!this.#down) {
      this.#down = true;
      // Codes and names only: a Redis error could echo a command argument.
      const cause = err.cause as { code?: unknown; name?: unknown } | undefined;
      this.#options.logger.warn(
        { code: err.code, op, causeCode: cause?.code, causeName: cause?.name },
        this.#options.downMessage,
      );
    }
    return err;
  }

  #recovered(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#options.logger.info({}, this.#options.upMessage);
  }
}
