import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ConfigurationError } from '@identity-model/core';
import { invalidRequest, type OAuthFailure } from './http-exchange.js';

/** A client the token and introspection endpoints accept (`client_secret_basic` or `client_secret_post`). */
export interface TestClient {
  clientId: string;
  clientSecret: string;
  /**
   * The scopes it may be granted (a list or a space-separated string); a request without `scope` gets them
   * all. Default: any requested scope is granted, and none when none is requested.
   */
  scope?: string | readonly string[];
}

/** A registered client, as the issuer keeps it. */
export interface RegisteredClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Undefined: any scope. */
  readonly scopes: readonly string[] | undefined;
}

export const DEFAULT_CLIENT: TestClient = { clientId: 'test-client', clientSecret: 'test-secret' };

const MAX_CLIENTS = 1_000;

function scopes(scope: TestClient['scope']): readonly string[] | undefined {
  if (scope === undefined) return undefined;
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  if (Array.isArray(scope) && scope.every((s) => typeof s === 'string' && !s.includes(' ')))
    return [...scope];
  throw new ConfigurationError('addClient: scope must be a space-separated string or a list of scope names');
}

/** Form-decodes one half of `client_secret_basic` credentials (RFC 6749 §2.3.1); raw when not decodable. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const INVALID_CLIENT: OAuthFailure = {
  status: 401,
  error: 'invalid_client',
  description: 'client authentication failed',
  headers: { 'www-authenticate': 'Basic realm="test-issuer"' },
};

export class Clients {
  readonly #clients = new Map<string, RegisteredClient>();

  add(client: TestClient): RegisteredClient {
    if (client === null || typeof client !== 'object')
      throw new ConfigurationError('addClient: a client object');
    const { clientId, clientSecret } = client;
    if (
      typeof clientId !== 'string' ||
      clientId === '' ||
      typeof clientSecret !== 'string' ||
      clientSecret === ''
    ) {
      throw new ConfigurationError('addClient: clientId and clientSecret must be non-empty strings');
    }
    if (this.#clients.has(clientId))
      throw new ConfigurationError(`addClient: ${clientId} is already registered`);
    if (this.#clients.size >= MAX_CLIENTS)
      throw new ConfigurationError(`addClient: at most ${MAX_CLIENTS} clients`);
    const registered = Object.freeze({ clientId, clientSecret, scopes: scopes(client.scope) });
    this.#clients.set(clientId, registered);
    return registered;
  }

  /** The client a request authenticates as, by HTTP Basic or by form parameters (one way only). */
  authenticate(req: IncomingMessage, form: Map<string, string>): RegisteredClient | OAuthFailure {
    const header = req.headers.authorization;
    const basic = header !== undefined && /^basic /i.test(header);
    if (basic && (form.has('client_id') || form.has('client_secret'))) {
      // RFC 6749 §2.3: a client must not use more than one authentication method in a request.
      return invalidRequest('more than one client authentication method');
    }
    let id: string | undefined;
    let secret: string | undefined;
    if (basic) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return INVALID_CLIENT;
      id = formDecode(decoded.slice(0, colon));
      secret = formDecode(decoded.slice(colon + 1));
    } else {
      id = form.get('client_id');
      secret = form.get('client_secret');
    }
    const client = id === undefined ? undefined : this.#clients.get(id);
    if (client === undefined || secret === undefined || !same(secret, client.clientSecret))
      return INVALID_CLIENT;
    return client;
  }
}
