import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '@identity-model/core';
import { Clients, DEFAULT_CLIENT, type RegisteredClient, type TestClient } from './clients.js';
import { type CountedEndpoint, type EndpointContext, handle } from './endpoints.js';
import { IssuedTokens } from './issued-tokens.js';
import { Listener } from './listener.js';
import { signJws } from './sign-jws.js';
import { checkAlgorithms, SigningKeys, type TestIssuerAlgorithm } from './signing-keys.js';
import { buildClaims, overlay, type TokenClaimOptions } from './token-claims.js';

export interface TestIssuerOptions {
  /** Algorithms the issuer signs with, one key each; the first is the default. Default `['RS256']`. */
  algorithms?: readonly TestIssuerAlgorithm[];
  /** Port on 127.0.0.1. Default 0: an ephemeral port. */
  port?: number;
  /** A path the issuer lives under, e.g. `/realms/test` (no trailing slash). Default: none. */
  issuerPath?: string;
  /** Lifetime (seconds) of tokens without `exp`/`expiresIn`, and `expires_in` of the token endpoint. Default 300. */
  accessTokenTtl?: number;
  /** `aud` of tokens that do not choose one. Default `test-api`. */
  audience?: string | readonly string[];
  /** The client registered from the start. Default `{ clientId: 'test-client', clientSecret: 'test-secret' }`. */
  defaultClient?: TestClient;
}

/** What `createToken` takes: the claims, and how the JWT is signed. */
export interface CreateTokenOptions extends TokenClaimOptions {
  /** The key (of this algorithm) that signs. Default: the first of `algorithms`. */
  alg?: TestIssuerAlgorithm;
  /** The `kid` header. Default: the signing key's id. */
  kid?: string;
  /** The `typ` header. Default `at+jwt` (RFC 9068). */
  typ?: string;
  /**
   * Header members added last (`undefined` removes one). The signature is still made with `alg`'s key, so
   * `{ alg: 'HS256' }` or `{ kid: 'nobody' }` make the forged tokens an attack test needs; `{ alg: 'none' }`
   * leaves the signature empty.
   */
  header?: Readonly<Record<string, unknown>>;
}

/** The claims an opaque token stands for: what introspection answers about it. */
export type OpaqueTokenOptions = TokenClaimOptions;

/**
 * How the issuer is down: `503` answers every counted endpoint with 503 and `Retry-After: 1` (the provider
 * is up but failing); `refuse` stops listening, so connections are refused (the provider is gone).
 */
export type OutageMode = '503' | 'refuse';

/** Requests each endpoint received, including those answered 503 during an outage. */
export type RequestCounts = Readonly<Record<CountedEndpoint, number>>;

const DEFAULT_AUDIENCE = 'test-api';

function checkOptions(options: TestIssuerOptions): void {
  const { port = 0, issuerPath = '', accessTokenTtl = 300 } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigurationError('port: an integer from 0 (ephemeral, the default) to 65535');
  }
  if (typeof issuerPath !== 'string' || (issuerPath !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(issuerPath))) {
    throw new ConfigurationError(
      'issuerPath: "" or a path like "/realms/test" (no trailing slash, no query)',
    );
  }
  if (!Number.isSafeInteger(accessTokenTtl) || accessTokenTtl <= 0) {
    throw new ConfigurationError('accessTokenTtl: a whole number of seconds, more than 0');
  }
}

/** A running test issuer: discovery, JWKS, token and introspection endpoints on 127.0.0.1. */
export class TestIssuer {
  /** The issuer identifier (`iss`), e.g. `http://127.0.0.1:54321`. */
  readonly issuer: string;
  readonly discoveryUri: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
  readonly introspectionEndpoint: string;
  /** `aud` of tokens that do not choose one. */
  readonly audience: string | readonly string[];
  /** The client registered from the start. */
  readonly defaultClient: RegisteredClient;
  readonly #keys: SigningKeys;
  readonly #clients: Clients;
  readonly #tokens = new IssuedTokens();
  readonly #ttl: number;
  readonly #listener: Listener;
  #counts: Record<CountedEndpoint, number> = { discovery: 0, jwks: 0, token: 0, introspection: 0 };
  #unavailable = false;
  #closed = false;

  /** @internal Use `createTestIssuer`. */
  constructor(
    listener: Listener,
    keys: SigningKeys,
    clients: Clients,
    options: TestIssuerOptions,
    path: string,
  ) {
    this.#listener = listener;
    this.#keys = keys;
    this.#clients = clients;
    this.#ttl = options.accessTokenTtl ?? 300;
    this.audience = options.audience ?? DEFAULT_AUDIENCE;
    this.defaultClient = clients.add(options.defaultClient ?? DEFAULT_CLIENT);
    this.issuer = `http://127.0.0.1:${listener.port}${path}`;
    this.discoveryUri = `${this.issuer}/.well-known/openid-configuration`;
    this.jwksUri = `${this.issuer}/jwks`;
    this.tokenEndpoint = `${this.issuer}/token`;
    this.introspectionEndpoint = `${this.issuer}/introspect`;
    // Checked here, once, so a bad audience fails createTestIssuer rather than the first token.
    this.#claims({});
  }

  /** @internal The endpoints' view of the issuer. */
  endpointContext(): EndpointContext {
    const routes = new Map<string, CountedEndpoint | 'authorization'>();
    for (const [url, endpoint] of [
      [this.discoveryUri, 'discovery'],
      [this.jwksUri, 'jwks'],
      [this.tokenEndpoint, 'token'],
      [this.introspectionEndpoint, 'introspection'],
      [`${this.issuer}/authorize`, 'authorization'],
    ] as const) {
      routes.set(new URL(url).pathname, endpoint);
    }
    const issuer = this;
    return {
      routes,
      clients: this.#clients,
      get unavailable() {
        return issuer.#unavailable;
      },
      count: (endpoint) => {
        this.#counts[endpoint]++;
      },
      discovery: () => this.discoveryDocument,
      jwks: () => this.#keys.jwks(),
      mint: (client, scope, aud) => ({
        token: this.createToken({
          clientId: client.clientId,
          ...(scope.length > 0 ? { scope } : {}),
          ...(aud === undefined ? {} : { aud }),
        }),
        expiresIn: this.#ttl,
      }),
      introspect: (token) => this.#tokens.introspect(token, Math.floor(Date.now() / 1000)),
    };
  }

  /** The OpenID Connect Discovery 1.0 §3 document served at `discoveryUri`. */
  get discoveryDocument(): Record<string, unknown> {
    const methods = ['client_secret_basic', 'client_secret_post'];
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.issuer}/authorize`,
      token_endpoint: this.tokenEndpoint,
      jwks_uri: this.jwksUri,
      introspection_endpoint: this.introspectionEndpoint,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [...this.#keys.algorithms],
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: methods,
      introspection_endpoint_auth_methods_supported: methods,
    };
  }

  #claims(options: TokenClaimOptions): Record<string, unknown> {
    return buildClaims(options, {
      issuer: this.issuer,
      audience: this.audience,
      clientId: this.defaultClient.clientId,
      ttl: this.#ttl,
    });
  }

  /** A signed JWT access token (RFC 9068 by default), known to introspection too. */
  createToken(options: CreateTokenOptions = {}): string {
    const key = this.#keys.signingKey(options.alg);
    const claims = this.#claims(options);
    const header = overlay(
      { alg: key.alg, typ: options.typ ?? 'at+jwt', kid: options.kid ?? key.kid },
      options.header,
      'header',
    );
    const token = signJws(header, claims, key.alg, key.privateKey);
    this.#tokens.record(token, claims);
    return token;
  }

  /** A random opaque token; the introspection endpoint answers `active: true` with these claims until it expires or is revoked. */
  createOpaqueToken(options: OpaqueTokenOptions = {}): string {
    const claims = this.#claims(options);
    const token = randomBytes(32).toString('base64url');
    this.#tokens.record(token, claims);
    return token;
  }

  /** Introspection answers `active: false` for `token` from now on. True when the issuer knew it. */
  revoke(token: string): boolean {
    return this.#tokens.revoke(token);
  }

  /** Registers another client for the token and introspection endpoints. */
  addClient(client: TestClient): RegisteredClient {
    return this.#clients.add(client);
  }

  /** New signing keys (new `kid`s) for every algorithm; old keys stay in the JWKS unless `dropOld`. */
  rotateKeys(options: { dropOld?: boolean } = {}): void {
    this.#keys.rotate(options.dropOld === true);
  }

  /** Starts an outage (default mode `503`; see `OutageMode`). */
  async goDown(options: { mode?: OutageMode } = {}): Promise<void> {
    const mode = options.mode ?? '503';
    if (mode !== '503' && mode !== 'refuse')
      throw new ConfigurationError('goDown: mode is "503" or "refuse"');
    this.#assertOpen('goDown');
    if (mode === 'refuse') await this.#listener.stop();
    else this.#unavailable = true;
  }

  /** Ends an outage: listening again on the same port, answering normally. */
  async comeBack(): Promise<void> {
    this.#assertOpen('comeBack');
    this.#unavailable = false;
    await this.#listener.start();
  }

  /** Requests each endpoint has received (a snapshot). */
  get requests(): RequestCounts {
    return { ...this.#counts };
  }

  resetRequests(): void {
    this.#counts = { discovery: 0, jwks: 0, token: 0, introspection: 0 };
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#listener.stop();
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new ConfigurationError(`${what}: the issuer is closed`);
  }
}

/** Starts a test issuer on 127.0.0.1 (an ephemeral port unless `port`). Close it after the tests. */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  if (options === null || typeof options !== 'object')
    throw new ConfigurationError('createTestIssuer: an options object');
  checkOptions(options);
  const keys = new SigningKeys(checkAlgorithms(options.algorithms ?? ['RS256']));
  let context: EndpointContext | undefined;
  const listener = new Listener((req, res) => handle(req, res, context!), options.port ?? 0);
  await listener.start();
  try {
    const issuer = new TestIssuer(listener, keys, new Clients(), options, options.issuerPath ?? '');
    context = issuer.endpointContext();
    return issuer;
  } catch (err) {
    await listener.stop();
    throw err;
  }
}
