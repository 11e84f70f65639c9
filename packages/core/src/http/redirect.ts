import { ConfigurationError, HttpError } from '../errors.js';
import { crossOriginDroppedHeaders } from './credential-headers.js';
import { describeUrl } from './describe-url.js';
import type { HttpClientOptions, HttpMethod } from './types.js';

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_REDIRECTS = 5;
const MAX_REDIRECTS_CAP = 20;

/** How a client follows redirects, resolved once when it is built. */
export interface RedirectPolicy {
  maxRedirects: number;
  /** Lower-case header names never carried to another origin. */
  dropped: ReadonlySet<string>;
}

export function resolveRedirectPolicy(options: HttpClientOptions): RedirectPolicy {
  const max = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (!Number.isInteger(max) || max < 0 || max > MAX_REDIRECTS_CAP) {
    throw new ConfigurationError(
      `HttpClientOptions.maxRedirects must be a whole number from 0 to ${MAX_REDIRECTS_CAP}, got ${String(max)}`,
    );
  }
  return {
    maxRedirects: max,
    dropped: crossOriginDroppedHeaders(options.credentialHeaders, 'HttpClientOptions.credentialHeaders'),
  };
}

/** The client's dropped headers plus those one request marks. */
export function droppedFor(
  policy: RedirectPolicy,
  marked: readonly string[] | undefined,
): ReadonlySet<string> {
  if (marked === undefined) return policy.dropped;
  return new Set([...policy.dropped, ...crossOriginDroppedHeaders(marked, 'HttpRequest.credentialHeaders')]);
}

/** What a redirect can change about a request. */
export interface HopRequest {
  method: HttpMethod;
  headers: Record<string, string>;
  body: string | undefined;
}

/**
 * The next hop for a 3xx with `location`. To another origin, the hop carries none of `dropped`, and a 307/308
 * that would resend the body there is refused (`http_redirect`): the body may hold a credential too (a client
 * secret, a code). As browsers and curl do, 303 always, and 301/302 after a POST, continue as a GET without a body;
 * 301/302 keep any other method (a PUT) with its body, so they are refused towards another origin as well.
 */
export function nextHop(
  status: number,
  location: string,
  current: URL,
  request: HopRequest,
  dropped: ReadonlySet<string>,
): { url: URL; request: HopRequest } {
  let next: URL;
  try {
    next = new URL(location, current);
  } catch (cause) {
    throw new HttpError(`${describeUrl(current)} redirected to an invalid location`, {
      code: 'http_redirect',
      status,
      cause,
    });
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new HttpError(`${describeUrl(current)} redirected to a ${next.protocol} URL`, {
      code: 'http_redirect',
      status,
    });
  }
  const keepsMethod = status === 307 || status === 308;
  // RFC 9110 §15.4.4: 303 means "GET the result" whatever the method was.
  const becomesGet =
    request.method !== 'GET' && (status === 303 || (!keepsMethod && request.method === 'POST'));
  const headers = { ...request.headers };
  if (next.origin !== current.origin) {
    if (!becomesGet && request.body !== undefined) {
      throw new HttpError(
        `${describeUrl(current)} answered ${status} towards another origin (${next.origin}); not followed, as it would resend the request body there`,
        { code: 'http_redirect', status },
      );
    }
    for (const name of Object.keys(headers)) if (dropped.has(name)) delete headers[name];
  }
  if (becomesGet) {
    delete headers['content-type'];
    return { url: next, request: { method: 'GET', headers, body: undefined } };
  }
  return { url: next, request: { ...request, headers } };
}
