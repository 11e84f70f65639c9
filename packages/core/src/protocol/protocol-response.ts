import { inspect } from 'node:util';
import { HttpError } from '../errors.js';
import { clampRetryAfterSeconds, parseRetryAfter } from '../http/retry.js';
import type { HttpResponse } from '../http/types.js';

/**
 * Why a protocol response is unsuccessful (the same three kinds as `TokenResponse`): `protocol` — the server
 * answered with an OAuth error object; `http` — no usable answer (network, timeout, a status without an OAuth
 * error body); `exception` — anything else (a 2xx that is not the expected document, a signature that does not
 * verify, a request that could not be built).
 */
export type ProtocolErrorType = 'protocol' | 'http' | 'exception';

export interface ProtocolResponseInit {
  httpStatus?: number | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  raw?: Record<string, unknown> | undefined;
  errorType?: ProtocolErrorType | undefined;
  error?: string | undefined;
  errorDescription?: string | undefined;
  errorUri?: string | undefined;
  exception?: unknown;
  retryAfter?: number | undefined;
}

function str(raw: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = raw?.[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * What every endpoint's response has: `isSuccessful`, the OAuth error members, the HTTP status, the parsed
 * body (`raw`) and, for failures without an OAuth error, the `exception`. An OAuth error is an expected
 * outcome, so it arrives here rather than as a throw. Subclasses name the members that are secrets
 * (`secretMembers`, `secretProperties`): `util.inspect` and `JSON.stringify` show them as `***`.
 */
export abstract class ProtocolResponse {
  readonly isSuccessful: boolean;
  readonly errorType: ProtocolErrorType | undefined;
  readonly httpStatus: number | undefined;
  /** Response headers (lower-case names), when there was an HTTP answer. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body, when there was one. May hold secrets: do not log it. */
  readonly raw: Record<string, unknown> | undefined;
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
  readonly errorUri: string | undefined;
  /** What failed, for `http` and `exception` responses. */
  readonly exception: unknown;
  /** Seconds the server asked us to wait (`Retry-After`), at most 24 h, when it said so. */
  readonly retryAfter: number | undefined;

  constructor(init: ProtocolResponseInit) {
    this.raw = init.raw;
    this.httpStatus = init.httpStatus;
    this.headers = init.headers ?? {};
    this.errorType = init.errorType;
    this.isSuccessful = init.errorType === undefined;
    this.error = init.error ?? str(init.raw, 'error');
    this.errorDescription = init.errorDescription ?? str(init.raw, 'error_description');
    this.errorUri = init.errorUri ?? str(init.raw, 'error_uri');
    this.exception = init.exception;
    this.retryAfter = clampRetryAfterSeconds(init.retryAfter);
  }

  /** Members of `raw` that are secrets (tokens, client secrets, registration access tokens). */
  protected secretMembers(): ReadonlySet<string> {
    return NO_SECRETS;
  }

  /** Own properties that are secrets. */
  protected secretProperties(): ReadonlySet<string> {
    return NO_SECRETS;
  }

  /** Masks secrets when the response is printed. */
  [inspect.custom](): Record<string, unknown> {
    const members = this.secretMembers();
    const properties = this.secretProperties();
    const masked: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (key === 'raw' && value) masked.raw = maskMembers(value as Record<string, unknown>, members);
      else if (properties.has(key)) masked[key] = value === undefined ? undefined : '***';
      else masked[key] = value;
    }
    return masked;
  }

  /** `JSON.stringify` masks secrets too, so a response that ends up in a log line leaks nothing. */
  toJSON(): Record<string, unknown> {
    return this[inspect.custom]();
  }
}

const NO_SECRETS: ReadonlySet<string> = new Set();

function maskMembers(raw: Record<string, unknown>, secret: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, secret.has(k) ? '***' : v]));
}

/** What came back, for a message: its size and bare media type, never its content. */
export function describeBody(response: HttpResponse): string {
  if (response.body.length === 0) return 'empty body';
  const type = mediaType(response.headers['content-type']);
  return `${type ?? 'unknown content type'}, ${response.body.length} bytes`;
}

/** The bare, lower-case media type of a `Content-Type` value, when it is a well-formed one. */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type && /^[\w.+-]{1,64}\/[\w.+-]{1,64}$/.test(type) ? type : undefined;
}

/** The JSON type of a value, for a message that must not show the value. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The body as a JSON object, or why it is not one (never the parser's message: V8 quotes the text). */
export function readJsonObject(response: HttpResponse): {
  raw?: Record<string, unknown>;
  parseError?: Error;
} {
  if (response.body.length === 0) return { parseError: new SyntaxError('the body is empty') };
  try {
    const parsed: unknown = JSON.parse(response.body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return { raw: parsed as Record<string, unknown> };
    }
    return { parseError: new TypeError(`the body is JSON but ${kindOf(parsed)}, not an object`) };
  } catch {
    return { parseError: new SyntaxError(`the body is not valid JSON (${describeBody(response)})`) };
  }
}

/**
 * The common reading of an endpoint's HTTP answer: an OAuth error object (any status) → `protocol`; another
 * non-2xx → `http`; otherwise undefined, and the caller reads the success body itself. `what` names the
 * endpoint in messages ("introspection endpoint").
 */
export function readErrorAnswer(response: HttpResponse, what: string): ProtocolResponseInit | undefined {
  const base = {
    httpStatus: response.status,
    headers: response.headers,
    retryAfter: retryAfterSeconds(response),
  };
  const { raw } = readJsonObject(response);
  if (raw && typeof raw.error === 'string' && raw.error.length > 0) {
    return { ...base, raw, errorType: 'protocol' };
  }
  if (response.status >= 200 && response.status < 300) return undefined;
  return {
    ...base,
    raw,
    errorType: 'http',
    error: `${what} answered HTTP ${response.status}${raw ? '' : ` without a JSON object (${describeBody(response)})`}`,
  };
}

/** A 2xx body that is not what the endpoint should send: `exception`, saying what was wrong. */
export function unexpectedAnswer(
  response: HttpResponse,
  why: string,
  exception?: unknown,
): ProtocolResponseInit {
  return {
    httpStatus: response.status,
    headers: response.headers,
    errorType: 'exception',
    error: why,
    exception,
  };
}

/** A request that produced no usable HTTP answer: `http` for network/HTTP failures, else `exception`. */
export function failureFromError(err: unknown, what: string): ProtocolResponseInit {
  if (err instanceof HttpError) {
    return {
      httpStatus: err.status,
      errorType: 'http',
      error: err.message,
      exception: err,
      retryAfter: err.retryAfter,
    };
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : `${what} request failed`;
  return { errorType: 'exception', error: message, exception: err };
}

function retryAfterSeconds(response: HttpResponse): number | undefined {
  const ms = parseRetryAfter(response.headers['retry-after']);
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}
