import { Buffer, isUtf8 } from 'node:buffer';
import { validationChannel } from '../diagnostics.js';
import { HttpError, TokenValidationError } from '../errors.js';
import type { KeySource, VerificationKey } from '../jwks/verification-key.js';
import { deepFreeze } from '../protocol/deep-freeze.js';
import { keyMismatch, verifySignature } from './algorithms.js';
import { decodeCanonicalBase64url } from './base64url.js';
import { type ClaimWindow, checkClaims } from './claim-rules.js';
import { isPolicyRefusal } from './discovery-key-source.js';
import { type CheckedHeader, checkHeader } from './header-rules.js';
import { createKeySourceResolver, type KeySourceResolver } from './key-source-resolver.js';
import type { TokenValidatorOptions } from './options.js';
import { type ResolvedOptions, resolveOptions } from './resolve-options.js';
import { parseJsonObject, type SafeJsonResult } from './safe-json.js';
import { VerifiedTokenCache } from './token-cache.js';
import type { JwtClaims, TokenValidator, ValidatedToken } from './types.js';
import { ValidatedTokenResult } from './validated-token.js';
import { observeValidation } from './validation-events.js';

/** Distinct headers remembered per validator (a provider uses a handful: one per key and alg). */
const HEADER_CACHE_SIZE = 64;
/** Keys tried for one token when several share its `kid` (bounded: each try is a signature check). */
const MAX_KEY_ATTEMPTS = 3;

function malformed(message: string): TokenValidationError {
  return new TokenValidationError('token_malformed', message);
}

function jsonFailure(result: Exclude<SafeJsonResult, { ok: true }>, part: string): TokenValidationError {
  switch (result.reason) {
    case 'duplicate_member':
      return malformed(`${part} has a duplicate member`);
    case 'forbidden_member':
      return malformed(`${part} has a __proto__, constructor or prototype member`);
    default:
      return malformed(`${part} is not a JSON object`);
  }
}

function keysUnavailable(cause: unknown): TokenValidationError {
  if (cause instanceof TokenValidationError) return cause;
  const retryAfter = cause instanceof HttpError ? cause.retryAfter : undefined;
  return new TokenValidationError('keys_unavailable', 'signing keys could not be obtained', {
    cause,
    retryAfter,
  });
}

/** A token decoded and checked up to its signature, on its way through `#verify`. */
interface Verified {
  readonly token: string;
  /** Index of the second `.`: the signing input ends there. */
  readonly d2: number;
  readonly checked: CheckedHeader;
  readonly signature: Buffer;
  readonly claims: JwtClaims;
  readonly source: KeySource;
  readonly nowMs: number;
  readonly window: ClaimWindow;
}

/** @internal The validator behind `createTokenValidator` and `validateToken`. */
export class JwtAccessTokenValidator implements TokenValidator {
  readonly #options: ResolvedOptions;
  readonly #keys: KeySourceResolver;
  readonly #cache: VerifiedTokenCache | undefined;
  readonly #headers = new Map<string, CheckedHeader>();
  /** The header seen last, checked: nearly every token of an issuer has the same one. */
  #lastHeader: { readonly segment: string; readonly checked: CheckedHeader } | undefined;
  /** A shared secret is the one key whatever `kid` a token names (RFC 7515 leaves `kid` to the issuer). */
  readonly #anyKid: boolean;
  #closed = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#anyKid = options.keySource.kind === 'secret';
    this.#keys = createKeySourceResolver(options);
    this.#cache = options.cache && new VerifiedTokenCache(options.cache.maxEntries, options.cache.maxTtlMs);
  }

  validate(token: string): Promise<ValidatedToken> {
    // One field read when nobody subscribes to `identity-model:validation`.
    if (validationChannel.hasSubscribers)
      return observeValidation((t) => this.#validate(t), token, this.#options);
    return this.#validate(token);
  }

  validateNow(token: string): ValidatedToken | Promise<ValidatedToken> {
    // Events are published around a promise: an observed validation takes that path.
    if (validationChannel.hasSubscribers) return this.validate(token);
    return this.#settle(token);
  }

  #validate(token: string): Promise<ValidatedToken> {
    try {
      const outcome = this.#settle(token);
      return outcome instanceof Promise ? outcome : Promise.resolve(outcome);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The hot path: a length check and a cache lookup before anything is decoded, then synchronous work when
   * the keys are at hand. Throws what `validate` rejects with.
   */
  #settle(token: string): ValidatedToken | Promise<ValidatedToken> {
    if (typeof token !== 'string' || token.length === 0) throw malformed('token must be a non-empty string');
    if (token.length > this.#options.maxTokenLength)
      throw new TokenValidationError('token_too_large', 'token longer than maxTokenLength');
    if (this.#cache !== undefined) {
      const hit = this.#cache.get(token, this.#options.now());
      if (hit !== undefined) return hit;
    }
    return this.#verify(token);
  }

  #verify(token: string): ValidatedToken | Promise<ValidatedToken> {
    const options = this.#options;
    if (this.#closed) throw new TokenValidationError('keys_unavailable', 'validator is closed');
    const d1 = token.indexOf('.');
    const d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1);
    if (d1 <= 0 || d2 < 0) throw malformed('not a compact JWS (three segments)');
    if (token.indexOf('.', d2 + 1) !== -1)
      throw malformed('more than three segments (a JWE is not accepted)');

    const checked = this.#header(token, d1);

    const payloadBytes = d2 === d1 + 1 ? undefined : decodeCanonicalBase64url(token, d1 + 1, d2);
    if (payloadBytes === undefined) throw malformed('payload is not base64url');
    if (!isUtf8(payloadBytes)) throw malformed('payload is not UTF-8');
    const parsed = parseJsonObject(payloadBytes.toString('utf8'), false);
    if (!parsed.ok) throw jsonFailure(parsed, 'payload');
    const claims = parsed.value as JwtClaims;

    const nowMs = options.now();
    const window = checkClaims(claims, options, nowMs);

    if (d2 + 1 === token.length)
      throw new TokenValidationError('signature_invalid', 'token has no signature');
    const signature = decodeCanonicalBase64url(token, d2 + 1, token.length);
    if (signature === undefined) throw malformed('signature is not base64url');

    // `iss` was checked against the allowed issuers above, so this picks among trusted key sets only.
    const iss = typeof claims.iss === 'string' ? claims.iss : '';
    const source = this.#keys.forIssuer(iss);
    const verified: Verified = { token, d2, checked, signature, claims, source, nowMs, window };
    // Warm keys and no custom validators: no promise to wait for.
    const keys = options.validators.length === 0 ? this.#keys.keysNow(iss, source, checked.kid) : undefined;
    if (keys !== undefined) return this.#accept(verified, this.#verifyWithKeys(verified, keys));
    return this.#verifyLater(verified, iss);
  }

  async #verifyLater(verified: Verified, iss: string): Promise<ValidatedToken> {
    const options = this.#options;
    let keys: readonly VerificationKey[];
    try {
      keys = await this.#keys.getKeys(iss, verified.source, verified.checked.kid);
    } catch (cause) {
      const error = keysUnavailable(cause);
      const level = isPolicyRefusal(error) ? 'debug' : 'warn';
      options.logger[level]({ err: error, code: error.code }, 'token validation: signing keys unavailable');
      throw error;
    }
    const key = this.#verifyWithKeys(verified, keys);
    if (options.validators.length > 0) await this.#runValidators(verified.claims);
    return this.#accept(verified, key);
  }

  /** The result of a token whose signature and checks passed, cached for the next request. */
  #accept(verified: Verified, key: VerificationKey): ValidatedTokenResult {
    const { token, checked, claims, window } = verified;
    const result = new ValidatedTokenResult(token, checked.header, claims, this.#options.scopeClaims);
    this.#cache?.set(token, result, key, verified.source, verified.nowMs, window.expiresAt, window.notBefore);
    return result;
  }

  #header(token: string, d1: number): CheckedHeader {
    const segment = token.slice(0, d1);
    const last = this.#lastHeader;
    // Compared with the last one, a fresh segment is not hashed for the Map (~1,500 instructions).
    if (last !== undefined && last.segment === segment) return last.checked;
    const cached = this.#headers.get(segment);
    if (cached !== undefined) {
      this.#lastHeader = { segment, checked: cached };
      return cached;
    }
    const bytes = decodeCanonicalBase64url(segment, 0, d1);
    if (bytes === undefined) throw malformed('header is not base64url');
    if (!isUtf8(bytes)) throw malformed('header is not UTF-8');
    const parsed = parseJsonObject(bytes.toString('utf8'), true);
    if (!parsed.ok) throw jsonFailure(parsed, 'header');
    const checked = checkHeader(parsed.value, this.#options);
    deepFreeze(checked.header); // shared by every token with this header
    if (this.#headers.size >= HEADER_CACHE_SIZE) this.#headers.delete(this.#headers.keys().next().value!);
    this.#headers.set(segment, checked);
    this.#lastHeader = { segment, checked };
    return checked;
  }

  #verifyWithKeys(verified: Verified, keys: readonly VerificationKey[]): VerificationKey {
    const { token, d2, checked, signature } = verified;
    const { spec } = checked;
    const kid = this.#anyKid ? undefined : checked.kid;
    let first: VerificationKey | undefined;
    let more: VerificationKey[] | undefined;
    let mismatch: string | undefined;
    for (const key of keys) {
      if (kid !== undefined && key.kid !== kid) continue;
      const why = keyMismatch(spec, key);
      if (why !== undefined) mismatch = why;
      else if (first === undefined) first = key;
      else if (more === undefined) more = [key];
      else more.push(key);
    }
    if (first === undefined) {
      const why = mismatch === undefined ? 'no key for this token' : `no usable key: ${mismatch}`;
      throw new TokenValidationError('key_not_found', why);
    }
    // Without a kid we never guess among keys: exactly one must fit.
    if (kid === undefined && more !== undefined) {
      throw new TokenValidationError(
        'key_not_found',
        'token has no kid and several keys could have signed it',
      );
    }
    const data = Buffer.from(token.slice(0, d2), 'latin1');
    if (verifySignature(spec, first, data, signature)) return first;
    if (more !== undefined) {
      for (let i = 0; i < more.length && i < MAX_KEY_ATTEMPTS - 1; i++) {
        const key = more[i]!;
        if (verifySignature(spec, key, data, signature)) return key;
      }
    }
    throw new TokenValidationError('signature_invalid', 'signature does not verify');
  }

  async #runValidators(claims: JwtClaims): Promise<void> {
    for (const [name, check] of this.#options.validators) {
      let ok: boolean;
      try {
        const r = check(claims[name], claims);
        ok = typeof r === 'boolean' ? r : await r;
      } catch (cause) {
        throw new TokenValidationError('claim_invalid', `validator for claim ${name} failed`, { cause });
      }
      if (ok !== true) throw new TokenValidationError('claim_invalid', `claim ${name} not accepted`);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache?.clear();
    this.#headers.clear();
    this.#lastHeader = undefined;
    await this.#keys.close();
  }
}

/**
 * Whether every token `validator` accepts is a compact JWS of canonical base64url segments (so it is a
 * valid RFC 6750 b64token): ours is; a custom or introspecting validator makes no such promise.
 */
export function acceptsOnlyCompactJws(validator: TokenValidator): boolean {
  return validator instanceof JwtAccessTokenValidator;
}

/**
 * Builds a validator for JWT access tokens: options are checked now (a `ConfigurationError` says what to
 * change), keys are fetched on first use, and every `validate(token)` after that is synchronous work plus a
 * cache lookup.
 */
export function createTokenValidator(options: TokenValidatorOptions): TokenValidator {
  return new JwtAccessTokenValidator(resolveOptions(options));
}
