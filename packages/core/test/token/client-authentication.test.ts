import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { decodeProtectedHeader, exportJWK, jwtVerify } from 'jose';
import { ConfigurationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { ClientCredentialsTokenRequest } from '../../src/token/grant-requests.js';
import { requestClientCredentialsToken } from '../../src/token/request-token.js';
import { json, type LocalServer, startServer } from './local-server.js';

// Every client authentication method, checked by decoding what a real server received.
describe('client authentication', () => {
  let server: LocalServer;
  let http: HttpClient;
  before(async () => {
    server = await startServer((_req, res) =>
      json(res, 200, { access_token: 'at-1', token_type: 'Bearer', expires_in: 60 }),
    );
    http = createHttpClient({ retryCount: 0 });
  });
  after(async () => {
    await http.close();
    await server.close();
  });
  const last = () => server.requests.at(-1) as NonNullable<LocalServer['requests'][number]>;

  test('client_secret_basic is the default and form-url-encodes id and secret before Base64 (RFC 6749 §2.3.1)', async () => {
    const clientId = "svc id:with/odd!chars'é";
    const clientSecret = 'p@ss w:rd+/=*()~';
    const response = await requestClientCredentialsToken(
      new ClientCredentialsTokenRequest({
        address: server.url,
        clientId,
        clientSecret,
        scope: ['read', 'write'],
      }),
      http,
    );
    assert.equal(response.isSuccessful, true);
    const header = last().headers.authorization as string;
    assert.match(header, /^Basic /);
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const [id, secret] = decoded.split(':') as [string, string];
    // Each part is form-encoded, so the separating ':' is the only raw colon.
    assert.equal(decoded.split(':').length, 2);
    assert.equal(new URLSearchParams(`a=${id}`).get('a'), clientId);
    assert.equal(new URLSearchParams(`a=${secret}`).get('a'), clientSecret);
    assert.ok(secret.includes('+'), 'space is encoded as +');
    assert.ok(secret.includes('%2A') && secret.includes('%28'), "'*' and '(' are percent-encoded");
    assert.equal(last().form.get('grant_type'), 'client_credentials');
    assert.equal(last().form.get('scope'), 'read write');
    assert.equal(last().form.get('client_secret'), null);
    assert.equal(last().form.get('client_id'), null);
  });

  test('client_secret_post sends id and secret in the body, no Authorization header', async () => {
    await requestClientCredentialsToken(
      new ClientCredentialsTokenRequest({
        address: server.url,
        clientId: 'svc',
        clientSecret: 's3cret',
        clientAuthentication: 'client_secret_post',
        resource: ['https://api.one/', 'https://api.two/'],
        parameters: { tenant: 'acme', extra: ['a', 'b'] },
      }),
      http,
    );
    const seen = last();
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.form.get('client_id'), 'svc');
    assert.equal(seen.form.get('client_secret'), 's3cret');
    assert.deepEqual(seen.form.getAll('resource'), ['https://api.one/', 'https://api.two/']);
    assert.equal(seen.form.get('tenant'), 'acme');
    assert.deepEqual(seen.form.getAll('extra'), ['a', 'b']);
    assert.equal(seen.headers['content-type'], 'application/x-www-form-urlencoded');
  });

  test('client_secret_jwt signs an HS256 assertion with a fresh jti per request', async () => {
    const secret = 'a-long-shared-secret-of-at-least-32-bytes!!';
    const request = new ClientCredentialsTokenRequest({
      address: server.url,
      clientId: 'svc-jwt',
      clientSecret: secret,
      clientAuthentication: 'client_secret_jwt',
    });
    await requestClientCredentialsToken(request, http);
    const first = last().form;
    await requestClientCredentialsToken(request, http);
    const second = last().form;
    assert.equal(
      first.get('client_assertion_type'),
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    assert.equal(first.get('client_id'), 'svc-jwt');
    assert.equal(first.get('client_secret'), null);
    const { payload, protectedHeader } = await jwtVerify(
      first.get('client_assertion') as string,
      new TextEncoder().encode(secret),
      { issuer: 'svc-jwt', subject: 'svc-jwt', audience: server.url, algorithms: ['HS256'] },
    );
    assert.equal(protectedHeader.alg, 'HS256');
    assert.equal((payload.exp as number) - (payload.iat as number), 60);
    const { payload: p2 } = await jwtVerify(
      second.get('client_assertion') as string,
      new TextEncoder().encode(secret),
    );
    assert.notEqual(payload.jti, p2.jti, 'assertion replay is stopped by a fresh jti');
  });

  test('private_key_jwt with a JWK signs ES256 with its kid; aud can be set to the issuer', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'k-1' };
    await requestClientCredentialsToken(
      new ClientCredentialsTokenRequest({
        address: server.url,
        clientId: 'svc-pk',
        privateKey: jwk,
        clientAssertion: { audience: 'https://issuer.example' },
      }),
      http,
    );
    const assertion = last().form.get('client_assertion') as string;
    assert.deepEqual(decodeProtectedHeader(assertion), { alg: 'ES256', kid: 'k-1' });
    const { payload } = await jwtVerify(assertion, publicKey, {
      issuer: 'svc-pk',
      subject: 'svc-pk',
      audience: 'https://issuer.example',
    });
    assert.equal(typeof payload.jti, 'string');
    assert.ok((payload.exp as number) - (payload.iat as number) <= 60, 'short-lived assertion');
  });

  test('private_key_jwt with an RSA PEM picks RS256 and audience = token endpoint', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await requestClientCredentialsToken(
      new ClientCredentialsTokenRequest({ address: server.url, clientId: 'svc-rsa', privateKey: pem }),
      http,
    );
    const assertion = last().form.get('client_assertion') as string;
    assert.equal(decodeProtectedHeader(assertion).alg, 'RS256');
    await jwtVerify(assertion, publicKey, { audience: server.url, issuer: 'svc-rsa' });
  });

  test('none sends only client_id', async () => {
    await requestClientCredentialsToken(
      new ClientCredentialsTokenRequest({
        address: server.url,
        clientId: 'public-app',
        clientAuthentication: 'none',
      }),
      http,
    );
    assert.equal(last().form.get('client_id'), 'public-app');
    assert.equal(last().headers.authorization, undefined);
    assert.equal(last().form.get('client_assertion'), null);
  });

  test('options that cannot work are refused when the request is built', async () => {
    const base = { address: server.url, clientId: 'svc' };
    assert.throws(
      () => new ClientCredentialsTokenRequest({ ...base, clientAuthentication: 'client_secret_basic' }),
      ConfigurationError,
    );
    assert.throws(
      () => new ClientCredentialsTokenRequest({ ...base, clientAuthentication: 'private_key_jwt' }),
      /privateKey/,
    );
    assert.throws(
      () => new ClientCredentialsTokenRequest({ ...base, address: 'ftp://x/token', clientSecret: 's' }),
      /address/,
    );
    assert.throws(
      () =>
        new ClientCredentialsTokenRequest({
          ...base,
          clientSecret: 's',
          parameters: { grant_type: 'password' },
        }),
      /grant_type/,
    );
    assert.throws(
      () =>
        new ClientCredentialsTokenRequest({ ...base, clientSecret: 's', parameters: { client_id: 'other' } }),
      /client_id/,
    );
    assert.throws(
      () => new ClientCredentialsTokenRequest({ ...base, clientSecret: 's', resource: 'not a uri' }),
      /resource/,
    );
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.throws(
      () =>
        new ClientCredentialsTokenRequest({
          ...base,
          privateKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
        }),
      /private/,
    );
    const ec = await exportJWK(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    assert.throws(
      () =>
        new ClientCredentialsTokenRequest({
          ...base,
          privateKey: ec,
          clientAssertion: { algorithm: 'RS256' },
        }),
      /does not fit/,
    );
  });

  test('key material leak: a bad private key is refused without echoing it', () => {
    const bogus = '-----BEGIN PRIVATE KEY-----\nTOP-SECRET-MATERIAL\n-----END PRIVATE KEY-----';
    try {
      new ClientCredentialsTokenRequest({ address: server.url, clientId: 'svc', privateKey: bogus });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof ConfigurationError);
      assert.ok(!err.message.includes('TOP-SECRET'), err.message);
    }
  });

  test('token leak through logging: printing a response masks the tokens', async () => {
    server.requests.length = 0;
    const response = await requestClientCredentialsToken(
      new ClientCredentialsTokenRequest({ address: server.url, clientId: 'svc', clientSecret: 's' }),
      http,
    );
    assert.equal(response.accessToken, 'at-1');
    assert.ok(!inspect(response, { depth: 5 }).includes('at-1'));
    assert.ok(!JSON.stringify(response).includes('at-1'));
  });
});
