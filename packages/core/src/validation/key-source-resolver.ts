import { LocalKeySet } from '../jwks/local-key-set.js';
import { RemoteKeySet } from '../jwks/remote-key-set.js';
import type { KeySource, VerificationKey } from '../jwks/verification-key.js';
import { DiscoveryKeySource } from './discovery-key-source.js';
import type { ResolvedOptions } from './resolve-options.js';
import { SecretKeySource } from './secret-key-source.js';

/** Which trusted key set verifies a token from an (already accepted) issuer. */
export interface KeySourceResolver {
  forIssuer(iss: string): KeySource;
  /** `source.getKeys(kid)` for the source `forIssuer(iss)` gave; the resolver learns from the outcome. */
  getKeys(iss: string, source: KeySource, kid: string | undefined): Promise<readonly VerificationKey[]>;
  /** The keys `getKeys` would give, when known without waiting or learning anything; else undefined. */
  keysNow(iss: string, source: KeySource, kid: string | undefined): readonly VerificationKey[] | undefined;
  close(): Promise<void>;
}

class StaticResolver implements KeySourceResolver {
  constructor(
    private readonly source: KeySource,
    private readonly owned: boolean,
  ) {}

  forIssuer(): KeySource {
    return this.source;
  }

  getKeys(_iss: string, source: KeySource, kid: string | undefined): Promise<readonly VerificationKey[]> {
    return source.getKeys(kid);
  }

  keysNow(_iss: string, source: KeySource, kid: string | undefined): readonly VerificationKey[] | undefined {
    return source.keysNow?.(kid);
  }

  async close(): Promise<void> {
    if (this.owned) await this.source.close();
  }
}

/** Failed issuers remembered at once (each entry is an issuer string and an error). */
export const MAX_FAILED_ISSUERS = 256;
/** How long a failed issuer is answered from memory when no `failureBackoffMs` is configured. */
export const DEFAULT_ISSUER_FAILURE_MS = 5_000;

/** An issuer whose keys could not be had: answered from memory until `until`, with no request. */
class FailedIssuer implements KeySource {
  constructor(
    readonly until: number,
    private readonly error: unknown,
  ) {}

  getKeys(): Promise<readonly VerificationKey[]> {
    return Promise.reject(this.error);
  }

  isCurrent(): boolean {
    return false;
  }

  async close(): Promise<void> {}
}

export interface PerIssuerResolverOptions {
  /** How long (ms) an issuer whose keys could not be had is refused without a new fetch. Default 5 s. */
  failureMs?: number;
  /** Failed issuers remembered at once. Default `MAX_FAILED_ISSUERS`. */
  maxFailures?: number;
}

/**
 * One key source per issuer, in a bounded LRU (an issuer predicate could otherwise make us track every
 * tenant that ever sent a token). An issuer enters the LRU only once its keys were had: until then it is a
 * candidate (bounded apart), and a failure is remembered briefly in a small bound of its own — so tokens
 * naming tenants that cannot be discovered neither push working tenants out nor cost a fetch each. An
 * evicted source is closed once the calls it has in flight settle: a request whose keys were being fetched
 * when another tenant took its place still gets them.
 */
export class PerIssuerResolver implements KeySourceResolver {
  readonly #sources = new Map<string, KeySource>();
  readonly #candidates = new Map<string, KeySource>();
  readonly #failures = new Map<string, FailedIssuer>();
  /** `getKeys` calls in flight per source, and the sources evicted meanwhile, closed when theirs settle. */
  readonly #inFlight = new Map<KeySource, number>();
  readonly #retired = new Set<KeySource>();
  readonly #create: (issuer: string) => KeySource;
  readonly #max: number;
  readonly #failureMs: number;
  readonly #maxFailures: number;

  constructor(create: (issuer: string) => KeySource, max: number, options: PerIssuerResolverOptions = {}) {
    this.#create = create;
    this.#max = max;
    this.#failureMs = options.failureMs ?? DEFAULT_ISSUER_FAILURE_MS;
    this.#maxFailures = options.maxFailures ?? MAX_FAILED_ISSUERS;
  }

  forIssuer(iss: string): KeySource {
    const source = this.#sources.get(iss);
    if (source !== undefined) {
      if (this.#sources.size > 1) {
        this.#sources.delete(iss);
        this.#sources.set(iss, source);
      }
      return source;
    }
    const failed = this.#failures.get(iss);
    if (failed !== undefined) {
      if (Date.now() < failed.until) return failed;
      this.#failures.delete(iss);
    }
    let candidate = this.#candidates.get(iss);
    if (candidate === undefined) {
      if (this.#candidates.size >= this.#max) this.#evictOldest(this.#candidates);
      candidate = this.#create(iss);
      this.#candidates.set(iss, candidate);
    }
    return candidate;
  }

  getKeys(iss: string, source: KeySource, kid: string | undefined): Promise<readonly VerificationKey[]> {
    if (this.#candidates.get(iss) !== source) return this.#track(source, source.getKeys(kid));
    return this.#track(
      source,
      source.getKeys(kid).then(
        (keys) => {
          this.#admit(iss, source);
          return keys;
        },
        (error: unknown) => {
          this.#reject(iss, source, error);
          throw error;
        },
      ),
    );
  }

  keysNow(iss: string, source: KeySource, kid: string | undefined): readonly VerificationKey[] | undefined {
    // A candidate is admitted by the outcome of getKeys: it must go that way.
    return this.#candidates.get(iss) === source ? undefined : source.keysNow?.(kid);
  }

  /** Admitted issuers (candidates included: both are live sources). */
  get size(): number {
    return this.#sources.size + this.#candidates.size;
  }

  async close(): Promise<void> {
    const all = [...this.#sources.values(), ...this.#candidates.values(), ...this.#retired];
    this.#sources.clear();
    this.#candidates.clear();
    this.#failures.clear();
    this.#retired.clear();
    await Promise.allSettled(all.map((s) => s.close()));
  }

  #admit(iss: string, source: KeySource): void {
    if (this.#candidates.get(iss) !== source) return;
    this.#candidates.delete(iss);
    if (this.#sources.size >= this.#max) this.#evictOldest(this.#sources);
    this.#sources.set(iss, source);
  }

  #reject(iss: string, source: KeySource, error: unknown): void {
    if (this.#candidates.get(iss) !== source) return;
    this.#candidates.delete(iss);
    this.#retire(source);
    if (this.#failureMs <= 0) return;
    if (this.#failures.size >= this.#maxFailures) this.#failures.delete(this.#failures.keys().next().value!);
    this.#failures.set(iss, new FailedIssuer(Date.now() + this.#failureMs, error));
  }

  #evictOldest(sources: Map<string, KeySource>): void {
    const [oldest, evicted] = sources.entries().next().value!;
    sources.delete(oldest);
    this.#retire(evicted);
  }

  /** Closes a source no longer tracked: now, or when its last call in flight settles. */
  #retire(source: KeySource): void {
    if (this.#inFlight.has(source)) this.#retired.add(source);
    else closeQuietly(source);
  }

  #track<T>(source: KeySource, call: Promise<T>): Promise<T> {
    this.#inFlight.set(source, (this.#inFlight.get(source) ?? 0) + 1);
    const settled = () => {
      const left = this.#inFlight.get(source)! - 1;
      if (left > 0) {
        this.#inFlight.set(source, left);
        return;
      }
      this.#inFlight.delete(source);
      if (this.#retired.delete(source)) closeQuietly(source);
    };
    // The caller handles the outcome of `call`; this branch only counts it.
    call.then(settled, settled);
    return call;
  }
}

function closeQuietly(source: KeySource): void {
  void source.close().catch(() => {});
}

export function createKeySourceResolver(options: ResolvedOptions): KeySourceResolver {
  const spec = options.keySource;
  switch (spec.kind) {
    case 'custom':
      return new StaticResolver(spec.source, false);
    case 'secret':
      return new StaticResolver(new SecretKeySource(spec.secret), true);
    case 'keys':
      return new StaticResolver(new LocalKeySet(spec.jwks), true);
    case 'jwksUri':
      return new StaticResolver(
        new RemoteKeySet(spec.url, {
          ...options.keySet,
          httpClient: options.httpClient,
          logger: options.logger,
        }),
        true,
      );
    case 'discovery': {
      const create = (issuer: string) =>
        new DiscoveryKeySource(issuer, {
          httpClient: options.httpClient,
          logger: options.logger,
          policy: spec.policy,
          failureBackoffMs: spec.failureBackoffMs,
          keySet: options.keySet,
          // The token's `iss` is the address: the document must name exactly it.
          issuer,
        });
      // A fixed list is tracked whole; a predicate is bounded by maxIssuers.
      return new PerIssuerResolver(create, Math.max(spec.maxIssuers, options.issuers?.length ?? 0), {
        failureMs: spec.failureBackoffMs ?? DEFAULT_ISSUER_FAILURE_MS,
      });
    }
  }
}
