import { inspect } from 'node:util';
import { parseDPoPNonce } from '../dpop/nonce-memory.js';
import { HttpError } from '../errors.js';
import { clampRetryAfterSeconds, parseRetryAfter } from '../http/retry.js';
import type { HttpResponse } from '../http/types.js';
import { describeBody, kindOf } from '../protocol/protocol-response.js';

/**
 * Why a response is unsuccessful: `protocol` — the provider answered with an OAuth error (`invalid_client`,
 * `invalid_scope`, …); `http` — no usable answer (network failure, timeout, a status without an OAuth error
 * body, retries exhausted); `exception` — something else went wrong (an answer that is not a token response,
 * a client assertion that could not be signed).
 *
 * How non-standard answers map (as Duende.IdentityModel maps them; py-identity-model only has `error`):
 * - a JSON object with a non-empty string `error`, whatever the status: `protocol`, the code kept as sent
 *   (glewlwyd's `scope_invalid` stays `scope_invalid`);
 * - any other non-2xx (403 with an empty body, an HTML error page, JSON that is not an object or has no
 *   `error`): `http`, with `httpStatus`;
 * - a 2xx that is not a token response (HTML, not a JSON object, no string `access_token`): `exception`.
 * No message quotes the body: a body that is not what we expected may still be a token.
 */
export type TokenResponseErrorType = 'protocol' | 'http' | 'exception';

export interface TokenResponseInit {
  httpStatus?: number;
  raw?: Record<string, unknown>;
  errorType?: TokenResponseErrorType;
  error?: string;
  errorDescription?: string;
  errorUri?: string;
  exception?: unknown;
  retryAfter?: number;
  dpopNonce?: string;
}

/**
 * The longest access-token lifetime we believe, in seconds (365 days). A larger `expires_in` (`1e308`) is
 * clamped to it, so a token still renews and its expiry stays a finite number (a timer, a Redis `PX`).
 */
export const MAX_EXPIRES_IN_SECONDS = 31_536_000;

const SECRET_FIELDS = new Set(['access_token', 'refresh_token', 'id_token']);

function str(raw: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = raw?.[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A token endpoint's answer (RFC 6749 §5.1/§5.2, RFC 8693 §2.2). An OAuth error is an expected outcome, so it
 * arrives here with `isSuccessful: false` rather than as an exception. Printing the response with
 * `console.log`/`util.inspect` masks the tokens.
 */
export class TokenResponse {
  readonly isSuccessful: boolean;
  readonly errorType: TokenResponseErrorType | undefined;
  readonly httpStatus: number | undefined;
  /** The parsed JSON body, when there was one. Holds the tokens: do not log it. */
  readonly raw: Record<string, unknown> | undefined;
  readonly accessToken: string | undefined;
  readonly tokenType: string | undefined;
  /** Seconds (`expires_in`), clamped to [0, MAX_EXPIRES_IN_SECONDS]; undefined when not sent. */
  readonly expiresIn: number | undefined;
  readonly scope: string | undefined;
  readonly refreshToken: string | undefined;
  readonly idToken: string | undefined;
  readonly issuedTokenType: string | undefined;
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
  readonly errorUri: string | undefined;
  /** What failed, for `http` and `exception` responses (an `HttpError`, a parse error, …). */
  readonly exception: unknown;
  /** Seconds the provider asked us to wait (`Retry-After` on 429/503), at most 24 h, when it said so. */
  readonly retryAfter: number | undefined;
  /** The `DPoP-Nonce` the server sent (RFC 9449 §8), when it is a well-formed nonce. */
  readonly dpopNonce: string | undefined;

  constructor(init: TokenResponseInit) {
    const raw = init.raw;
    this.raw = raw;
    this.httpStatus = init.httpStatus;
    this.errorType = init.errorType;
    this.isSuccessful = init.errorType === undefined;
    // An answer we refused (an empty token, an expires_in we cannot read) hands out no tokens to misuse.
    this.accessToken = this.isSuccessful ? str(raw, 'access_token') : undefined;
    this.tokenType = str(raw, 'token_type');
    this.expiresIn = parseExpiresIn(raw?.expires_in);
    this.scope = str(raw, 'scope');
    this.refreshToken = this.isSuccessful ? str(raw, 'refresh_token') : undefined;
    this.idToken = this.isSuccessful ? str(raw, 'id_token') : undefined;
    this.issuedTokenType = str(raw, 'issued_token_type');
    this.error = init.error ?? str(raw, 'error');
    this.errorDescription = init.errorDescription ?? str(raw, 'error_description');
    this.errorUri = init.errorUri ?? str(raw, 'error_uri');
    this.exception = init.exception;
    this.retryAfter = clampRetryAfterSeconds(init.retryAfter);
    this.dpopNonce = parseDPoPNonce(init.dpopNonce);
  }

  /** Reads an HTTP answer from a token endpoint. */
  static fromHttpResponse(response: HttpResponse): TokenResponse {
    const status = response.status;
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    const retryAfter = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
    const dpopNonce = response.headers['dpop-nonce'];
    let raw: Record<string, unknown> | undefined;
    let parseError: unknown;
    try {
      const parsed: unknown = JSON.parse(response.body.toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        raw = parsed as Record<string, unknown>;
      } else {
        parseError = new TypeError('the body is JSON but not an object');
      }
    } catch {
      // Not the parser's own error: V8 quotes the start of the text in its message, and that text may be a
      // token (a provider answering `access_token=…` or a bare token).
      parseError = new SyntaxError(`the body is not valid JSON (${describeBody(response)})`);
    }
    const ok = status >= 200 && status < 300;
    if (raw && typeof raw.error === 'string' && raw.error.length > 0) {
      return new TokenResponse({ httpStatus: status, raw, errorType: 'protocol', retryAfter, dpopNonce });
    }
    if (!ok) {
      return new TokenResponse({
        httpStatus: status,
        raw,
        errorType: 'http',
        error: `token endpoint answered HTTP ${status}${raw ? '' : ` without a JSON object (${describeBody(response)})`}`,
        retryAfter,
      });
    }
    if (!raw) {
      return new TokenResponse({
        httpStatus: status,
        errorType: 'exception',
        error: `token endpoint answered HTTP ${status} with a body that is not a JSON object (${describeBody(response)})`,
        exception: parseError,
      });
    }
    if (typeof raw.access_token !== 'string' || raw.access_token.length === 0) {
      return new TokenResponse({
        httpStatus: status,
        raw,
        errorType: 'exception',
        error:
          raw.access_token === undefined
            ? 'token endpoint answered without an access_token'
            : `token endpoint answered with an access_token that is not a non-empty string (${kindOf(raw.access_token)})`,
      });
    }
    if (raw.expires_in !== undefined && parseExpiresIn(raw.expires_in) === undefined) {
      return new TokenResponse({
        httpStatus: status,
        raw,
        errorType: 'exception',
        error: 'token endpoint answered with an expires_in that is not a non-negative number',
      });
    }
    return new TokenResponse({ httpStatus: status, raw, dpopNonce });
  }

  /** A request that produced no HTTP answer we could use: `http` for network/HTTP failures, else `exception`. */
  static fromError(err: unknown): TokenResponse {
    if (err instanceof HttpError) {
      return new TokenResponse({
        httpStatus: err.status,
        errorType: 'http',
        error: err.message,
        exception: err,
        retryAfter: err.retryAfter,
      });
    }
    const message = err instanceof Error ? `${err.name}: ${err.message}` : 'token request failed';
    return new TokenResponse({ errorType: 'exception', error: message, exception: err });
  }

  /** Masks tokens when the response is printed. */
  [inspect.custom](): Record<string, unknown> {
    const masked: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (key === 'raw' && value) {
        masked.raw = Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([k, v]) => [
            k,
            SECRET_FIELDS.has(k) ? '***' : v,
          ]),
        );
      } else if (key === 'accessToken' || key === 'refreshToken' || key === 'idToken') {
        masked[key] = value === undefined ? undefined : '***';
      } else {
        masked[key] = value;
      }
    }
    return masked;
  }

  /** `JSON.stringify` masks tokens too, so a response that ends up in a log line leaks nothing. */
  toJSON(): Record<string, unknown> {
    return this[inspect.custom]();
  }
}

/** `expires_in` as a number or a numeric string, clamped; undefined for anything else (negative, garbage). */
function parseExpiresIn(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  // JSON reads 1e400 as Infinity: a number too large, clamped like any other.
  if (typeof n !== 'number' || Number.isNaN(n) || n < 0) return undefined;
  return Math.min(n, MAX_EXPIRES_IN_SECONDS);
}
