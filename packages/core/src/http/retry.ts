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

/** `Retry-After` as delta-seconds or an HTTP date, in ms from `now`; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.random() * ceiling;
}
