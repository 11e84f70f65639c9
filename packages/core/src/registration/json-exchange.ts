import { ConfigurationError } from '../errors.js';
import { getDefaultHttpClient } from '../http/default-client.js';
import type { HttpClient, HttpMethod, HttpResponse, RetryMode } from '../http/types.js';
import { extraHeaders } from '../protocol/authenticated-request.js';

/** What every registration and configuration request takes besides its own members. */
export interface JsonEndpointOptions {
  /** Extra HTTP headers (cannot replace Authorization, Content-Type or Accept). */
  headers?: Record<string, string>;
  /** Whole-exchange timeout in ms for this request (default: the HTTP client's). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The validated transport options of a JSON endpoint request. */
export class JsonEndpointSettings {
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;

  constructor(options: JsonEndpointOptions) {
    this.headers = extraHeaders(options.headers);
    this.timeoutMs = options.timeoutMs;
    this.signal = options.signal;
  }

  /**
   * One exchange with a registration or client configuration endpoint: JSON in and out, a Bearer token when
   * given, never a redirect (the token would follow it).
   */
  send(
    httpClient: HttpClient | undefined,
    request: { url: string; method: HttpMethod; bearer?: string; body?: unknown; retry: RetryMode },
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...this.headers, accept: 'application/json' };
    if (request.bearer !== undefined) headers.authorization = `Bearer ${request.bearer}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    return (httpClient ?? getDefaultHttpClient()).request({
      url: request.url,
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      retry: request.retry,
      timeoutMs: this.timeoutMs,
      signal: this.signal,
      followRedirects: false,
    });
  }
}

/** A Bearer token a caller gives: visible ASCII only, so it cannot break the header (RFC 6750 §2.1). */
export function bearerToken(value: unknown, option: string): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value)) {
    throw new ConfigurationError(`${option}: must be a non-empty token of visible ASCII characters`);
  }
  return value;
}
