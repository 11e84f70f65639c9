/**
 * Log and error hygiene across the library: every pino line (trace level) and every error (with its whole
 * cause chain) produced while clients obtain tokens (all four client authentication methods, right and
 * wrong credentials), APIs on all three frameworks validate good and forged tokens, the provider goes away,
 * and the HTTP client fails on URLs carrying credentials. None may contain a token, a client secret or
 * private key material.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsTokenManager,
  createAuthenticatedFetch,
  createHttpClient,
  type HttpClient,
} from '@identity-model/core';
import { FRAMEWORKS, type RunningApp, startApp } from '../security/support/apps.js';
import { attackerKeys } from '../security/support/keys.js';
import { type LocalServer, startLocalServer } from '../security/support/local-server.js';
import { addProviderSecrets, createLogCapture, privateKeyPieces } from '../security/support/log-capture.js';
import { rawRequest } from '../security/support/raw-http.js';
import { type IdpClient, startIdp, type TestIdp } from '../support/idp.js';

describe('hygiene: no secret in any log line or error message', () => {
  const logs = createLogCapture('trace');
  let idp: TestIdp;
  let http: HttpClient;
  /** Short timeouts, for the calls meant to fail (a hanging server, a dead key set). */
  let failing: HttpClient;
  let hang: LocalServer;
  const apps: RunningApp[] = [];
  const managers: ClientCredentialsTokenManager[] = [];

  before(async () => {
    idp = await startIdp();
    http = createHttpClient({ timeoutMs: 10_000, retryCount: 1, retryBaseDelayMs: 50, logger: logs.logger });
    failing = createHttpClient({ timeoutMs: 300, retryCount: 0, logger: logs.logger });
    hang = await startLocalServer(() => {});
    addProviderSecrets(logs, idp);
    for (const k of [attackerKeys().rsa, attackerKeys().ec]) {
      logs.addSecret(...privateKeyPieces(k.privateKey.export({ format: 'jwk' }) as Record<string, unknown>));
    }
  });

  after(async () => {
    for (const m of managers) await m.close();
    for (const a of apps) await a.close();
    await http?.close();
    await failing?.close();
    await hang?.close();
    await idp?.close();
  });

  function manager(
    client: IdpClient,
    overrides: Partial<ConstructorParameters<typeof ClientCredentialsTokenManager>[0]> = {},
  ) {
    const m = new ClientCredentialsTokenManager({
      tokenEndpoint: `${idp.issuer}/token`,
      clientId: client.clientId,
      ...(client.authMethod === 'private_key_jwt'
        ? { privateKey: client.privateJwk }
        : { clientSecret: client.clientSecret, clientAuthentication: client.authMethod }),
      scope: 'read',
      logger: logs.logger,
      httpClient: http,
      failureBackoff: { initialMs: 10, maxMs: 20 },
      ...overrides,
    });
    managers.push(m);
    return m;
  }

  test('clients of every authentication method obtain tokens (and those tokens are never logged)', async () => {
    for (const client of [idp.clients.basic, idp.clients.post, idp.clients.jwt, idp.clients.privateKeyJwt]) {
      const token = await manager(client).getToken();
      logs.addSecret(token.accessToken);
      assert.ok(token.accessToken.length > 0, client.authMethod);
    }
  });

  test('wrong client secrets and a wrong private key fail without echoing them', async () => {
    const wrongSecret = `wrong-secret-${Math.random().toString(36).slice(2)}-do-not-log`;
    logs.addSecret(wrongSecret);
    for (const method of ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'] as const) {
      const m = manager(
        { ...idp.clients.basic, authMethod: method },
        { clientSecret: wrongSecret, clientAuthentication: method },
      );
      await assert.rejects(m.getToken(), (error: unknown) => {
        logs.recordError(error);
        return true;
      });
    }
    const wrongKey = {
      ...(attackerKeys().ec.privateKey.export({ format: 'jwk' }) as Record<string, unknown>),
      kid: 'client-key-1',
      alg: 'ES256',
    };
    const m = manager(idp.clients.privateKeyJwt, { privateKey: wrongKey });
    await assert.rejects(m.getToken(), (error: unknown) => {
      logs.recordError(error);
      return true;
    });
  });

  test('APIs on every framework log refusals and 503s without the token', async () => {
    const dead = await startLocalServer();
    const deadIssuer = dead.origin;
    await dead.close();
    const good = await idp.getToken({ scope: 'read' });
    logs.addSecret(good);
    const forged = `${good.slice(0, good.lastIndexOf('.'))}.${'A'.repeat(342)}`;
    logs.addSecret(forged);
    for (const framework of FRAMEWORKS) {
      const app = await startApp(framework, {
        issuer: idp.issuer,
        audience: idp.audience,
        logger: logs.logger,
      });
      const down = await startApp(framework, {
        issuer: idp.issuer,
        audience: idp.audience,
        jwksUri: `${deadIssuer}/jwks`,
        logger: logs.logger,
        httpClient: failing,
      });
      apps.push(app, down);
      const auth = (t: string): [string, string][] => [['authorization', `Bearer ${t}`]];
      assert.equal((await rawRequest(app.port, { path: '/api', headers: auth(good) })).status, 200);
      assert.equal((await rawRequest(app.port, { path: '/api', headers: auth(forged) })).status, 401);
      assert.equal((await rawRequest(app.port, { path: '/admin', headers: auth(good) })).status, 403);
      assert.equal((await rawRequest(down.port, { path: '/api', headers: auth(good) })).status, 503);
    }
  });

  test('an authenticated fetch to an API logs nothing secret', async () => {
    const app = apps[0] as RunningApp;
    const m = manager(idp.clients.basic);
    const fetchWithToken = createAuthenticatedFetch(m, { origins: [app.url] });
    const res = await fetchWithToken(`${app.url}/api`);
    assert.equal(res.status, 200);
    logs.addSecret((await m.getToken()).accessToken);
  });

  test('HTTP failures on URLs carrying credentials do not echo them', async () => {
    const password = `pw-${Math.random().toString(36).slice(2)}-userinfo-secret`;
    const querySecret = `qs-${Math.random().toString(36).slice(2)}-query-secret`;
    logs.addSecret(password, querySecret);
    await assert.rejects(
      failing.request({
        url: `http://user:${password}@127.0.0.1:${hang.port}/x?client_secret=${querySecret}`,
      }),
      (error: unknown) => {
        logs.recordError(error);
        return true;
      },
    );
  });

  test('the whole run: no leak in any log line or error, and the capture saw both', (t) => {
    t.diagnostic(`${logs.lines.length} log lines, ${logs.errors.length} errors scanned`);
    assert.ok(logs.lines.length > 10, 'the capture is not wired: too few log lines');
    assert.ok(logs.errors.length >= 5);
    assert.deepEqual(logs.findLeaks(), []);
  });
});
