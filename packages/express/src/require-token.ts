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
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { assignAuth, type Context, recordContext, slotOf } from './request-slot.js';

declare global {
  namespace Express {
    interface Request {
      /** The validated access token, set by `requireToken`; `undefined` in optional mode without a token. */
      auth?: ValidatedToken | undefined;
    }
  }
}

export interface RequireTokenAdapterOptions {
  /**
   * Hand refusals to `next(err)` (a `BearerError` carrying `status`, `headers` and `body`) instead of answering
   * them here. Default `false`: the middleware answers with the RFC 6750 status, WWW-Authenticate and JSON body.
   */
  forwardErrors?: boolean;
}

export type RequireTokenOptions = BearerAuthOptions & RequireTokenAdapterOptions;

/** The middleware, with the authenticator it built (and `close()` to release the validator's resources). */
export interface RequireTokenMiddleware extends RequestHandler {
  readonly authenticator: BearerAuthenticator;
  close(): Promise<void>;
}

/**
 * `req` as core reads it. `body` is read only when core asks (form-body tokens allowed, a form posted): without a
 * body parser an Express request has no `body`, and looking for one walks its whole prototype chain (~1,900
 * instructions per request).
 */
class ExpressBearerRequest implements BearerRequest {
  readonly method: string;
  // The original request-target: inside a mounted router `req.url` has lost the mount path.
  readonly url: string;
  readonly headers: Request['headers'];
  readonly rawHeaders: string[];
  readonly socket: Request['socket'];
  readonly #req: Request;

  constructor(req: Request) {
    this.method = req.method;
    this.url = req.originalUrl;
    this.headers = req.headers;
    this.rawHeaders = req.rawHeaders;
    this.socket = req.socket;
    this.#req = req;
  }

  get body(): unknown {
    return this.#req.body;
  }
}

function fail(error: unknown, res: Response, next: NextFunction, forwardErrors: boolean): void {
  if (error instanceof BearerError && !forwardErrors) {
    res.status(error.status).set(error.headers).json(error.body);
    return;
  }
  next(error);
}

/**
 * Validates the bearer token of every request it sees: `app.use(requireToken())` reads OIDC_ISSUER and
 * OIDC_AUDIENCE from the environment, once; `requireToken({ issuer, audience })` gives them explicitly.
 */
export function requireToken(options: RequireTokenOptions = {}): RequireTokenMiddleware {
  const { forwardErrors = false, ...bearerOptions } = options;
  const authenticator = createBearerAuthenticator(bearerOptions as BearerAuthOptions);
  const context: Context = { authenticator, forwardErrors };
  const metadata = authenticator.resourceMetadata;
  // Express 4 does not catch rejected promises: settle every one explicitly.
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    // RFC 9728: the metadata document is public, answered before any authentication.
    const served = metadata?.answer(req.method, req.originalUrl);
    if (served !== undefined) {
      res.status(served.status).set(served.headers);
      if (served.body === undefined) res.end();
      else res.send(served.body);
      return;
    }
    const slot = recordContext(req, context);
    const outcome = authenticator.authenticateNow(new ExpressBearerRequest(req));
    // A token decided at once costs no closure: only a promise needs callbacks.
    if (!(outcome instanceof Promise)) {
      assignAuth(req, slot, outcome);
      next();
      return;
    }
    outcome.then(
      (auth) => {
        assignAuth(req, slot, auth);
        next();
      },
      (error) => fail(error, res, next, forwardErrors),
    );
  };
  return Object.assign(middleware, { authenticator, close: () => authenticator.close() });
}

/** Any core guard as middleware. Authenticates first when `requireToken` ran but did not authenticate yet. */
export function authorize(guard: AuthGuard): RequestHandler {
  return (req, res, next) => {
    const slot = slotOf(req);
    const context = slot?.context;
    const decided = authorizeBearer(guard, context?.authenticator, new ExpressBearerRequest(req), req.auth);
    decided.then(
      (auth) => {
        assignAuth(req, slot, auth);
        next();
      },
      (error: unknown) => fail(error, res, next, context?.forwardErrors ?? false),
    );
  };
}

type Guards = GuardMiddlewares<RequestHandler>;
const guards: Guards = guardMiddlewares(authorize);

/** The guards as express middleware (see `GuardMiddlewares` in core for what each refuses). */
export const requireScopes: Guards['requireScopes'] = guards.requireScopes;
export const requireAnyScope: Guards['requireAnyScope'] = guards.requireAnyScope;
export const claimEquals: Guards['claimEquals'] = guards.claimEquals;
export const claimIncludes: Guards['claimIncludes'] = guards.claimIncludes;
export const claimCheck: Guards['claimCheck'] = guards.claimCheck;
export const requireAuthentication: Guards['requireAuthentication'] = guards.requireAuthentication;
