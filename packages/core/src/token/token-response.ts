import { inspect } from 'node:util';
import { HttpError } from '../errors.js';
import type { HttpResponse } from '../http/types.js';

/**
 * Why a response is unsuccessful: `protocol` — the provider answered with an OAuth error (`invalid_client`,
 * `invalid_scope`, …); `http` — no usable answer (network failure, timeout, a status without an OAuth error
 * body, retries exhausted); `exception` — something else went wrong (an answer that is not a token response,
 * a client assertion that could not be signed).
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
}

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
  /** Seconds, as the provider sent it (`expires_in`). */
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
  /** Seconds the provider asked us to wait (`Retry-After` on 429/503), when it said so. */
  readonly retryAfter: number | undefined;

  constructor(init: TokenResponseInit) {
    const raw = init.raw;
    this.raw = raw;
    this.httpStatus = init.httpStatus;
    this.errorType = init.errorType;
    this.isSuccessful = init.errorType === undefined;
    this.accessToken = str(raw, 'access_token');
    this.tokenType = str(raw, 'token_type');
    this.expiresIn = parseExpiresIn(raw?.expires_in);
    this.scope = str(raw, 'scope');
    this.refreshToken = str(raw, 'refresh_token');
    this.idToken = str(raw, 'id_token');
    this.issuedTokenType = str(raw, 'issued_token_type');
    this.error = init.error ?? str(raw, 'error');
    this.errorDescription = init.errorDescription ?? str(raw, 'error_description');
    this.errorUri = init.errorUri ?? str(raw, 'error_uri');
    this.exception = init.exception;
    this.retryAfter = init.retryAfter;
  }

  /** Reads an HTTP answer from a token endpoint. */
  static fromHttpResponse(response: HttpResponse): TokenResponse {
    const status = response.status;
    const retryAfter = parseRetryAfter(response.headers['retry-after']);
    let raw: Record<string, unknown> | undefined;
    let parseError: unknown;
    try {
      const parsed: unknown = JSON.parse(response.body.toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        raw = parsed as Record<string, unknown>;
      } else {
        parseError = new TypeError('the body is JSON but not an object');
      }
    } catch (err) {
      parseError = err;
    }
    const ok = status >= 200 && status < 300;
    if (raw && typeof raw.error === 'string') {
      return new TokenResponse({ httpStatus: status, raw, errorType: 'protocol', retryAfter });
    }
    if (!ok) {
      return new TokenResponse({
        httpStatus: status,
        raw,
        errorType: 'http',
        error: `token endpoint answered HTTP ${status}${raw ? '' : ' without a JSON body'}`,
        retryAfter,
      });
    }
    if (!raw) {
      return new TokenResponse({
        httpStatus: status,
        errorType: 'exception',
        error: `token endpoint answered HTTP ${status} with a body that is not a JSON object`,
        exception: parseError,
      });
    }
    if (typeof raw.access_token !== 'string' || raw.access_token.length === 0) {
      return new TokenResponse({
        httpStatus: status,
        raw,
        errorType: 'exception',
        error: 'token endpoint answered without an access_token',
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
    return new TokenResponse({ httpStatus: status, raw });
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

function parseExpiresIn(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
