import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clients, RegisteredClient } from './clients.js';
import {
  invalidRequest,
  isFailure,
  type OAuthFailure,
  readForm,
  sendFailure,
  sendJson,
} from './http-exchange.js';

/** The endpoints whose requests `issuer.requests` counts. */
export type CountedEndpoint = 'discovery' | 'jwks' | 'token' | 'introspection';

/** What the endpoints need from the issuer. */
export interface EndpointContext {
  /** Path → endpoint, for the issuer's own origin. */
  readonly routes: ReadonlyMap<string, CountedEndpoint | 'authorization'>;
  readonly clients: Clients;
  /** True while the issuer is down in `503` mode. */
  readonly unavailable: boolean;
  count(endpoint: CountedEndpoint): void;
  discovery(): Record<string, unknown>;
  jwks(): unknown;
  mint(
    client: RegisteredClient,
    scope: readonly string[],
    aud: string | undefined,
  ): { token: string; expiresIn: number };
  introspect(token: string): Record<string, unknown>;
}

const NO_STORE = { 'cache-control': 'no-store' };

function grantedScope(
  client: RegisteredClient,
  requested: string | undefined,
): readonly string[] | OAuthFailure {
  const asked = requested?.split(' ').filter(Boolean);
  if (client.scopes === undefined) return asked ?? [];
  const refused = asked?.filter((scope) => !client.scopes!.includes(scope)) ?? [];
  if (refused.length > 0) {
    return {
      status: 400,
      error: 'invalid_scope',
      description: `not allowed for this client: ${refused.join(' ')}`,
    };
  }
  return asked ?? client.scopes;
}

async function authenticated(
  req: IncomingMessage,
  ctx: EndpointContext,
): Promise<{ form: Map<string, string>; client: RegisteredClient } | OAuthFailure> {
  const form = await readForm(req);
  if (isFailure(form)) return form;
  const client = ctx.clients.authenticate(req, form);
  return isFailure(client) ? client : { form, client };
}

/** RFC 6749 §4.4: the client credentials grant, for registered clients only. */
async function token(req: IncomingMessage, res: ServerResponse, ctx: EndpointContext): Promise<void> {
  const exchange = await authenticated(req, ctx);
  if (isFailure(exchange)) return sendFailure(res, exchange);
  const { form, client } = exchange;
  const grant = form.get('grant_type');
  if (grant !== 'client_credentials') {
    const failure: OAuthFailure =
      grant === undefined
        ? invalidRequest('grant_type is required')
        : { status: 400, error: 'unsupported_grant_type', description: 'only client_credentials is issued' };
    return sendFailure(res, failure);
  }
  const scope = grantedScope(client, form.get('scope'));
  if (isFailure(scope)) return sendFailure(res, scope);
  // RFC 8707 `resource`, or the `audience` parameter some providers use, picks the token's audience.
  const { token: accessToken, expiresIn } = ctx.mint(
    client,
    scope,
    form.get('resource') ?? form.get('audience'),
  );
  sendJson(
    res,
    200,
    {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: expiresIn,
      ...(scope.length > 0 ? { scope: scope.join(' ') } : {}),
    },
    NO_STORE,
  );
}

/** RFC 7662 §2: any registered client may introspect. */
async function introspection(req: IncomingMessage, res: ServerResponse, ctx: EndpointContext): Promise<void> {
  const exchange = await authenticated(req, ctx);
  if (isFailure(exchange)) return sendFailure(res, exchange);
  const value = exchange.form.get('token');
  if (value === undefined || value === '') return sendFailure(res, invalidRequest('token is required'));
  sendJson(res, 200, ctx.introspect(value), NO_STORE);
}

const METHODS: Readonly<Record<CountedEndpoint, string>> = {
  discovery: 'GET',
  jwks: 'GET',
  token: 'POST',
  introspection: 'POST',
};

/** Answers one request to the issuer. */
export async function handle(req: IncomingMessage, res: ServerResponse, ctx: EndpointContext): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://test-issuer').pathname;
  const endpoint = ctx.routes.get(path);
  if (endpoint === undefined) return sendJson(res, 404, { error: 'not_found' });
  if (endpoint === 'authorization') {
    // Listed in discovery because OIDC Discovery requires it; this issuer has no browser flows.
    return sendFailure(res, {
      status: 400,
      error: 'unsupported_response_type',
      description: 'the test issuer has no authorization endpoint; use createToken() or the token endpoint',
    });
  }
  ctx.count(endpoint);
  if (ctx.unavailable) {
    return sendJson(res, 503, { error: 'temporarily_unavailable' }, { 'retry-after': '1', ...NO_STORE });
  }
  if (req.method !== METHODS[endpoint]) {
    return sendJson(res, 405, { error: 'method_not_allowed' }, { allow: METHODS[endpoint] });
  }
  switch (endpoint) {
    case 'discovery':
      return sendJson(res, 200, ctx.discovery());
    case 'jwks':
      return sendJson(res, 200, ctx.jwks());
    case 'token':
      return token(req, res, ctx);
    case 'introspection':
      return introspection(req, res, ctx);
  }
}
