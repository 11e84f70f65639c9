/**
 * Where one-time identifiers (a logout token's `jti`, a DPoP proof's `jti`) are remembered for as long as the
 * token carrying them could still be accepted. `MemoryReplayStore` serves one process; a fleet shares one
 * store (Redis `SET key 1 NX PX ttl` is exactly `setIfAbsent`), or a token refused by one replica is accepted
 * by the next.
 */
export interface ReplayStore {
  /**
   * Records `key` for `ttlMs` milliseconds. Resolves `true` when the key was not already recorded (first use),
   * `false` when it was (a replay). Rejects when it cannot tell (backend down, store full): the caller must then
   * refuse, since forgetting an identifier is what lets a replay through.
   */
  setIfAbsent(key: string, ttlMs: number): Promise<boolean>;
  /**
   * `setIfAbsent` answered at once, for a store that needs no I/O to tell (an in-process one): `true` for a
   * first use, `false` for a replay; throws where `setIfAbsent` rejects. Lets a request that waits for
   * nothing else be decided without a promise.
   */
  setIfAbsentNow?(key: string, ttlMs: number): boolean;
  close?(): Promise<void>;
}
