import { IdentityModelError } from '../errors.js';
import { formatBearerChallenge } from './challenge.js';

/**
 * Why a request was refused:
 * - `token_missing`: no credentials at all → 401, challenge without an error code (RFC 6750 §3.1);
 * - `invalid_request`: malformed or ambiguous credentials → 400;
 * - `invalid_token`: the token was not accepted → 401;
 * - `insufficient_scope`: the token lacks a scope or claim the resource needs → 403;
 * - `keys_unavailable`: the provider's keys cannot be had, so nothing can be decided → 503 + Retry-After.
 */
export type BearerErrorCode =
  | 'token_missing'
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'keys_unavailable';

/** The JSON body every refusal carries. */
export interface BearerErrorBody {
  error: string;
  error_description: string;
}

/** Everything an adapter needs to answer: status, headers (lower-case names) and a JSON body. */
export interface BearerResponse {
  status: 400 | 401 | 403 | 503;
  headers: Record<string, string>;
  body: BearerErrorBody;
}

const STATUS: Record<BearerErrorCode, BearerResponse['status']> = {
  token_missing: 401,
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  keys_unavailable: 503,
};

export interface BearerErrorOptions {
  /** For `insufficient_scope`: the scopes the resource needs (sent as `scope="…"`). */
  scope?: readonly string[] | undefined;
  /** For `keys_unavailable`: seconds before trying again makes sense (clamped to 1..300). */
  retryAfter?: number | undefined;
  /** Sent as `realm="…"` in the challenge. */
  realm?: string | undefined;
  cause?: unknown;
}

/** Default Retry-After (seconds) when the cause does not say. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * The longest Retry-After (seconds) a 503 sends. The provider's own hint can be a day or garbage; our key
 * sets try again within seconds, so a client told to stay away longer would miss the recovery. Five minutes,
 * the same ceiling the token manager puts on a provider's Retry-After.
 */
export const MAX_RETRY_AFTER_SECONDS = 300;

/** A 503's Retry-After: a whole number of seconds in 1..MAX_RETRY_AFTER_SECONDS, whatever it was given. */
function retryAfterHeaderValue(seconds: number | undefined): number {
  const value = seconds !== undefined && !Number.isNaN(seconds) ? seconds : DEFAULT_RETRY_AFTER_SECONDS;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(value)));
}

/**
 * A request refused under RFC 6750. Carries the full answer (`status`, `headers`, `body`) so that a framework's
 * own error handler (Express `next(err)`, Koa `ctx.throw`) can send it unchanged. The message is the safe
 * `error_description`: never token content.
 */
export class BearerError extends IdentityModelError {
  declare readonly code: BearerErrorCode;
  readonly status: BearerResponse['status'];
  readonly description: string;
  readonly scope: readonly string[] | undefined;
  readonly retryAfter: number | undefined;
  readonly realm: string | undefined;
  /** Koa and http-errors convention: the message is safe to show the client. */
  readonly expose = true;

  constructor(code: BearerErrorCode, description: string, options: BearerErrorOptions = {}) {
    super(description, { code, cause: options.cause });
    this.status = STATUS[code];
    this.description = description;
    this.scope = options.scope;
    this.realm = options.realm;
    this.retryAfter = code === 'keys_unavailable' ? retryAfterHeaderValue(options.retryAfter) : undefined;
  }

  /** Alias of `status` for frameworks that read `statusCode` (Fastify, http-errors). */
  get statusCode(): number {
    return this.status;
  }

  /** Response headers: `www-authenticate` for 401/400/403, `retry-after` for 503. */
  get headers(): Record<string, string> {
    if (this.code === 'keys_unavailable') return { 'retry-after': String(this.retryAfter) };
    if (this.code === 'token_missing')
      return { 'www-authenticate': formatBearerChallenge({ realm: this.realm }) };
    return {
      'www-authenticate': formatBearerChallenge({
        realm: this.realm,
        error: this.code,
        errorDescription: this.description,
        scope: this.code === 'insufficient_scope' ? this.scope : undefined,
      }),
    };
  }

  get body(): BearerErrorBody {
    const error =
      this.code === 'token_missing'
        ? 'unauthorized'
        : this.code === 'keys_unavailable'
          ? 'temporarily_unavailable'
          : this.code;
    return { error, error_description: this.description };
  }

  toResponse(): BearerResponse {
    return { status: this.status, headers: this.headers, body: this.body };
  }

  /** The same refusal, answered in `realm`. */
  withRealm(realm: string | undefined): BearerError {
    if (realm === this.realm) return this;
    return new BearerError(this.code, this.description, {
      scope: this.scope,
      retryAfter: this.retryAfter,
      realm,
      cause: this.cause,
    });
  }
}
