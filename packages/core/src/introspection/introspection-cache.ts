import type { TokenValidationErrorCode } from '../errors.js';

/** What an introspection decided about one token: its accepted claims, or why it is refused. */
export type IntrospectionVerdict =
  | { readonly accepted: true; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly accepted: false; readonly code: TokenValidationErrorCode; readonly message: string };

interface Entry {
  readonly verdict: IntrospectionVerdict;
  /** Epoch ms after which the entry is not used. */
  readonly until: number;
  readonly bytes: number;
}

/** Per-entry cost beyond the claims' JSON: the key, the Map slot and the entry object (an estimate). */
const ENTRY_OVERHEAD_BYTES = 160;

/**
 * Introspection verdicts keyed by a SHA-256 of the token (the caller hashes: the token itself is never a key),
 * bounded by entries and by bytes (each entry's size estimated from the JSON length of its claims). A Map keeps
 * insertion order, which makes it an LRU when a hit re-inserts (a hit on the newest entry is already in
 * place). Only verdicts are stored, never failures.
 */
export class IntrospectionCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;
  /** The most recently inserted entry: a hit on it needs no re-insertion to stay last. */
  #newest: Entry | undefined;

  constructor(maxEntries: number, maxBytes: number) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  get(key: string, nowMs: number): IntrospectionVerdict | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (nowMs >= entry.until) {
      this.#remove(key, entry);
      return undefined;
    }
    if (entry !== this.#newest) {
      // Delete then set moves the entry last: the least recently used stays first.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#newest = entry;
    }
    return entry.verdict;
  }

  /** Keeps `verdict` until `until` (epoch ms); `jsonLength` is the length of the claims' JSON. */
  set(key: string, verdict: IntrospectionVerdict, until: number, nowMs: number, jsonLength: number): void {
    if (until <= nowMs) return;
    const bytes = ENTRY_OVERHEAD_BYTES + key.length + jsonLength;
    if (bytes > this.#maxBytes) return;
    const previous = this.#entries.get(key);
    if (previous !== undefined) this.#remove(key, previous);
    while (this.#entries.size >= this.#maxEntries || this.#bytes + bytes > this.#maxBytes) {
      const oldest = this.#entries.entries().next();
      if (oldest.done) break;
      this.#remove(oldest.value[0], oldest.value[1]);
    }
    const entry: Entry = { verdict, until, bytes };
    this.#entries.set(key, entry);
    this.#newest = entry;
    this.#bytes += bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#newest = undefined;
    this.#bytes = 0;
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    if (entry === this.#newest) this.#newest = undefined;
    this.#bytes -= entry.bytes;
  }
}
