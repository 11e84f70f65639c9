import { IdentityModelError } from '../errors.js';
import { type ChallengeScheme, type ChallengeSettings, formatChallenge } from './challenge.js';

/**
 * Why a request was refused:
 * - `token_missing`: no credentials at all → 401, challenge without an error code (RFC 6750 §3.1);
 * - `invalid_request`: malformed or ambiguous credentials → 400;
 * - `invalid_token`: the token was not accepted → 401;
 * - `insufficient_scope`: the token lacks a scope or claim the resource needs → 403;
 * - `insufficient_user_authentication`: the user authenticated too weakly or too long ago (RFC 9470) → 401;
 * - `invalid_dpop_proof`: the DPoP proof is missing, malformed or does not match the request (RFC 9449) → 401;
 * - `use_dpop_nonce`: the DPoP proof must carry the server's current nonce (RFC 9449 §9) → 401 + DPoP-Nonce;
 * - `keys_unavailable`: the provider's keys cannot be had, so nothing can be decided → 503 + Retry-After.
 */
export type BearerErrorCode =
  | 'token_missing'
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'insufficient_user_authentication'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
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
  insufficient_user_authentication: 401,
  invalid_dpop_proof: 401,
  use_dpop_nonce: 401,
  keys_unavailable: 503,
};

export interface BearerErrorOptions {
  /** For `insufficient_scope`: the scopes the resource needs (sent as `scope="…"`). */
  scope?: readonly string[] | undefined;
  /** For `keys_unavailable`: seconds before trying again makes sense (clamped to 1..300). */
  retryAfter?: number | undefined;
  /** For `insufficient_user_authentication`: the acceptable `acr` values (sent as `acr_values="…"`). */
  acrValues?: readonly string[] | undefined;
  /** For `insufficient_user_authentication`: the accepted age of the authentication (sent as `max_age=…`). */
  maxAge?: number | undefined;
  /** The scheme the refused credentials used: its challenge carries the error. Default: the first offered. */
  scheme?: ChallengeScheme | undefined;
  /** For `use_dpop_nonce` (or any DPoP refusal): the nonce sent in the `DPoP-Nonce` header. */
  dpopNonce?: string | undefined;
  /** Sent as `realm="…"` in the challenge (shorthand for `challenge.realm`). */
  realm?: string | undefined;
  /** Realm, metadata URL and offered schemes of the resource server answering. Default: Bearer only. */
  challenge?: ChallengeSettings | undefined;
  /**
   * The request came from a browser on another origin (it carried `Origin`): list the refusal's headers in
   * `Access-Control-Expose-Headers` so the client can read its challenge (RFC 9728 §5.1 discovery).
   */
  exposeHeaders?: boolean | undefined;
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
  readonly acrValues: readonly string[] | undefined;
  readonly maxAge: number | undefined;
  readonly scheme: ChallengeScheme | undefined;
  readonly dpopNonce: string | undefined;
  readonly challenge: Readonly<ChallengeSettings>;
  /** See `BearerErrorOptions.exposeHeaders`. */
  readonly exposeHeaders: boolean;
  /** Koa and http-errors convention: the message is safe to show the client. */
  readonly expose = true;

  constructor(code: BearerErrorCode, description: string, options: BearerErrorOptions = {}) {
    super(description, { code, cause: options.cause });
    this.status = STATUS[code];
    this.description = description;
    this.scope = options.scope;
    this.acrValues = options.acrValues;
    this.maxAge = options.maxAge;
    this.scheme = options.scheme;
    this.dpopNonce = options.dpopNonce;
    this.exposeHeaders = options.exposeHeaders === true;
    const challenge = options.challenge ?? {};
    this.challenge =
      options.realm === undefined || options.realm === challenge.realm
        ? challenge
        : { ...challenge, realm: options.realm };
    this.retryAfter = code === 'keys_unavailable' ? retryAfterHeaderValue(options.retryAfter) : undefined;
  }

  /** Alias of `status` for frameworks that read `statusCode` (Fastify, http-errors). */
  get statusCode(): number {
    return this.status;
  }

  get realm(): string | undefined {
    return this.challenge.realm;
  }

  /**
   * Response headers: `retry-after` for 503; otherwise `www-authenticate` with one challenge per scheme the
   * server offers (Bearer, DPoP), the error on the scheme the request used, and `dpop-nonce` when set.
   */
  get headers(): Record<string, string> {
    if (this.code === 'keys_unavailable') {
      const unavailable: Record<string, string> = { 'retry-after': String(this.retryAfter) };
      if (this.exposeHeaders) unavailable['access-control-expose-headers'] = 'Retry-After';
      return unavailable;
    }
    const { realm, resourceMetadata, dpopAlgorithms } = this.challenge;
    const schemes: ChallengeScheme[] = [];
    if (this.challenge.bearer !== false) schemes.push('Bearer');
    if (dpopAlgorithms !== undefined) schemes.push('DPoP');
    const errorScheme = this.scheme ?? schemes[0] ?? 'Bearer';
    if (!schemes.includes(errorScheme)) schemes.push(errorScheme);
    const challenges = schemes.map((scheme) => {
      const common = { realm, resourceMetadata, algs: scheme === 'DPoP' ? dpopAlgorithms : undefined };
      if (scheme !== errorScheme || this.code === 'token_missing') return formatChallenge(scheme, common);
      return formatChallenge(scheme, {
        ...common,
        error: this.code,
        errorDescription: this.description,
        scope: this.code === 'insufficient_scope' ? this.scope : undefined,
        acrValues: this.code === 'insufficient_user_authentication' ? this.acrValues : undefined,
        maxAge: this.code === 'insufficient_user_authentication' ? this.maxAge : undefined,
      });
    });
    const headers: Record<string, string> = { 'www-authenticate': challenges.join(', ') };
    if (this.dpopNonce !== undefined) headers['dpop-nonce'] = this.dpopNonce;
    if (this.exposeHeaders) {
      headers['access-control-expose-headers'] =
        this.dpopNonce === undefined ? 'WWW-Authenticate' : 'WWW-Authenticate, DPoP-Nonce';
    }
    return headers;
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
    if (realm === this.challenge.realm) return this;
    return this.withChallenge({ ...this.challenge, realm });
  }

  /** The same refusal, answered with the challenge settings of the resource server that refused it. */
  withChallenge(challenge: ChallengeSettings): BearerError {
    if (challenge === this.challenge) return this;
    return this.#copy(challenge, this.exposeHeaders);
  }

  /** The same refusal, readable by a browser client on another origin (see `exposeHeaders`). */
  exposedToBrowsers(): BearerError {
    return this.exposeHeaders ? this : this.#copy(this.challenge, true);
  }

  #copy(challenge: ChallengeSettings, exposeHeaders: boolean): BearerError {
    return new BearerError(this.code, this.description, {
      scope: this.scope,
      retryAfter: this.retryAfter,
      acrValues: this.acrValues,
      maxAge: this.maxAge,
      scheme: this.scheme,
      dpopNonce: this.dpopNonce,
      challenge,
      exposeHeaders,
      cause: this.cause,
    });
  }
}
