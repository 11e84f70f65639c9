/**
 * glewlwyd 2.7 (Debian package `glewlwyd`, C) as a second, independent provider for tests: a fresh sqlite
 * database and keys per start in a temp dir, the server on a free loopback port behind a counting proxy
 * whose origin is the one glewlwyd advertises.
 *
 *   const gw = await startGlewlwyd();
 *   gw.issuer                                   // http://127.0.0.1:PORT/api/oidc
 *   await gw.getToken({ scope: 'read' })        // RFC 9068 JWT (typ at+jwt), RS256, aud = gw.audience
 *   await gw.getToken({ client: gw.clients.es256 })  // the same, signed ES256
 *   gw.counts.token / .introspection / …        // requests seen through the proxy, by endpoint
 *   await gw.stop(); await gw.restart();        // outage and recovery on the same port, same database
 *   await gw.rotateKeys();                      // new RS256 + ES256 keys sign; old ones stay published
 *   await gw.close();                           // and the temp dir is gone
 *
 * Clients (`gw.clients`), all client_credentials: `basic` (client_secret_basic; read write introspect;
 * also device_authorization), `post` (client_secret_post; same scopes; also code + redirect_uri for PAR),
 * `privateKeyJwt` (private_key_jwt, ES256 `privateJwk`), `es256` (client_secret_post, tokens signed with
 * the ES256 key), `readOnly` (client_secret_basic, read), `reservedBasic` / `reservedPost` (secrets with
 * `+ % : space /`). glewlwyd does NOT form-urldecode Basic credentials: send them raw (RFC 2617 style).
 * Without `resource`, glewlwyd puts the scope string in `aud`; `scope` is mandatory.
 */
import { generateKeyPair as generateKeyPairCb, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { JWK } from 'jose';
import { type EndpointName, startCountingProxy } from './counting-proxy.js';
import { clientSecret, fetchClientCredentialsToken, secretClients } from './fixture-token.js';
import {
  type GlewlwydClientRow,
  type PluginSettings,
  pluginParameters,
  rotationSql,
  serverConfig,
  setupSql,
} from './glewlwyd-setup.js';
import type { IdpClient } from './idp.js';
import {
  assertProviderInstalled,
  fixtureBase,
  launchServer,
  makeTempDir,
  type ProviderFixtureBase,
  runSetupCommand,
  startLifecycle,
} from './provider-process.js';
import { GLEWLWYD_SCHEMA } from './providers-available.js';

const generateKeyPair = promisify(generateKeyPairCb);
const PREFIX = '/api/oidc';

export interface StartGlewlwydOptions {
  /** Access-token lifetime in seconds (default 300). */
  accessTokenTtl?: number;
  /** Bound on setup plus server start, in ms (default 15000). */
  startTimeoutMs?: number;
}

export interface TestGlewlwyd extends ProviderFixtureBase {
  issuer: string;
  audience: string;
  otherAudience: string;
  clients: {
    basic: IdpClient;
    post: IdpClient;
    privateKeyJwt: IdpClient;
    es256: IdpClient;
    readOnly: IdpClient;
    reservedBasic: IdpClient;
    reservedPost: IdpClient;
  };
  /** The kids of the current RS256 (default) and ES256 signing keys (updated by `rotateKeys`). */
  kids: { RS256: string; ES256: string };
  /**
   * New RS256 and ES256 keys sign from now on (the es256 client's tokens too); the old keys stay published
   * unless `dropOld`. glewlwyd reads its keys only at start: the plugin's parameters are rewritten in the
   * database and the server restarted behind the same port (connections are refused for ~0.2 s).
   */
  rotateKeys(options?: { dropOld?: boolean }): Promise<void>;
  /** The provider's private signing key for `alg` (JWK), to forge tokens and scan logs for leaks. */
  privateJwk(alg?: 'RS256' | 'ES256'): JWK;
  /** A client-credentials access token from the real token endpoint (raw Basic credentials). */
  getToken(options?: { client?: IdpClient; scope?: string; resource?: string | null }): Promise<string>;
}

function classify(path: string): EndpointName {
  const rest = path.startsWith(PREFIX) ? path.slice(PREFIX.length).replace(/\/$/, '') : '';
  const table: Record<string, EndpointName> = {
    '/.well-known/openid-configuration': 'discovery',
    '/jwks': 'jwks',
    '/token': 'token',
    '/introspect': 'introspection',
    '/revoke': 'revocation',
    '/userinfo': 'userinfo',
    '/device_authorization': 'deviceAuthorization',
    '/par': 'par',
    '/register': 'registration',
  };
  return table[rest] ?? (rest.startsWith('/register/') ? 'registration' : 'other');
}

async function signingJwk(kind: 'rsa' | 'ec', kid: string): Promise<JWK> {
  const { privateKey } =
    kind === 'rsa'
      ? await generateKeyPair('rsa', { modulusLength: 2048 })
      : await generateKeyPair('ec', { namedCurve: 'P-256' });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: kind === 'rsa' ? 'RS256' : 'ES256' };
}

function publicPart(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
}

export async function startGlewlwyd(options: StartGlewlwydOptions = {}): Promise<TestGlewlwyd> {
  assertProviderInstalled('glewlwyd');
  const audience = 'https://api.identity-model.test/test-api';
  const otherAudience = 'https://api.identity-model.test/other-api';
  const tag = randomBytes(4).toString('hex');
  const [rsa, ec, clientKey] = await Promise.all([
    signingJwk('rsa', `rsa-${tag}`),
    signingJwk('ec', `ec-${tag}`),
    signingJwk('ec', `client-${tag}`),
  ]);
  const clients = {
    ...secretClients(),
    privateKeyJwt: {
      clientId: 'svc-pkjwt',
      clientSecret: '',
      authMethod: 'private_key_jwt',
      privateJwk: clientKey,
    },
    es256: { clientId: 'svc-es256', clientSecret: clientSecret(), authMethod: 'client_secret_post' },
    readOnly: { clientId: 'svc-read-only', clientSecret: clientSecret(), authMethod: 'client_secret_basic' },
  } satisfies TestGlewlwyd['clients'];
  const all = ['read', 'write', 'introspect'];
  const row = (
    c: IdpClient,
    scopes: string[],
    extra: Partial<GlewlwydClientRow> = {},
  ): GlewlwydClientRow => ({
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    authMethods: [c.authMethod],
    scopes,
    ...extra,
    grants: ['client_credentials', ...(extra.grants ?? [])],
  });
  const rows = [
    row(clients.basic, all, { grants: ['device_authorization'] }),
    row(clients.post, all, { grants: ['code'], properties: { redirect_uri: 'http://127.0.0.1/callback' } }),
    row(clients.privateKeyJwt, ['read', 'write'], {
      properties: { jwks: JSON.stringify({ keys: [{ ...publicPart(clientKey), use: 'sig' }] }) },
    }),
    row(clients.es256, ['read', 'write'], { properties: { sign_kid: ec.kid as string } }),
    row(clients.readOnly, ['read']),
    row(clients.reservedBasic, ['read']),
    row(clients.reservedPost, ['read']),
  ];

  const dir = makeTempDir('im-glewlwyd-');
  const proxy = await startCountingProxy(classify);
  const issuer = `${proxy.origin}${PREFIX}`;
  const database = join(dir, 'glewlwyd.db');
  const settings: PluginSettings = {
    issuer,
    privateJwks: { keys: [rsa, ec] },
    defaultKid: rsa.kid as string,
    audiences: [audience, otherAudience],
    accessTokenTtl: options.accessTokenTtl ?? 300,
    scopes: all,
  };
  const plugin = pluginParameters(settings);
  const signing = { RS256: rsa, ES256: ec };
  const kids = { RS256: rsa.kid as string, ES256: ec.kid as string };
  const sqlite = (step: string, input: string, timeoutMs: number) =>
    runSetupCommand({
      provider: 'glewlwyd',
      step,
      command: 'sqlite3',
      args: ['-bail', database],
      cwd: dir,
      input,
      timeoutMs,
    });
  const lifecycle = await startLifecycle({
    proxy,
    dir,
    timeoutMs: options.startTimeoutMs ?? 15_000,
    async setup(timeoutMs) {
      const schema = gunzipSync(readFileSync(GLEWLWYD_SCHEMA)).toString('utf8');
      // One transaction: row by row, sqlite would fsync ~900 times (0.7 s instead of 0.05 s).
      const input = `BEGIN;\n${schema}\n${setupSql(plugin, all, rows)}COMMIT;\n`;
      await sqlite('database setup (sqlite3)', input, timeoutMs);
    },
    async launch(port, timeoutMs) {
      const config = join(dir, 'glewlwyd.conf');
      writeFileSync(config, serverConfig({ port, externalUrl: proxy.origin, database }));
      return launchServer({
        provider: 'glewlwyd',
        command: 'glewlwyd',
        args: [`--config-file=${config}`],
        cwd: dir,
        readyUrl: `http://127.0.0.1:${port}${PREFIX}/.well-known/openid-configuration`,
        timeoutMs,
      });
    },
  });

  return {
    ...fixtureBase(proxy, lifecycle, dir),
    issuer,
    audience,
    otherAudience,
    clients,
    kids,
    privateJwk: (alg = 'RS256') => ({ ...signing[alg] }),
    async rotateKeys({ dropOld = false } = {}) {
      const next = randomBytes(4).toString('hex');
      const [nextRsa, nextEc] = await Promise.all([
        signingJwk('rsa', `rsa-${next}`),
        signingJwk('ec', `ec-${next}`),
      ]);
      const published = dropOld ? [] : settings.privateJwks.keys;
      settings.privateJwks = { keys: [nextRsa, nextEc, ...published] };
      settings.defaultKid = nextRsa.kid as string;
      await lifecycle.stop();
      const input = rotationSql(pluginParameters(settings), {
        clientId: clients.es256.clientId,
        signKid: nextEc.kid as string,
      });
      await sqlite('key rotation (sqlite3)', input, options.startTimeoutMs ?? 15_000);
      await lifecycle.restart();
      Object.assign(signing, { RS256: nextRsa, ES256: nextEc });
      Object.assign(kids, { RS256: nextRsa.kid, ES256: nextEc.kid });
    },
    getToken: ({ client = clients.basic, scope = 'read', resource = audience } = {}) =>
      fetchClientCredentialsToken({
        provider: 'glewlwyd',
        tokenEndpoint: `${issuer}/token`,
        client,
        params: { scope, ...(resource ? { resource } : {}) },
        basic: 'raw',
      }),
  };
}
