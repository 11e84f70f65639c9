import type { Dispatcher } from 'undici';
import { ConfigurationError } from '../errors.js';
import {
  credentialsFor,
  isInvalidTokenChallenge,
  OriginAllowList,
  type RequestCredentials,
  renewAfterRejection,
  requestedDPoPNonce,
  type TokenInjectionOptions,
} from './injection-support.js';
import type { AccessTokenSource, ClientCredentialsToken } from './managed-token.js';

type Handler = Dispatcher.DispatchHandler;
type Controller = Dispatcher.DispatchController;
type Dispatch = Dispatcher['dispatch'];
type HeaderInput = Dispatcher.DispatchOptions['headers'];

/** Flattens every header shape undici accepts into `[name, value, name, value, …]`. */
function flattenHeaders(headers: HeaderInput): string[] {
  const out: string[] = [];
  if (headers == null) return out;
  const push = (name: unknown, value: unknown) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) for (const v of value) out.push(String(name), String(v));
    else out.push(String(name), String(value));
  };
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers as unknown as [string, string][]) push(pair[0], pair[1]);
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2) push(headers[i], headers[i + 1]);
    }
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of headers as Iterable<[string, string | string[]]>) push(name, value);
  } else {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) push(name, value);
  }
  return out;
}

function hasAuthorization(flat: string[]): boolean {
  for (let i = 0; i < flat.length; i += 2)
    if ((flat[i] as string).toLowerCase() === 'authorization') return true;
  return false;
}

/** The headers without any `dpop`: a request carries exactly one proof, ours (RFC 9449 §4.3). */
function withoutProof(flat: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if ((flat[i] as string).toLowerCase() !== 'dpop') out.push(flat[i] as string, flat[i + 1] as string);
  }
  return out;
}

/** One header's value as undici hands it over (a string, or an array when repeated). */
function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The origin undici connects to: `opts.origin` (a string or URL, as undici's Agent accepts), and nothing else.
 * The path never takes part: `//allowed/x`, `/\\allowed/x` or `https://allowed/x` resolved against the origin
 * would name the allowed host while the request (and our token) went to whoever `opts.origin` is.
 */
function dispatchedOrigin(opts: Dispatcher.DispatchOptions): string | undefined {
  const origin: unknown = opts.origin;
  if (typeof origin !== 'string' && !(origin instanceof URL)) return undefined;
  try {
    return new URL(origin).origin;
  } catch {
    return undefined;
  }
}

/** Bodies undici can send twice: none, strings and buffers. */
function isReplayable(body: unknown): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
}

/**
 * A controller that stays the same for the caller across our retry, forwarding to the live connection
 * (as undici's own RetryHandler does), and remembers an abort that arrives between attempts.
 */
class StableController implements Controller {
  target: Controller | undefined;
  #aborted = false;
  #reason: Error | null = null;

  abort(reason: Error): void {
    this.#aborted = true;
    this.#reason = reason;
    this.target?.abort(reason);
  }
  pause(): void {
    this.target?.pause();
  }
  resume(): void {
    this.target?.resume();
  }
  get aborted(): boolean {
    return this.#aborted || (this.target?.aborted ?? false);
  }
  get reason(): Error | null {
    return this.#reason ?? this.target?.reason ?? null;
  }
  get paused(): boolean {
    return this.target?.paused ?? false;
  }
}

/** Looks at an answer's head: a retry to run once this answer is read away, or undefined to pass it on. */
type Inspect = (
  statusCode: number,
  headers: Record<string, string | string[] | undefined>,
) => (() => void) | undefined;

class BearerHandler implements Handler {
  readonly #handler: Handler;
  readonly #controller = new StableController();
  readonly #inspect: Inspect;
  #started = false;
  #retry: (() => void) | undefined;

  constructor(handler: Handler, inspect: Inspect) {
    this.#handler = handler;
    this.#inspect = inspect;
  }

  get controller(): StableController {
    return this.#controller;
  }

  fail(err: Error): void {
    this.#handler.onResponseError?.(this.#controller, err);
  }

  onRequestStart(controller: Controller, context: unknown): void {
    this.#controller.target = controller;
    if (this.#controller.aborted) {
      controller.abort(this.#controller.reason ?? new Error('aborted'));
      return;
    }
    if (!this.#started) {
      this.#started = true;
      this.#handler.onRequestStart?.(this.#controller, context);
    }
  }

  onRequestUpgrade(
    _c: Controller,
    statusCode: number,
    headers: Record<string, string | string[]>,
    socket: never,
  ): void {
    this.#handler.onRequestUpgrade?.(this.#controller, statusCode, headers, socket);
  }

  onResponseStart(
    _c: Controller,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    const retry = this.#inspect(statusCode, headers);
    if (retry !== undefined) {
      // Read this answer away instead of passing it on: the caller gets the retry's answer.
      this.#retry = retry;
      return;
    }
    this.#handler.onResponseStart?.(
      this.#controller,
      statusCode,
      headers as Record<string, string | string[]>,
      statusMessage,
    );
  }

  onResponseData(_c: Controller, chunk: Buffer): void {
    if (this.#retry !== undefined) return;
    this.#handler.onResponseData?.(this.#controller, chunk);
  }

  onResponseEnd(_c: Controller, trailers: Record<string, string | string[]>): void {
    const retry = this.#retry;
    if (retry !== undefined) {
      this.#retry = undefined;
      this.#controller.target = undefined;
      retry();
      return;
    }
    this.#handler.onResponseEnd?.(this.#controller, trailers);
  }

  onResponseError(_c: Controller, err: Error): void {
    this.#handler.onResponseError?.(this.#controller, err);
  }
}

/**
 * An undici interceptor (`dispatcher.compose(clientCredentialsInterceptor(manager, { origins }))`) that adds
 * `Authorization: Bearer <token>` to requests for the configured origins only, judged by the origin each
 * request is dispatched to (`opts.origin`), never by its path; a dispatch without an origin gets no token, so
 * compose it on an `Agent` (a bare `Client` or `Pool` connects to its own origin whatever `opts.origin` says).
 * It looks at every dispatch on its own, so a redirect hop (undici's redirect interceptor and `fetch` both
 * dispatch each hop) to another origin carries no token. A request that already has `Authorization` is left alone. After a 401 with
 * `WWW-Authenticate: Bearer error="invalid_token"` it renews the token once and retries once, when the body
 * is replayable (none, a string or a buffer; `fetch` bodies are streams, so use `createAuthenticatedFetch`
 * for those). With a DPoP-bound token (a manager built with `dpop`), each dispatch carries `Authorization:
 * DPoP <token>` and a fresh proof for its method and `origin` + path (`ath` included; a caller's `DPoP`
 * header is replaced), and a 401 `DPoP error="use_dpop_nonce"` with a `DPoP-Nonce` is retried once with
 * that nonce (same replayable-body rule).
 */
export function clientCredentialsInterceptor(
  source: AccessTokenSource,
  options: TokenInjectionOptions,
): Dispatcher.DispatcherComposeInterceptor {
  if (!source || typeof source.getToken !== 'function') {
    throw new ConfigurationError(
      'manager: an object with getToken() (a ClientCredentialsTokenManager) is required',
    );
  }
  const allow = new OriginAllowList(options?.origins);

  return (dispatch: Dispatch): Dispatch =>
    function dispatchWithToken(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
      const origin = dispatchedOrigin(opts);
      if (origin === undefined || !allow.has(origin)) return dispatch(opts, handler);
      const flat = flattenHeaders(opts.headers);
      if (hasAuthorization(flat)) return dispatch(opts, handler);
      const canRetry = isReplayable(opts.body);
      const method = (opts.method ?? 'GET').toUpperCase();
      // htu: the origin dispatched to and the path (the proof drops the query), never a URL in the path.
      const url = new URL(origin);
      const [pathname = '/'] = String(opts.path ?? '/').split('?');
      url.pathname = pathname.startsWith('/') ? pathname : `/${pathname}`;

      let token: ClientCredentialsToken | undefined;
      let scheme: RequestCredentials['scheme'] = 'Bearer';
      let nonceRetried = false;
      let renewed = false;
      const send = (credentials: RequestCredentials) => {
        if (bearer.controller.aborted) {
          bearer.fail(bearer.controller.reason ?? new Error('request aborted'));
          return;
        }
        scheme = credentials.scheme;
        const headers =
          credentials.dpop === undefined
            ? [...flat, 'authorization', credentials.authorization]
            : [...withoutProof(flat), 'authorization', credentials.authorization, 'dpop', credentials.dpop];
        try {
          dispatch({ ...opts, headers }, bearer);
        } catch (err) {
          bearer.fail(err as Error);
        }
      };
      const authorize = (next: () => Promise<ClientCredentialsToken>, nonce?: string) => {
        next()
          .then(async (t) => {
            token = t;
            return credentialsFor(source, t, method, url, nonce);
          })
          .then(send, (err: Error) => bearer.fail(err));
      };
      const bearer = new BearerHandler(handler, (status, headers) => {
        const current = token;
        if (current === undefined) return undefined;
        const challenge = headers['www-authenticate'] as string | string[] | undefined;
        if (scheme === 'DPoP') {
          source.dpop?.rememberNonce(url, single(headers['dpop-nonce']));
          const nonce = requestedDPoPNonce(status, challenge, single(headers['dpop-nonce']));
          if (nonce !== undefined && canRetry && !nonceRetried) {
            nonceRetried = true;
            return () => authorize(async () => current, nonce);
          }
        }
        if (status === 401 && canRetry && !renewed && isInvalidTokenChallenge(challenge, scheme)) {
          renewed = true;
          return () => authorize(() => renewAfterRejection(source, current.accessToken));
        }
        return undefined;
      });
      authorize(() => source.getToken());
      return true;
    };
}
