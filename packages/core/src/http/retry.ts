import type { RetryMode } from './types.js';

/** Errors raised before any byte of the request can have reached the server. */
const UNSENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  // undici sometimes wraps the socket error; look one level down too.
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

export function isUnsentError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && UNSENT_CODES.has(code);
}

export function isRetryableStatus(mode: RetryMode, status: number): boolean {
  switch (mode) {
    case 'all':
      return status === 429 || status >= 500;
    case 'rate-limited':
      return status === 429 || status === 503;
    default:
      return false;
  }
}

/** Network failures (not timeouts, not aborts, not oversize bodies: those are never retried). */
export function isRetryableNetworkError(mode: RetryMode, error: unknown): boolean {
  switch (mode) {
    case 'all':
    case 'rate-limited':
      return true;
    case 'unsent':
      return isUnsentError(error);
    default:
      return false;
  }
}

/**
 * The longest pause we take from a server's `Retry-After`, in seconds (24 h). A longer value (400 digits, a
 * date in year 9999) is clamped to this: it still means "do not retry now", as a finite number every consumer
 * (timers, a 503's own `Retry-After`, a Redis expiry) can use.
 */
export const MAX_PROVIDER_RETRY_AFTER_SECONDS = 86_400;

// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must accept.
// Date.parse alone would read "-5" or "abc 2" as dates in 2001.
const IMF_FIXDATE = /^[a-z]{3}, \d{2} [a-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/i;
const RFC850_DATE = /^[a-z]{6,9}, \d{2}-[a-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/i;
const ASCTIME_DATE = /^[a-z]{3} [a-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/i;

function parseHttpDate(value: string): number {
  if (IMF_FIXDATE.test(value) || RFC850_DATE.test(value)) return Date.parse(value);
  // asctime carries no zone but means GMT; Date.parse would read it as local time.
  if (ASCTIME_DATE.test(value)) return Date.parse(`${value} GMT`);
  return Number.NaN;
}

/**
 * `Retry-After` (delta-seconds or an HTTP date) in ms from `now`, clamped to
 * [0, MAX_PROVIDER_RETRY_AFTER_SECONDS]; a date in the past is 0. Undefined when absent or not one of those forms (negative, fractional, garbage).
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) {
    ms = Number(trimmed) * 1000; // 400 digits are Infinity here: clamped below
  } else {
    const date = parseHttpDate(trimmed);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(MAX_PROVIDER_RETRY_AFTER_SECONDS * 1000, Math.max(0, ms));
}

/**
 * A `Retry-After` already in seconds (carried on an error or a response) as a whole number in
 * [0, MAX_PROVIDER_RETRY_AFTER_SECONDS]; undefined for anything that is not a non-negative number.
 */
export function clampRetryAfterSeconds(value: unknown): number | undefined {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) return undefined;
  return Math.min(MAX_PROVIDER_RETRY_AFTER_SECONDS, Math.ceil(value));
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.random() * ceiling;
}
