import { type Dispatcher, fetch as undiciFetch } from 'undici';
import { ConfigurationError } from '../errors.js';
import { crossOriginDroppedHeaders } from '../http/credential-headers.js';
import {
  credentialsFor,
  isInvalidTokenChallenge,
  OriginAllowList,
  renewAfterRejection,
  requestedDPoPNonce,
  type TokenInjectionOptions,
} from './injection-support.js';
import type { AccessTokenSource, ClientCredentialsToken } from './managed-token.js';

type Fetch = typeof globalThis.fetch;
type FetchInit = NonNullable<Parameters<Fetch>[1]>;
type FetchInput = Parameters<Fetch>[0];

export interface AuthenticatedFetchOptions extends TokenInjectionOptions {
  /** The fetch to wrap (default `globalThis.fetch`); undici's `fetch` works too. */
  fetch?: Fetch;
  /** Most redirects followed (0 to 20; default 20, as fetch does). */
  maxRedirects?: number;
  /**
   * The undici dispatcher every call goes through (then `fetch` defaults to undici's own). For a
   * certificate-bound token (RFC 8705 §3): `createHttpClient({ clientCertificate }).dispatcher`, so the API
   * sees the certificate the token is bound to.
   */
  dispatcher?: Dispatcher;
}

/** What fetch strips on a cross-origin hop (and DPoP, a proof for the old URL): the caller's credentials. */
const DROPPED_ACROSS_ORIGINS = crossOriginDroppedHeaders(undefined, 'headers');

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const BODY_HEADERS = [
  'content-encoding',
  'content-language',
  'content-location',
  'content-type',
  'content-length',
];

/** Bodies fetch can send again: everything but streams and async iterables. */
function isReplayable(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof Blob ||
    body instanceof FormData
  );
}

function isRequestLike(input: FetchInput): input is Request {
  return (
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof URL) &&
    'url' in input &&
    'method' in input
  );
}

/** Puts `token` (and for a DPoP token, a proof for this method and URL) on `headers`; returns the scheme. */
async function authorize(
  source: AccessTokenSource,
  headers: Headers,
  token: ClientCredentialsToken,
  method: string,
  url: URL,
  nonce?: string,
): Promise<'Bearer' | 'DPoP'> {
  const credentials = await credentialsFor(source, token, method, url, nonce);
  headers.set('authorization', credentials.authorization);
  if (credentials.dpop !== undefined) headers.set('dpop', credentials.dpop);
  return credentials.scheme;
}

interface Normalized {
  url: string;
  init: FetchInit;
}

/** Splits (input, init) into a URL string and a plain init, so the wrapped fetch never sees a foreign Request. */
function normalize(input: FetchInput, init: FetchInit | undefined): Normalized {
  if (!isRequestLike(input)) return { url: String(input), init: { ...init } };
  const merged: FetchInit = {
    method: input.method,
    headers: input.headers,
    redirect: input.redirect,
    signal: input.signal,
    ...init,
  };
  if (!init || !('body' in init)) {
    if (input.body !== null) {
      merged.body = input.body;
      (merged as FetchInit & { duplex?: string }).duplex = 'half';
    }
  }
  return { url: input.url, init: merged };
}

/**
 * A `fetch` that sends `Authorization: Bearer <token>` to the configured origins and to nothing else. It
 * follows redirects itself, one hop at a time, so a redirect to another origin goes out without the token;
 * a caller-set `Authorization` is left alone (and the request passes through untouched). After a 401 whose
 * `WWW-Authenticate` says `Bearer error="invalid_token"`, it renews the token once and retries once when the
 * body can be sent again (not for streams).
 *
 * With a DPoP-bound token (a manager built with `dpop`), each request and each redirect hop goes out with
 * `Authorization: DPoP <token>` and a fresh `DPoP` proof for that method and URL (`ath` included); a 401
 * with `WWW-Authenticate: DPoP error="use_dpop_nonce"` and a `DPoP-Nonce` is sent once more with a proof
 * carrying that nonce (replayable bodies only), and each origin's last nonce goes into its next proofs.
 * For a certificate-bound token (RFC 8705), pass a `fetch` whose connections present the certificate, e.g.
 * undici's `fetch` with `dispatcher: createHttpClient({ clientCertificate }).dispatcher` (see `dispatcher`).
 */
export function createAuthenticatedFetch(
  source: AccessTokenSource,
  options: AuthenticatedFetchOptions,
): Fetch {
  if (!source || typeof source.getToken !== 'function') {
    throw new ConfigurationError(
      'manager: an object with getToken() (a ClientCredentialsTokenManager) is required',
    );
  }
  const allow = new OriginAllowList(options?.origins);
  const dispatcher = options.dispatcher;
  if (dispatcher !== undefined && typeof dispatcher?.dispatch !== 'function') {
    throw new ConfigurationError('dispatcher: an undici Dispatcher (e.g. httpClient.dispatcher) is required');
  }
  const wrapped =
    options.fetch ?? (dispatcher === undefined ? globalThis.fetch : (undiciFetch as unknown as Fetch));
  if (typeof wrapped !== 'function') throw new ConfigurationError('fetch: no fetch implementation available');
  const fetchImpl: Fetch =
    dispatcher === undefined
      ? wrapped
      : (input, init) => wrapped(input, { ...init, dispatcher } as unknown as FetchInit);
  const maxRedirects = options.maxRedirects ?? 20;
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0 || maxRedirects > 20) {
    throw new ConfigurationError(
      `maxRedirects: a whole number from 0 to 20 is required, got ${String(maxRedirects)}`,
    );
  }

  const authenticatedFetch = async (input: FetchInput, init?: FetchInit): Promise<Response> => {
    const { url, init: base } = normalize(input, init);
    const callerHeaders = new Headers(base.headers);
    if (!allow.has(url) || callerHeaders.has('authorization')) return fetchImpl(input, init);

    const redirectMode = base.redirect ?? 'follow';
    let method = (base.method ?? 'GET').toUpperCase();
    let body = base.body;
    const replayable = isReplayable(body);
    let current = new URL(url);
    let retried = false;

    for (let hop = 0; ; hop++) {
      const headers = new Headers(callerHeaders);
      let sent: ClientCredentialsToken | undefined;
      let scheme: 'Bearer' | 'DPoP' = 'Bearer';
      if (allow.has(current)) {
        sent = await source.getToken();
        scheme = await authorize(source, headers, sent, method, current);
      }
      const send = () => fetchImpl(current.href, { ...base, method, headers, body, redirect: 'manual' });
      let response = await send();
      // RFC 9449 §9: any answer may carry the nonce for the next proof to this origin.
      if (scheme === 'DPoP') source.dpop?.rememberNonce(current, response.headers.get('dpop-nonce'));

      const nonce =
        sent !== undefined && scheme === 'DPoP' && replayable
          ? requestedDPoPNonce(
              response.status,
              response.headers.get('www-authenticate') ?? undefined,
              response.headers.get('dpop-nonce'),
            )
          : undefined;
      if (sent !== undefined && nonce !== undefined) {
        // Once per hop: a server that refuses its own fresh nonce gets its answer passed on.
        await response.body?.cancel().catch(() => {});
        await authorize(source, headers, sent, method, current, nonce);
        response = await send();
        source.dpop?.rememberNonce(current, response.headers.get('dpop-nonce'));
      }

      if (
        response.status === 401 &&
        sent !== undefined &&
        !retried &&
        replayable &&
        isInvalidTokenChallenge(response.headers.get('www-authenticate') ?? undefined, scheme)
      ) {
        retried = true;
        await response.body?.cancel().catch(() => {});
        const fresh = await renewAfterRejection(source, sent.accessToken);
        await authorize(source, headers, fresh, method, current);
        response = await send();
      }

      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null || redirectMode === 'manual') return response;
      await response.body?.cancel().catch(() => {});
      if (redirectMode === 'error') throw new TypeError('fetch failed: redirect with redirect mode "error"');
      if (hop >= maxRedirects) throw new TypeError(`fetch failed: more than ${maxRedirects} redirects`);
      const next = new URL(location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new TypeError('fetch failed: redirect to a URL that is not http(s)');
      }
      // Fetch §4.4 HTTP-redirect fetch: 303 (and 301/302 after POST) become a GET without a body.
      if (
        (response.status === 303 && method !== 'GET' && method !== 'HEAD') ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
        for (const name of BODY_HEADERS) callerHeaders.delete(name);
      } else if (!replayable) {
        throw new TypeError('fetch failed: cannot follow a redirect with a streamed body');
      }
      if (next.origin !== current.origin)
        for (const name of DROPPED_ACROSS_ORIGINS) callerHeaders.delete(name);
      current = next;
    }
  };
  return authenticatedFetch as Fetch;
}
