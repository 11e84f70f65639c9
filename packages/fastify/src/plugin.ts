import {
  type AuthGuard,
  BearerError,
  type BearerRequest,
  ConfigurationError,
  createBearerAuthenticator,
  createServiceFetch,
  guardMiddlewares,
  type ServiceFetch,
} from '@identity-model/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { OidcAuthHook, OidcAuthInstance, OidcAuthOptions } from './types.js';

const PLUGIN_KEYS = ['authenticateAll', 'name', 'serviceToken'] as const;
const TOP_LEVEL = [
  'authenticate',
  'requireScopes',
  'requireAnyScope',
  'claimEquals',
  'claimIncludes',
  'claimCheck',
  'requireAuthentication',
  'authorize',
  'serviceFetch',
] as const;

const METADATA_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];

function toBearerRequest(request: FastifyRequest): BearerRequest {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    rawHeaders: request.raw.rawHeaders,
    body: request.body,
    socket: request.raw.socket,
  };
}

function unconfiguredServiceFetch(): ServiceFetch {
  const error = () =>
    new ConfigurationError(
      'serviceFetch needs the `serviceToken` option of oidcAuth (client credentials and origins)',
    );
  const rejecting = () => Promise.reject(error());
  return Object.defineProperties(rejecting, {
    manager: {
      get() {
        throw error();
      },
    },
    close: { value: () => Promise.resolve() },
  }) as unknown as ServiceFetch;
}

function answer(reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof BearerError)) throw error;
  return reply.code(error.status).headers(error.headers).send(error.body);
}

/** `answer` for a callback hook: a refusal is sent (the chain stops there), anything else goes to `done`. */
function refuse(reply: FastifyReply, error: unknown, done: (error?: Error) => void): void {
  if (error instanceof BearerError) reply.code(error.status).headers(error.headers).send(error.body);
  else done(error instanceof Error ? error : new Error('bearer authentication failed', { cause: error }));
}

async function oidcAuthPlugin(fastify: FastifyInstance, options: OidcAuthOptions): Promise<void> {
  const { authenticateAll = true, name, serviceToken, ...bearerOptions } = options;
  for (const key of PLUGIN_KEYS) delete (bearerOptions as Record<string, unknown>)[key];
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    throw new ConfigurationError('oidcAuth: `name` must be a non-empty string');
  }
  const slot = name ?? 'oidc';
  if (fastify.hasDecorator(slot)) {
    throw new ConfigurationError(
      name === undefined
        ? 'oidcAuth is already registered in this context: give the other instance a `name`, or register it in its own encapsulated context'
        : `oidcAuth: \`${name}\` is already decorated in this context; choose another \`name\``,
    );
  }

  const authenticator = createBearerAuthenticator({
    logger: fastify.log,
    ...bearerOptions,
  } as OidcAuthOptions);
  let serviceFetch: ServiceFetch;
  try {
    serviceFetch = serviceToken
      ? createServiceFetch({ logger: fastify.log, ...serviceToken })
      : unconfiguredServiceFetch();
  } catch (error) {
    await authenticator.close();
    throw error;
  }
  fastify.addHook('onClose', async () => {
    await Promise.all([authenticator.close(), serviceFetch.close()]);
  });

  const authenticate: OidcAuthHook = async (request, reply) => {
    try {
      request.auth = await authenticator.authenticate(toBearerRequest(request), request.log);
    } catch (error) {
      return answer(reply, error);
    }
  };
  const authorize = (guard: AuthGuard): OidcAuthHook => {
    return async (request, reply) => {
      try {
        request.auth = await authenticator.authorize(
          guard,
          toBearerRequest(request),
          request.auth,
          request.log,
        );
      } catch (error) {
        return answer(reply, error);
      }
    };
  };
  const instance: OidcAuthInstance = {
    authenticate,
    authorize,
    ...guardMiddlewares(authorize),
    authenticator,
    serviceFetch,
  };

  if (!fastify.hasRequestDecorator('auth')) fastify.decorateRequest('auth', undefined);
  fastify.decorate(slot, instance);
  if (name === undefined) {
    for (const key of TOP_LEVEL) {
      if (fastify.hasDecorator(key)) {
        throw new ConfigurationError(
          `oidcAuth: \`app.${key}\` is already decorated; register oidcAuth with a \`name\``,
        );
      }
    }
    for (const key of TOP_LEVEL) fastify.decorate(key, instance[key] as unknown as OidcAuthHook);
  }
  const metadata = authenticator.resourceMetadata;
  if (metadata) {
    // RFC 9728: the public metadata document, at each well-known path not already served (a second instance).
    for (const url of metadata.metadata.paths) {
      if (fastify.hasRoute({ method: 'GET', url })) continue;
      fastify.route({
        method: METADATA_METHODS,
        url,
        exposeHeadRoute: false,
        handler: async (request, reply) => {
          const served = metadata.answer(request.method, request.url);
          if (served === undefined) return reply.callNotFound();
          return reply.code(served.status).headers(served.headers).send(served.body);
        },
      });
    }
  }
  if (authenticateAll) {
    // A callback hook: a token decided synchronously (cached, or keys at hand) costs no promise.
    const hook = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
      if (metadata?.matches(request.url)) {
        done();
        return;
      }
      const outcome = authenticator.authenticateNow(toBearerRequest(request), request.log);
      // A token decided at once costs no closure: only a promise needs callbacks.
      if (!(outcome instanceof Promise)) {
        request.auth = outcome;
        done();
        return;
      }
      outcome.then(
        (auth) => {
          request.auth = auth;
          done();
        },
        (error) => refuse(reply, error, done),
      );
    };
    // A form-body token needs the parsed body; otherwise refuse before the body is even read.
    fastify.addHook(bearerOptions.allowBodyToken ? 'preValidation' : 'onRequest', hook);
  }
}

/**
 * Validates bearer access tokens (RFC 6750) for a Fastify app: `app.register(oidcAuth)` reads OIDC_ISSUER and
 * OIDC_AUDIENCE from the environment, once; `app.register(oidcAuth, { issuer, audience })` gives them.
 * Registered with fastify-plugin, so its hook and decorators apply to the context it is registered in.
 */
export const oidcAuth = fp(oidcAuthPlugin, { fastify: '5.x', name: '@identity-model/fastify' });
