/**
 * `expires_in` and `Retry-After` from a token endpoint are numbers from outside: clamped where the response
 * is read, so a token always renews and every expiry is a finite number (a timer, a Redis `PX`).
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, mock, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TokenManagementError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import { ClientCredentialsTokenRequest, requestClientCredentialsToken } from '../../src/token/index.js';
import { MAX_EXPIRES_IN_SECONDS } from '../../src/token/token-response.js';
import { ClientCredentialsTokenManager } from '../../src/token-management/client-credentials-token-manager.js';
import { type LocalServer, type SeenRequest, startServer } from './local-server.js';

const YEAR_S = 365 * 24 * 3600;

/** Writes a JSON body verbatim, so numbers JSON.stringify cannot produce (1e400) reach the client. */
function rawJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

describe('hostile expires_in and Retry-After from a token endpoint', () => {
  let server: LocalServer;
  let answer: (req: SeenRequest, res: ServerResponse) => void;
  const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });
  before(async () => {
    server = await startServer((req, res) => answer(req, res));
  });
  after(async () => {
    await http.close();
    await server.close();
  });

  const request = () =>
    requestClientCredentialsToken(
      new ClientCredentialsTokenRequest({
        address: server.url,
        clientId: 'svc',
        clientSecret: 'secret-value',
      }),
      http,
    );
  const withExpiresIn = (expiresIn: string) => {
    answer = (_req, res) =>
      rawJson(res, 200, `{"access_token":"at","token_type":"Bearer","expires_in":${expiresIn}}`);
  };

  test('the ceiling is documented as one year', () => {
    assert.equal(MAX_EXPIRES_IN_SECONDS, YEAR_S);
  });

  for (const [sent, expected] of [
    ['1e308', YEAR_S],
    ['1e400', YEAR_S], // JSON reads it as Infinity
    [`"${'9'.repeat(400)}"`, YEAR_S],
    ['31536001', YEAR_S],
    ['3600', 3600],
    ['"3600"', 3600],
    ['0.5', 0.5],
  ] as const) {
    test(`expires_in ${sent.slice(0, 20)} is read as ${expected} s`, async () => {
      withExpiresIn(sent);
      const response = await request();
      assert.equal(response.isSuccessful, true, response.error);
      assert.equal(response.expiresIn, expected);
    });
  }

  for (const sent of ['"abc"', '-5', '"-5"', '"1e3"', 'null', 'true', '{}']) {
    test(`expires_in ${sent} is refused as a response that is not a token response`, async () => {
      withExpiresIn(sent);
      const response = await request();
      assert.equal(response.isSuccessful, false);
      assert.equal(response.errorType, 'exception');
      assert.match(response.error ?? '', /expires_in/);
      assert.equal(response.expiresIn, undefined);
    });
  }

  test('a 503 with a 400-digit Retry-After is read as 86400 s, not Infinity', async () => {
    answer = (_req, res) => rawJson(res, 503, '{}', { 'retry-after': '9'.repeat(400) });
    const response = await request();
    assert.equal(response.errorType, 'http');
    assert.equal(response.retryAfter, 86_400);
  });

  test('an OAuth error with a year-9999 Retry-After is read as 86400 s', async () => {
    answer = (_req, res) =>
      rawJson(res, 400, '{"error":"slow_down"}', { 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' });
    const response = await request();
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.retryAfter, 86_400);
  });

  test('a 429 with a negative Retry-After carries none', async () => {
    answer = (_req, res) => rawJson(res, 429, '{}', { 'retry-after': '-5' });
    const response = await request();
    assert.equal(response.httpStatus, 429);
    assert.equal(response.retryAfter, undefined);
  });

  test('the manager renews a token whose expires_in was 1e308 (a year later, 60 s ahead)', async () => {
    let issued = 0;
    answer = (_req, res) =>
      rawJson(res, 200, `{"access_token":"token-${++issued}","token_type":"Bearer","expires_in":1e308}`);
    const manager = new ClientCredentialsTokenManager({
      tokenEndpoint: server.url,
      clientId: 'svc',
      clientSecret: 'secret-value',
      httpClient: http,
    });
    // Only Date is mocked: sockets and timers stay real, the clock jumps a year.
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      const first = await manager.getToken();
      assert.ok(Number.isFinite(first.expiresAt), 'a finite expiry');
      assert.equal(first.expiresAt - Date.now(), YEAR_S * 1000);
      mock.timers.tick(YEAR_S * 1000 - 59_000); // inside the 60 s refresh window
      assert.equal((await manager.getToken()).accessToken, 'token-1', 'served while renewing');
      while (issued < 2) await sleep(5);
      await sleep(20);
      const renewed = await manager.getToken();
      assert.equal(renewed.accessToken, 'token-2', 'renewed ahead of expiry');
    } finally {
      mock.timers.reset();
      await manager.close();
    }
  });

  test('the manager refuses a token whose expires_in is garbage with a typed error', async () => {
    answer = (_req, res) =>
      rawJson(res, 200, '{"access_token":"at","token_type":"Bearer","expires_in":"abc"}');
    const manager = new ClientCredentialsTokenManager({
      tokenEndpoint: server.url,
      clientId: 'svc',
      clientSecret: 'secret-value',
      httpClient: http,
    });
    try {
      await assert.rejects(manager.getToken(), (error: unknown) => {
        assert.ok(error instanceof TokenManagementError);
        assert.equal(error.code, 'token_request_failed');
        assert.match(error.message, /expires_in/);
        return true;
      });
    } finally {
      await manager.close();
    }
  });
});
