import { eventUrl, type FetchReason, keySetFetchChannel } from '../diagnostics.js';
import { HttpError } from '../errors.js';
import { getDefaultHttpClient } from '../http/default-client.js';
import { clampRetryAfterSeconds } from '../http/retry.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import { checkKeySet } from './check-jwk.js';
import type { JsonWebKey, RejectedKey } from './json-web-key.js';

export const MAX_JWKS_BYTES = 512 * 1024;

export interface JwksRequestOptions {
  /** The `jwks_uri`. */
  address: string | URL;
  /** Response size cap in bytes. Default 512 KiB. */
  maxBodyBytes?: number;
  /** Whole-exchange timeout in ms (default: the client's). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class JwksRequest {
  readonly address: string;
  readonly maxBodyBytes: number;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;

  constructor(options: JwksRequestOptions) {
    this.address = String(options.address);
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_JWKS_BYTES;
    this.timeoutMs = options.timeoutMs;
    this.signal = options.signal;
  }
}

export type JwksErrorType = 'http' | 'protocol' | 'exception';

interface JwksResponseInit {
  keys?: readonly JsonWebKey[];
  rejectedKeys?: readonly RejectedKey[];
  raw?: unknown;
  httpStatus?: number;
  headers?: Readonly<Record<string, string>>;
  error?: string;
  errorType?: JwksErrorType;
  cause?: unknown;
}

/** The outcome of a JWKS request: the usable keys of the set, or an error. Never thrown. */
export class JwksResponse {
  /** The keys that passed the RFC 7517 checks, as published. */
  readonly keys: readonly JsonWebKey[];
  /** Keys left out of the set, with the reason (the set itself was acceptable). */
  readonly rejectedKeys: readonly RejectedKey[];
  readonly raw: unknown;
  readonly httpStatus: number | undefined;
  /** Response headers, lower-case names (used for `Cache-Control`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly error: string | undefined;
  readonly errorType: JwksErrorType | undefined;
  readonly cause: unknown;

  /** @internal Built by `getJwks`. */
  constructor(init: JwksResponseInit) {
    this.keys = init.keys ?? [];
    this.rejectedKeys = init.rejectedKeys ?? [];
    this.raw = init.raw;
    this.httpStatus = init.httpStatus;
    this.headers = init.headers ?? {};
    this.error = init.error;
    this.errorType = init.errorType;
    this.cause = init.cause;
  }

  get isSuccessful(): boolean {
    return this.error === undefined;
  }

  /** Seconds the server asked us to wait (a whole number, at most 24 h), when a failed fetch said so. */
  get retryAfter(): number | undefined {
    return this.cause instanceof HttpError ? clampRetryAfterSeconds(this.cause.retryAfter) : undefined;
  }

  /** The key with this `kid`, if the set has it. */
  getKey(kid: string): JsonWebKey | undefined {
    return this.keys.find((key) => key.kid === kid);
  }
}

/** `application/json` or `application/jwk-set+json` (RFC 7517 §8.5.1), parameters allowed. */
export function isJwksContentType(value: string | undefined): boolean {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || type === 'application/jwk-set+json';
}

function fail(
  errorType: JwksErrorType,
  error: string,
  extra: Omit<JwksResponseInit, 'error' | 'errorType'> = {},
) {
  return new JwksResponse({ errorType, error, ...extra });
}

/**
 * Fetches a JWK Set and checks it (RFC 7517): `keys` an array of objects, `kty` with its members,
 * `use`/`key_ops` consistent, no duplicate `kid`, at most 100 keys and 512 KiB, a JSON content type,
 * RSA keys of 2048 to 8192 bits with an odd exponent of at most 32 bits, no private or symmetric keys.
 * Redirects are not followed.
 *
 * A set with no usable key — `{"keys": []}`, or every key left out — is a `protocol` error (with the
 * `rejectedKeys` when there were any): nothing could ever be verified with it, and a key set cache must
 * keep its last good keys rather than adopt it (a botched rotation).
 */
export function getJwks(
  request: JwksRequest,
  httpClient: HttpClient = getDefaultHttpClient(),
): Promise<JwksResponse> {
  if (!keySetFetchChannel.hasSubscribers) return fetchJwks(request, httpClient);
  const started = performance.now();
  return fetchJwks(request, httpClient).then((response) => {
    publishKeySetFetch(request.address, 'uncached', response, started);
    return response;
  });
}

/**
 * @internal Publishes one fetch on `identity-model:jwks:fetch` (the caller checked `hasSubscribers`);
 * `response` is the verdict the caller acted on.
 */
export function publishKeySetFetch(
  url: string,
  reason: FetchReason,
  response: JwksResponse,
  started: number,
): void {
  keySetFetchChannel.publish({
    url: eventUrl(url),
    reason,
    outcome: response.isSuccessful ? 'ok' : 'error',
    ...(response.httpStatus === undefined ? {} : { status: response.httpStatus }),
    ...(response.errorType === undefined ? {} : { errorType: response.errorType }),
    keys: response.isSuccessful ? response.keys.length : 0,
    durationMs: performance.now() - started,
  });
}

/** @internal `getJwks` without its event: a key set cache publishes its own, with the reason. */
export async function fetchJwks(request: JwksRequest, httpClient: HttpClient): Promise<JwksResponse> {
  let response: HttpResponse;
  try {
    response = await httpClient.request({
      url: request.address,
      method: 'GET',
      headers: { accept: 'application/jwk-set+json, application/json' },
      retry: 'all',
      maxBodyBytes: request.maxBodyBytes,
      ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
  } catch (cause) {
    if (cause instanceof HttpError) {
      return fail('http', `JWKS request failed: ${cause.message}`, {
        cause,
        ...(cause.status === undefined ? {} : { httpStatus: cause.status }),
      });
    }
    return fail('exception', `JWKS request failed: ${(cause as Error).message}`, { cause });
  }

  const base = { httpStatus: response.status, headers: response.headers };
  if (response.status >= 300 && response.status < 400) {
    return fail('http', `JWKS endpoint redirected (${response.status}); redirects are not followed`, base);
  }
  if (response.status !== 200) return fail('http', `JWKS endpoint answered ${response.status}`, base);
  const contentType = response.headers['content-type'];
  if (!isJwksContentType(contentType)) {
    return fail(
      'protocol',
      `JWKS endpoint answered ${contentType ?? 'no content type'}, not a JWK Set`,
      base,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(response.body.toString('utf8'));
  } catch (cause) {
    return fail('protocol', 'the JWK Set is not valid JSON', { ...base, cause });
  }
  const checked = checkKeySet(raw);
  if (!checked.ok) return fail('protocol', checked.error, { ...base, raw });
  if (checked.keys.length === 0) {
    const error =
      checked.rejected.length === 0
        ? 'the key set is empty'
        : `the key set has no usable key: all ${checked.rejected.length} were left out`;
    return fail('protocol', error, { ...base, raw, rejectedKeys: checked.rejected });
  }
  return new JwksResponse({ ...base, raw, keys: checked.keys, rejectedKeys: checked.rejected });
}
