import {
  type AuthGuard,
  authorizeBearer,
  type BearerAuthenticator,
  type BearerAuthOptions,
  BearerError,
  type BearerRequest,
  createBearerAuthenticator,
  type GuardMiddlewares,
  guardMiddlewares,
  type ValidatedToken,
} from '@identity-model/core';
import type { Context, Middleware, Next } from 'koa';

declare module 'koa' {
  interface DefaultState {
    /** The validated access token, set by `requireToken`; `undefined` when the request is not authenticated. */
    auth?: ValidatedToken | undefined;
    /** In `passthrough` mode: why the request was not authenticated. */
    authError?: BearerError | undefined;
  }
}

export interface RequireTokenAdapterOptions {
  /**
   * Let every request through: a refused one reaches downstream middleware with `ctx.state.auth` undefined and
   * the refusal in `ctx.state.authError` (koa-jwt's `passthrough`). Guards still refuse.
   */
  passthrough?: boolean;
  /**
   * Throw refusals (a `BearerError` with `status`, `headers`, `expose`) for upstream error middleware instead of
   * answering them here. Default `false`: answered with RFC 6750 status, WWW-Authenticate and a JSON body.
   */
  forwardErrors?: boolean;
}

export type RequireTokenOptions = BearerAuthOptions & RequireTokenAdapterOptions;

/** The middleware, with the authenticator it built (and `close()` to release the validator's resources). */
export interface RequireTokenMiddleware extends Middleware {
  readonly authenticator: BearerAuthenticator;
  close(): Promise<void>;
}

interface Settings {
  authenticator: BearerAuthenticator;
  forwardErrors: boolean;
}

// Which `requireToken` saw a request, so guards answer in its realm and can authenticate lazily: a
// symbol-keyed property of the context, cheaper per request than a WeakMap entry.
const SETTINGS = Symbol('identity-model.requireToken');
type WithSettings = Context & { [SETTINGS]?: Settings };

/**
 * The request as core reads it. Method and headers straight from Node's request, which Koa's own getters
 * (`ctx.method` → `ctx.request.method` → `req.method`) return anyway; `body` only when core asks (form-body
 * tokens allowed, a form posted), since without a body parser looking for it walks the prototype chain.
 */
class KoaBearerRequest implements BearerRequest {
  readonly method: string | undefined;
  // The original request-target: a mounted app's `ctx.url` has lost the mount path.
  readonly url: string;
  readonly headers: Context['req']['headers'];
  readonly rawHeaders: string[];
  readonly socket: Context['req']['socket'];
  readonly #ctx: Context;

  constructor(ctx: Context) {
    const req = ctx.req;
    this.method = req.method;
    this.url = ctx.originalUrl;
    this.headers = req.headers;
    this.rawHeaders = req.rawHeaders;
    this.socket = req.socket;
    this.#ctx = ctx;
  }

  get body(): unknown {
    return (this.#ctx.request as { body?: unknown }).body;
  }
}

function answer(ctx: Context, error: unknown, forwardErrors: boolean): void {
  if (!(error instanceof BearerError) || forwardErrors) throw error;
  ctx.status = error.status;
  ctx.set(error.headers);
  ctx.body = error.body;
}

/**
 * Validates the bearer token of every request it sees: `app.use(requireToken())` reads OIDC_ISSUER and
 * OIDC_AUDIENCE from the environment, once; `requireToken({ issuer, audience })` gives them explicitly.
 */
export function requireToken(options: RequireTokenOptions = {}): RequireTokenMiddleware {
  const { passthrough = false, forwardErrors = false, ...bearerOptions } = options;
  const authenticator = createBearerAuthenticator(bearerOptions as BearerAuthOptions);
  const settings: Settings = { authenticator, forwardErrors };
  const metadata = authenticator.resourceMetadata;
  const refused = (ctx: Context, next: Next, error: unknown): Promise<void> | undefined => {
    if (!(passthrough && error instanceof BearerError)) {
      answer(ctx, error, forwardErrors);
      return undefined;
    }
    ctx.state.auth = undefined;
    ctx.state.authError = error;
    return next();
  };
  // Not async: a token decided synchronously (cached, or keys at hand) goes on to `next` with no extra promise.
  const middleware = (ctx: Context, next: Next): Promise<void> | undefined => {
    // RFC 9728: the metadata document is public, answered before any authentication.
    const served = metadata?.answer(ctx.method, ctx.originalUrl);
    if (served !== undefined) {
      ctx.status = served.status;
      ctx.set(served.headers);
      if (served.body !== undefined) ctx.body = served.body;
      return undefined;
    }
    (ctx as WithSettings)[SETTINGS] = settings;
    const outcome = authenticator.authenticateNow(new KoaBearerRequest(ctx));
    // A token decided at once costs no closure: only a promise needs callbacks.
    if (!(outcome instanceof Promise)) {
      ctx.state.auth = outcome;
      return next();
    }
    return outcome.then(
      (auth) => {
        ctx.state.auth = auth;
        return next();
      },
      (error) => refused(ctx, next, error),
    );
  };
  return Object.assign(middleware, { authenticator, close: () => authenticator.close() });
}

/** Any core guard as middleware. Authenticates first when `requireToken` ran but did not authenticate yet. */
export function authorize(guard: AuthGuard): Middleware {
  return async (ctx, next) => {
    const settings = (ctx as WithSettings)[SETTINGS];
    try {
      ctx.state.auth = await authorizeBearer(
        guard,
        settings?.authenticator,
        new KoaBearerRequest(ctx),
        ctx.state.auth,
      );
    } catch (error) {
      return answer(ctx, error, settings?.forwardErrors ?? false);
    }
    await next();
  };
}

type Guards = GuardMiddlewares<Middleware>;
const guards: Guards = guardMiddlewares(authorize);

/** The guards as koa middleware (see `GuardMiddlewares` in core for what each refuses). */
export const requireScopes: Guards['requireScopes'] = guards.requireScopes;
export const requireAnyScope: Guards['requireAnyScope'] = guards.requireAnyScope;
export const claimEquals: Guards['claimEquals'] = guards.claimEquals;
export const claimIncludes: Guards['claimIncludes'] = guards.claimIncludes;
export const claimCheck: Guards['claimCheck'] = guards.claimCheck;
export const requireAuthentication: Guards['requireAuthentication'] = guards.requireAuthentication;
