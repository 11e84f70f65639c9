/**
 * django-oauth-toolkit 1.7 (Debian package `python3-django-oauth-toolkit`, Python/Django) as a third,
 * independent provider for tests: a minimal Django project and sqlite database generated per start in a
 * temp dir (`migrate` and the clients in one `manage.py shell`), `runserver --noreload` on a free loopback
 * port behind a counting proxy. Django builds endpoint URLs from the request's Host, which the proxy
 * passes through, so discovery advertises the proxy's origin.
 *
 *   const dot = await startDjangoOAuthToolkit();
 *   dot.issuer                                  // http://127.0.0.1:PORT/o
 *   dot.endpoints.introspection                 // …/o/introspect/ (not in discovery)
 *   await dot.getToken({ scope: 'read' })       // opaque (30 characters)
 *   dot.counts.token / .introspection / …
 *   await dot.stop(); await dot.restart(); await dot.close();
 *
 * Clients (`dot.clients`), confidential, client_credentials; DOT accepts every client with either method:
 * `basic`, `post`, `reservedBasic`, `reservedPost` (secrets with `+ % : space /`). Scopes: read, write,
 * introspection (a bearer token with it may call /introspect/). No private_key_jwt in DOT 1.7. Every route
 * needs its trailing slash; DOT form-urldecodes Basic credentials (RFC 6749 §2.3.1).
 */
import { generateKeyPair as generateKeyPairCb } from 'node:crypto';
import { promisify } from 'node:util';
import { type EndpointName, startCountingProxy } from './counting-proxy.js';
import { writeDjangoProject } from './django-oauth-toolkit-project.js';
import { clientSecret, fetchClientCredentialsToken, secretClients } from './fixture-token.js';
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
import { SYSTEM_PYTHON } from './providers-available.js';

const generateKeyPair = promisify(generateKeyPairCb);

// DOT signs only ID tokens with this key (its access tokens are opaque): one key per test process spares
// each start a 2048-bit RSA generation (0.3-1 s on a busy machine).
let oidcKeyPem: Promise<string> | undefined;
function oidcKey(): Promise<string> {
  oidcKeyPem ??= generateKeyPair('rsa', { modulusLength: 2048 }).then(({ privateKey }) =>
    privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  );
  return oidcKeyPem;
}

export interface StartDjangoOAuthToolkitOptions {
  /** Access-token lifetime in seconds (default 300). */
  accessTokenTtl?: number;
  /** Bound on project generation, migrate and server start, in ms (default 45000: migrate is slow on a loaded machine). */
  startTimeoutMs?: number;
}

export interface TestDjangoOAuthToolkit extends ProviderFixtureBase {
  issuer: string;
  /** Fixed DOT routes, with their trailing slashes; introspection and revocation are not in discovery. */
  endpoints: { token: string; introspection: string; revocation: string; userinfo: string; jwks: string };
  clients: { basic: IdpClient; post: IdpClient; reservedBasic: IdpClient; reservedPost: IdpClient };
  /** A client-credentials access token (opaque) from the real token endpoint. */
  getToken(options?: { client?: IdpClient; scope?: string }): Promise<string>;
}

function classify(path: string): EndpointName {
  const table: Record<string, EndpointName> = {
    '/o/.well-known/openid-configuration': 'discovery',
    '/o/.well-known/openid-configuration/': 'discovery',
    '/o/.well-known/jwks.json': 'jwks',
    '/o/token/': 'token',
    '/o/introspect/': 'introspection',
    '/o/revoke_token/': 'revocation',
    '/o/userinfo/': 'userinfo',
  };
  return table[path] ?? 'other';
}

export async function startDjangoOAuthToolkit(
  options: StartDjangoOAuthToolkitOptions = {},
): Promise<TestDjangoOAuthToolkit> {
  assertProviderInstalled('django-oauth-toolkit');
  const rsaPem = await oidcKey();
  const clients = secretClients() satisfies TestDjangoOAuthToolkit['clients'];

  const dir = makeTempDir('im-dot-');
  const proxy = await startCountingProxy(classify);
  const issuer = `${proxy.origin}/o`;
  const lifecycle = await startLifecycle({
    proxy,
    dir,
    timeoutMs: options.startTimeoutMs ?? 45_000,
    async setup(timeoutMs) {
      writeDjangoProject(dir, {
        issuer,
        rsaPem,
        clients: Object.values(clients),
        secretKey: clientSecret(),
        accessTokenTtl: options.accessTokenTtl ?? 300,
      });
      await runSetupCommand({
        provider: 'django-oauth-toolkit',
        step: 'migrate and clients (manage.py shell)',
        command: SYSTEM_PYTHON,
        args: ['manage.py', 'shell', '-c', 'exec(open("setup_fixture.py").read())'],
        cwd: dir,
        timeoutMs,
      });
    },
    launch: (port, timeoutMs) =>
      launchServer({
        provider: 'django-oauth-toolkit',
        command: SYSTEM_PYTHON,
        args: ['manage.py', 'runserver', `127.0.0.1:${port}`, '--noreload'],
        cwd: dir,
        readyUrl: `http://127.0.0.1:${port}/o/.well-known/openid-configuration`,
        timeoutMs,
      }),
  });

  const endpoints = {
    token: `${issuer}/token/`,
    introspection: `${issuer}/introspect/`,
    revocation: `${issuer}/revoke_token/`,
    userinfo: `${issuer}/userinfo/`,
    jwks: `${issuer}/.well-known/jwks.json`,
  };
  return {
    ...fixtureBase(proxy, lifecycle, dir),
    issuer,
    endpoints,
    clients,
    getToken: ({ client = clients.basic, scope = 'read' } = {}) =>
      fetchClientCredentialsToken({
        provider: 'django-oauth-toolkit',
        tokenEndpoint: endpoints.token,
        client,
        params: { scope },
        basic: 'form-urlencoded',
      }),
  };
}
