import { hash } from 'node:crypto';
import { introspectionChannel } from '../diagnostics.js';
import { ConfigurationError, TokenValidationError } from '../errors.js';
import { getDefaultHttpClient } from '../http/default-client.js';
import type { CacheLock } from '../token-management/cache-store.js';
import { checkClaims } from '../validation/claim-rules.js';
import type { JwtClaims, JwtHeader, TokenValidator, ValidatedToken } from '../validation/types.js';
import { ValidatedTokenResult } from '../validation/validated-token.js';
import { introspectToken } from './introspect-token.js';
import { IntrospectionCache, type IntrospectionVerdict } from './introspection-cache.js';
import { type CacheUse, observeIntrospection } from './introspection-events.js';
import { IntrospectionLimiter } from './introspection-limiter.js';
import { type IntrospectionMembers, readIntrospectionMembers } from './introspection-members.js';
import {
  type IntrospectionValidatorOptions,
  type ResolvedIntrospectionOptions,
  resolveIntrospectionOptions,
} from './introspection-options.js';
import { IntrospectionStore } from './introspection-store.js';
import { TokenIntrospectionRequest } from './token-introspection-request.js';
import type { TokenIntrospectionResponse } from './token-introspection-response.js';

/**
 * The `header` of every introspected token: a frozen marker, not a JOSE header (nothing of the token was
 * decoded locally, even when it is a JWT). Compare with `auth.header === INTROSPECTED_TOKEN_HEADER`.
 */
export const INTROSPECTED_TOKEN_HEADER: Readonly<JwtHeader> = Object.freeze({ alg: 'introspection' });

/** A decision reached, and until when (epoch ms) it may be reused. */
interface Decision {
  verdict: IntrospectionVerdict;
  until: number;
  claims: Readonly<Record<string, unknown>>;
  /** Read from the shared store, not introspected (for `identity-model:introspection`). */
  stored?: boolean;
}

const INACTIVE = { active: false } as const;

function unavailable(message: string, retryAfter?: number, cause?: unknown): TokenValidationError {
  return new TokenValidationError('keys_unavailable', message, { retryAfter, cause });
}

/**
 * Validates opaque (reference) access tokens by introspection (RFC 7662), with a cache. See
 * `createIntrospectionValidator`.
 */
export class IntrospectionTokenValidator implements TokenValidator {
  readonly #o: ResolvedIntrospectionOptions;
  readonly #cache: IntrospectionCache | undefined;
  readonly #store: IntrospectionStore | undefined;
  readonly #limiter: IntrospectionLimiter;
  readonly #locator: TokenIntrospectionRequest;
  readonly #namespace: string;
  readonly #flights = new Map<string, Promise<Decision>>();
  #down = false;
  #closed = false;

  /** @internal Built by `createIntrospectionValidator`, which resolves and checks the options. */
  constructor(options: ResolvedIntrospectionOptions) {
    this.#o = options;
    // Built once so every client option is checked now; its locator discovers the endpoint once.
    try {
      this.#locator = this.#request('options-check', options.location);
    } catch (cause) {
      if (!(cause instanceof ConfigurationError)) throw cause;
      throw new ConfigurationError(`introspection: ${cause.message}`, { cause });
    }
    const where =
      'address' in options.location ? String(options.location.address) : options.location.authority;
    this.#namespace = `${where}\n${options.client.clientId}\n`;
    const caching = options.cacheMs > 0;
    this.#cache = caching ? new IntrospectionCache(options.maxEntries, options.maxBytes) : undefined;
    this.#store =
      caching && options.store ? new IntrospectionStore(options.store, options.logger) : undefined;
    this.#limiter = new IntrospectionLimiter(options.maxConcurrent, options.maxQueued);
  }

  /** Memory in use by the cache: entries and estimated bytes (for tests and metrics). */
  get cacheSize(): { entries: number; bytes: number } {
    return { entries: this.#cache?.size ?? 0, bytes: this.#cache?.bytes ?? 0 };
  }

  validate(token: string): Promise<ValidatedToken> {
    // One field read when nobody subscribes to `identity-model:introspection`.
    if (introspectionChannel.hasSubscribers)
      return observeIntrospection((t, use) => this.#validate(t, use), token);
    return this.#validate(token, undefined);
  }

  /** The hot path: a length check, one SHA-256 and a Map lookup. */
  #validate(token: string, use: CacheUse | undefined): Promise<ValidatedToken> {
    if (typeof token !== 'string' || token.length === 0) {
      return Promise.reject(new TokenValidationError('token_malformed', 'token must be a non-empty string'));
    }
    if (token.length > this.#o.maxTokenLength) {
      return Promise.reject(new TokenValidationError('token_too_large', 'token longer than maxTokenLength'));
    }
    if (this.#closed) return Promise.reject(unavailable('validator is closed'));
    // One-shot hash (half the cost of createHash() on a hit) of the token alone (this cache is this validator's
    // own), as raw bytes ('binary' is latin1): one SHA-256 block for a short token, no encoding.
    const key = hash('sha256', token, 'binary');
    const hit = this.#cache?.get(key, this.#o.now());
    if (hit !== undefined) {
      if (use !== undefined) use.cached = true;
      return this.#answer(token, hit);
    }
    let flight = this.#flights.get(key);
    if (flight === undefined) {
      // Single flight: every concurrent validation of this token waits for one decision.
      flight = this.#decide(token, key).finally(() => this.#flights.delete(key));
      this.#flights.set(key, flight);
    }
    return flight.then((decision) => {
      if (use !== undefined) use.cached = decision.stored === true;
      return this.#answer(token, decision.verdict);
    });
  }

  #answer(token: string, verdict: IntrospectionVerdict): Promise<ValidatedToken> {
    if (!verdict.accepted) return Promise.reject(new TokenValidationError(verdict.code, verdict.message));
    return Promise.resolve(
      new ValidatedTokenResult(
        token,
        INTROSPECTED_TOKEN_HEADER,
        verdict.claims as JwtClaims,
        this.#o.scopeClaims,
      ),
    );
  }

  async #decide(token: string, key: string): Promise<Decision> {
    const now = this.#o.now;
    // A shared store serves other endpoints and clients too: there the name includes ours.
    const shared = this.#store === undefined ? '' : hash('sha256', this.#namespace + token, 'base64url');
    const stored = await this.#store?.read(shared, now());
    if (stored !== undefined) {
      const decision = this.#fromStore(key, stored.claims, stored.until);
      if (decision !== undefined) return decision;
    }
    let lock: CacheLock | undefined;
    if (this.#store !== undefined) {
      const claimed = await this.#store.claim(shared, now, (this.#o.timeoutMs ?? 10_000) + 1000);
      if (claimed.answer !== undefined) {
        const decision = this.#fromStore(key, claimed.answer.claims, claimed.answer.until);
        if (decision !== undefined) return decision;
      }
      lock = claimed.lock;
    }
    try {
      const ran = await this.#limiter.run(() => this.#introspect(token));
      if (ran === undefined) {
        throw this.#outage(unavailable('too many introspections waiting', 1), { reason: 'queue_full' });
      }
      const decision = this.#judge(ran.value);
      const nowMs = now();
      this.#remember(key, decision, nowMs);
      await this.#store?.write(shared, decision.claims, decision.until, nowMs);
      return decision;
    } finally {
      if (lock !== undefined) await this.#store?.release(lock);
    }
  }

  /** A stored answer, re-checked as if it had just arrived (and kept no longer than it was stored for). */
  #fromStore(key: string, claims: Record<string, unknown>, until: number): Decision | undefined {
    const members = readIntrospectionMembers(claims);
    if (typeof members === 'string') return undefined;
    const decision = this.#decision(members);
    decision.until = Math.min(decision.until, until);
    const nowMs = this.#o.now();
    if (decision.until <= nowMs) return undefined;
    this.#remember(key, decision, nowMs);
    decision.stored = true;
    return decision;
  }

  #remember(key: string, decision: Decision, nowMs: number): void {
    this.#cache?.set(key, decision.verdict, decision.until, nowMs, JSON.stringify(decision.claims).length);
  }

  async #introspect(token: string): Promise<TokenIntrospectionResponse | TokenValidationError> {
    const o = this.#o;
    let request: TokenIntrospectionRequest;
    try {
      const client = o.httpClient ?? getDefaultHttpClient();
      const mtls = this.#locator.authenticator.mutualTls ? { mtls: true } : {};
      const address = await this.#locator.locator.resolve(client, mtls);
      request = this.#request(token, { address });
    } catch (cause) {
      return unavailable('the introspection endpoint could not be located', undefined, cause);
    }
    return introspectToken(request, o.httpClient);
  }

  #request(token: string, location: ResolvedIntrospectionOptions['location']): TokenIntrospectionRequest {
    const o = this.#o;
    return new TokenIntrospectionRequest({
      ...o.client,
      ...location,
      token,
      tokenTypeHint: o.tokenTypeHint,
      ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      ...(o.discoveryPolicy === undefined ? {} : { discoveryPolicy: o.discoveryPolicy }),
    });
  }

  /** What an answer means: a verdict, or (thrown) `keys_unavailable` when there was no answer. */
  #judge(response: TokenIntrospectionResponse | TokenValidationError): Decision {
    if (response instanceof TokenValidationError) throw this.#outage(response, { reason: 'discovery' });
    if (!response.isSuccessful) {
      // oidc-provider and others refuse to introspect some token types: a verdict on the token, not an outage.
      if (response.errorType === 'protocol' && response.error === 'unsupported_token_type') {
        this.#recovered();
        return this.#refused(
          'token_inactive',
          'the introspection endpoint does not introspect this token type',
        );
      }
      const error = unavailable(
        'the introspection endpoint gave no answer',
        response.retryAfter,
        response.exception,
      );
      throw this.#outage(error, {
        errorType: response.errorType,
        httpStatus: response.httpStatus,
        error: response.error,
      });
    }
    this.#recovered();
    return this.#decision(response);
  }

  #decision(members: IntrospectionMembers): Decision {
    if (!members.isActive) return this.#refused('token_inactive', 'the token is not active');
    const rules = this.#o.claimRules;
    const nowMs = this.#o.now();
    try {
      // `iss` and `aud` are optional in an introspection answer (RFC 7662 §2.2): checked when present.
      checkClaims(
        members.claims as JwtClaims,
        {
          ...rules,
          checkIssuer: members.iss !== undefined,
          audiences: members.aud === undefined ? undefined : rules.audiences,
        },
        nowMs,
      );
    } catch (error) {
      if (!(error instanceof TokenValidationError)) throw error;
      return this.#refused(error.code, error.message, members.claims);
    }
    // Never past `exp` (no tolerance here: tolerance forgives clocks, it does not extend a cache).
    const expMs = members.exp === undefined ? Number.POSITIVE_INFINITY : members.exp * 1000;
    return {
      verdict: { accepted: true, claims: members.claims },
      until: Math.min(expMs, nowMs + this.#o.cacheMs),
      claims: members.claims,
    };
  }

  #refused(
    code: TokenValidationError['code'],
    message: string,
    claims: Readonly<Record<string, unknown>> = INACTIVE,
  ): Decision {
    return {
      verdict: { accepted: false, code, message },
      until: this.#o.now() + this.#o.inactiveCacheMs,
      claims,
    };
  }

  /** One warning per outage, not per request. */
  #outage(error: TokenValidationError, details: Record<string, unknown>): TokenValidationError {
    if (!this.#down) {
      this.#down = true;
      this.#o.logger.warn(
        { code: error.code, ...details },
        'token introspection unavailable; answering 503 until it recovers',
      );
    }
    return error;
  }

  #recovered(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#o.logger.info({}, 'token introspection available again');
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cache?.clear();
  }
}

/**
 * Builds a validator for opaque access tokens: each token is introspected at the issuer's introspection
 * endpoint (from discovery, or `address`) and the verdict cached under a SHA-256 of the token. Options are
 * checked now (a `ConfigurationError` says what to change). `validate` resolves a `ValidatedToken` shaped as a
 * JWT's (`claims` are the answer's members) or rejects with `TokenValidationError`: `token_inactive` (401)
 * for `active: false`, `keys_unavailable` (503) when introspection cannot be had.
 */
export function createIntrospectionValidator(
  options: IntrospectionValidatorOptions,
): IntrospectionTokenValidator {
  return new IntrospectionTokenValidator(resolveIntrospectionOptions(options));
}
