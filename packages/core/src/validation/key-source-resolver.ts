import { LocalKeySet } from '../jwks/local-key-set.js';
import { RemoteKeySet } from '../jwks/remote-key-set.js';
import type { KeySource } from '../jwks/verification-key.js';
import { DiscoveryKeySource } from './discovery-key-source.js';
import type { ResolvedOptions } from './resolve-options.js';
import { SecretKeySource } from './secret-key-source.js';

/** Which trusted key set verifies a token from an (already accepted) issuer. */
export interface KeySourceResolver {
  forIssuer(iss: string): KeySource;
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

  async close(): Promise<void> {
    if (this.owned) await this.source.close();
  }
}

/**
 * One key source per issuer, created on first use and kept in a bounded LRU (an issuer predicate could
 * otherwise make us track every tenant that ever sent a token). An evicted source is closed.
 */
export class PerIssuerResolver implements KeySourceResolver {
  readonly #sources = new Map<string, KeySource>();
  readonly #create: (issuer: string) => KeySource;
  readonly #max: number;

  constructor(create: (issuer: string) => KeySource, max: number) {
    this.#create = create;
    this.#max = max;
  }

  forIssuer(iss: string): KeySource {
    let source = this.#sources.get(iss);
    if (source !== undefined) {
      if (this.#sources.size > 1) {
        this.#sources.delete(iss);
        this.#sources.set(iss, source);
      }
      return source;
    }
    if (this.#sources.size >= this.#max) {
      const [oldest, evicted] = this.#sources.entries().next().value!;
      this.#sources.delete(oldest);
      void evicted.close().catch(() => {});
    }
    source = this.#create(iss);
    this.#sources.set(iss, source);
    return source;
  }

  get size(): number {
    return this.#sources.size;
  }

  async close(): Promise<void> {
    const all = [...this.#sources.values()];
    this.#sources.clear();
    await Promise.allSettled(all.map((s) => s.close()));
  }
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
        });
      // A fixed list is tracked whole; a predicate is bounded by maxIssuers.
      return new PerIssuerResolver(create, Math.max(spec.maxIssuers, options.issuers?.length ?? 0));
    }
  }
}
