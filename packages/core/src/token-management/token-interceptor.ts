import type { Dispatcher } from 'undici';
import { ConfigurationError } from '../errors.js';
import {
  authorizationFor,
  isInvalidTokenChallenge,
  OriginAllowList,
  renewAfterRejection,
  type TokenInjectionOptions,
} from './injection-support.js';
import type { AccessTokenSource } from './managed-token.js';

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

class BearerHandler implements Handler {
  readonly #handler: Handler;
  readonly #controller = new StableController();
  readonly #retry: () => void;
  readonly #canRetry: boolean;
  #started = false;
  #swallowing = false;
  #retried = false;

  constructor(handler: Handler, canRetry: boolean, retry: () => void) {
    this.#handler = handler;
    this.#canRetry = canRetry;
    this.#retry = retry;
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
    if (
      statusCode === 401 &&
      this.#canRetry &&
      !this.#retried &&
      isInvalidTokenChallenge(headers['www-authenticate'] as string | string[] | undefined)
    ) {
      // Read this answer away instead of passing it on: the caller gets the retry's answer.
      this.#swallowing = true;
      this.#retried = true;
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
    if (this.#swallowing) return;
    this.#handler.onResponseData?.(this.#controller, chunk);
  }

  onResponseEnd(_c: Controller, trailers: Record<string, string | string[]>): void {
    if (this.#swallowing) {
      this.#swallowing = false;
      this.#controller.target = undefined;
      this.#retry();
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
 * for those).
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

      let sent = '';
      const send = (authorization: string) => {
        if (bearer.controller.aborted) {
          bearer.fail(bearer.controller.reason ?? new Error('request aborted'));
          return;
        }
        try {
          dispatch({ ...opts, headers: [...flat, 'authorization', authorization] }, bearer);
        } catch (err) {
          bearer.fail(err as Error);
        }
      };
      const bearer = new BearerHandler(handler, isReplayable(opts.body), () => {
        renewAfterRejection(source, sent).then(
          (token) => send(authorizationFor(token)),
          (err: Error) => bearer.fail(err),
        );
      });
      source.getToken().then(
        (token) => {
          sent = token.accessToken;
          send(authorizationFor(token));
        },
        (err: Error) => bearer.fail(err),
      );
      return true;
    };
}
