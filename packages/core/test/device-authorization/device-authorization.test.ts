import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  DeviceAuthorizationRequest,
  DeviceAuthorizationResponse,
  requestDeviceAuthorization,
} from '../../src/device-authorization/index.js';
import { ConfigurationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { json, type LocalServer, startServer } from '../token/local-server.js';

const DEVICE_CODE = 'dc_7f3a9b2c1d0e_device_code_secret';
const GOOD = {
  device_code: DEVICE_CODE,
  user_code: 'WDJB-MJHT',
  verification_uri: 'https://as.example/device',
  verification_uri_complete: 'https://as.example/device?user_code=WDJB-MJHT',
  expires_in: 1800,
  interval: 5,
};

describe('device authorization request (RFC 8628 §3.1-3.2) against a local server', () => {
  let http: HttpClient;
  let server: LocalServer;
  let answer: { status: number; body: unknown; contentType?: string } = { status: 200, body: GOOD };

  before(async () => {
    http = createHttpClient({ retryCount: 0 });
    server = await startServer((req, res) => {
      if (req.path === '/.well-known/openid-configuration') {
        json(res, 200, {
          issuer: server.origin,
          authorization_endpoint: `${server.origin}/auth`,
          token_endpoint: `${server.origin}/token`,
          device_authorization_endpoint: `${server.origin}/device/auth`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        });
        return;
      }
      if (answer.contentType) {
        res.writeHead(answer.status, { 'content-type': answer.contentType });
        res.end(String(answer.body));
        return;
      }
      json(res, answer.status, answer.body);
    });
  });
  after(async () => {
    await http.close();
    await server.close();
  });

  const send = async (
    body: unknown,
    status = 200,
    options: Partial<ConstructorParameters<typeof DeviceAuthorizationRequest>[0]> = {},
  ) => {
    answer = { status, body };
    return requestDeviceAuthorization(
      new DeviceAuthorizationRequest({
        address: `${server.origin}/device/auth`,
        clientId: 'tv-app',
        ...options,
      }),
      http,
    );
  };

  test('a public client sends client_id, scope and every resource indicator, and reads every member', async () => {
    const response = await send(GOOD, 200, {
      scope: ['openid', 'profile'],
      resource: ['https://api.example/a', 'https://api.example/b'],
    });
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.deviceCode, DEVICE_CODE);
    assert.equal(response.userCode, 'WDJB-MJHT');
    assert.equal(response.verificationUri, GOOD.verification_uri);
    assert.equal(response.verificationUriComplete, GOOD.verification_uri_complete);
    assert.equal(response.expiresIn, 1800);
    assert.equal(response.interval, 5);
    const form = server.requests.at(-1)?.form;
    assert.equal(form?.get('client_id'), 'tv-app');
    assert.equal(form?.get('scope'), 'openid profile');
    assert.deepEqual(form?.getAll('resource'), ['https://api.example/a', 'https://api.example/b']);
    assert.equal(server.requests.at(-1)?.headers.authorization, undefined);
  });

  test('a confidential client authenticates as at the token endpoint (client_secret_basic)', async () => {
    await send(GOOD, 200, { clientSecret: 's3cret' });
    const seen = server.requests.at(-1);
    assert.equal(seen?.headers.authorization, `Basic ${Buffer.from('tv-app:s3cret').toString('base64')}`);
    assert.equal(seen?.form.get('client_secret'), null);
  });

  test('the endpoint is read from the authority discovery document', async () => {
    answer = { status: 200, body: GOOD };
    const request = new DeviceAuthorizationRequest({ authority: server.origin, clientId: 'tv-app' });
    const response = await requestDeviceAuthorization(request, http);
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(server.requests.at(-1)?.path, '/device/auth');
  });

  test('the device code is masked in util.inspect and JSON.stringify', async () => {
    const response = await send(GOOD);
    assert.ok(!inspect(response, { depth: 5 }).includes(DEVICE_CODE));
    assert.ok(!JSON.stringify(response).includes(DEVICE_CODE));
    assert.ok(inspect(response).includes('WDJB-MJHT'));
  });

  test('interval defaults to 5 s when absent (RFC 8628 §3.2)', async () => {
    const { interval: _i, ...noInterval } = GOOD;
    assert.equal((await send(noInterval)).interval, 5);
  });

  test('a hostile interval and expires_in are clamped: interval to [1, 60] s, expires_in to 1 h', async () => {
    const fast = await send({ ...GOOD, interval: 0, expires_in: 1e308 });
    assert.equal(fast.interval, 1);
    assert.equal(fast.expiresIn, 3600);
    const slow = await send({ ...GOOD, interval: 86_400 * 365 });
    assert.equal(slow.interval, 60);
  });

  for (const [name, body, pattern] of [
    ['no device_code', { ...GOOD, device_code: undefined }, /device_code/],
    ['a numeric user_code', { ...GOOD, user_code: 12345678 }, /user_code/],
    ['a user_code with a line break', { ...GOOD, user_code: 'AB\nCD' }, /user_code/],
    [
      'a javascript: verification_uri (shown to the user)',
      { ...GOOD, verification_uri: 'javascript:alert(1)' },
      /verification_uri/,
    ],
    [
      'a relative verification_uri_complete',
      { ...GOOD, verification_uri_complete: '/device?x' },
      /verification_uri_complete/,
    ],
    ['no expires_in (REQUIRED)', { ...GOOD, expires_in: undefined }, /expires_in/],
    ['a zero expires_in', { ...GOOD, expires_in: 0 }, /expires_in/],
    ['a negative interval', { ...GOOD, interval: -5 }, /interval/],
  ] as const) {
    test(`an answer with ${name} is an unsuccessful exception response, the value not quoted`, async () => {
      const response = await send(body);
      assert.equal(response.isSuccessful, false);
      assert.equal(response.errorType, 'exception');
      assert.match(response.error ?? '', pattern);
      assert.equal(response.deviceCode, undefined);
      assert.ok(!(response.error ?? '').includes(DEVICE_CODE));
    });
  }

  test('an OAuth error (invalid_client on 401) is a protocol response', async () => {
    const response = await send({ error: 'invalid_client', error_description: 'unknown client' }, 401);
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'invalid_client');
    assert.equal(response.errorDescription, 'unknown client');
    assert.equal(response.httpStatus, 401);
  });

  test('an HTML page on 200 is an exception response, never a throw', async () => {
    answer = { status: 200, body: `<html>${DEVICE_CODE}</html>`, contentType: 'text/html' };
    const response = await requestDeviceAuthorization(
      new DeviceAuthorizationRequest({ address: `${server.origin}/device/auth`, clientId: 'tv-app' }),
      http,
    );
    assert.equal(response.errorType, 'exception');
    assert.ok(!inspect(response, { depth: 5 }).includes(DEVICE_CODE));
  });

  test('a server that is gone is an http response', async () => {
    const gone = await startServer(() => {});
    await gone.close();
    const response = await requestDeviceAuthorization(
      new DeviceAuthorizationRequest({ address: gone.url, clientId: 'tv-app' }),
      http,
    );
    assert.equal(response.errorType, 'http');
    assert.ok(response instanceof DeviceAuthorizationResponse);
  });

  test('options are validated at construction with messages that say what to change', () => {
    const at = (o: object) => () =>
      new DeviceAuthorizationRequest({ address: 'https://as.example/d', clientId: 'c', ...o });
    assert.throws(
      at({ resource: 'not a uri' }),
      (e: unknown) => e instanceof ConfigurationError && /resource/.test(e.message),
    );
    assert.throws(at({ parameters: { scope: 'x' } }), /"scope" is set by the request itself/);
    assert.throws(() => new DeviceAuthorizationRequest({ clientId: 'c' }), /address or authority/);
  });
});
