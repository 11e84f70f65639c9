import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { HttpError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import { getJwks, type JsonWebKey, JwksRequest } from '../../src/jwks/index.js';
import { type LocalServer, sendJson, startServer } from '../http/local-server.js';
import { ecKey, edKey, privateJwk, rsaKey } from './test-keys.js';

const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });
const servers: LocalServer[] = [];
after(async () => {
  await Promise.all([http.close(), ...servers.map((s) => s.close())]);
});

const rsa = rsaKey('rsa-1');
const ec = ecKey('ec-1');
const ed = edKey('ed-1');

async function serveBody(
  body: unknown,
  contentType = 'application/json',
  status = 200,
): Promise<LocalServer> {
  const server = await startServer((_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  servers.push(server);
  return server;
}

async function fetchSet(body: unknown, contentType?: string) {
  const server = await serveBody(body, contentType);
  return getJwks(new JwksRequest({ address: `${server.url}/jwks` }), http);
}

describe('getJwks', () => {
  test('parses a set of RSA, EC and OKP keys with their members', async () => {
    const response = await fetchSet({ keys: [rsa.jwk, ec.jwk, ed.jwk] }, 'application/jwk-set+json');
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.httpStatus, 200);
    assert.deepEqual(
      response.keys.map((k) => [k.kid, k.kty]),
      [
        ['rsa-1', 'RSA'],
        ['ec-1', 'EC'],
        ['ed-1', 'OKP'],
      ],
    );
    const key = response.getKey('rsa-1');
    assert.equal(key?.n, rsa.jwk.n);
    assert.equal(key?.e, 'AQAB');
    assert.equal(key?.use, 'sig');
    assert.equal(key?.alg, 'RS256');
    assert.equal(response.getKey('ec-1')?.crv, 'P-256');
    assert.equal(response.rejectedKeys.length, 0);
  });

  test('x5c, x5t and x5t#S256 are kept', async () => {
    const jwk = { ...rsa.jwk, x5c: ['MIIB'], x5t: 'abc', 'x5t#S256': 'def' };
    const response = await fetchSet({ keys: [jwk] });
    assert.deepEqual(response.keys[0]?.x5c, ['MIIB']);
    assert.equal(response.keys[0]?.['x5t#S256'], 'def');
  });

  for (const [name, body, contentType] of [
    ['an HTML error page', '<html>Service Unavailable</html>', 'text/html'],
    ['JSON with a wrong content type', JSON.stringify({ keys: [] }), 'text/plain'],
    ['a body that is not JSON', '{"keys": [', 'application/json'],
    ['an array instead of an object', '[]', 'application/json'],
    ['keys that is not an array', JSON.stringify({ keys: {} }), 'application/json'],
    ['no keys member', JSON.stringify({}), 'application/json'],
  ] as const) {
    test(`${name} is a protocol error`, async () => {
      const response = await fetchSet(body, contentType);
      assert.equal(response.isSuccessful, false);
      assert.equal(response.errorType, 'protocol');
    });
  }

  test('key confusion: duplicate kids refuse the whole set', async () => {
    const response = await fetchSet({ keys: [rsa.jwk, { ...ec.jwk, kid: 'rsa-1' }] });
    assert.equal(response.errorType, 'protocol');
    assert.match(response.error ?? '', /duplicate kid/);
  });

  test('resource exhaustion: more than 100 keys refuse the set', async () => {
    const keys = Array.from({ length: 101 }, (_, i) => ({ ...ec.jwk, kid: `k${i}` }));
    assert.equal((await fetchSet({ keys })).errorType, 'protocol');
    assert.equal((await fetchSet({ keys: keys.slice(0, 100) })).keys.length, 100);
  });

  test('resource exhaustion: a set over 512 KiB is refused', async () => {
    const response = await fetchSet({ keys: [rsa.jwk], padding: 'x'.repeat(512 * 1024) });
    assert.equal(response.errorType, 'http');
    assert.equal((response.cause as HttpError).code, 'http_body_too_large');
  });

  test('weak keys: an RSA key under 2048 bits is left out, the rest of the set is kept', async () => {
    const weak = rsaKey('weak', 1024);
    const response = await fetchSet({ keys: [weak.jwk, ec.jwk] });
    assert.equal(response.isSuccessful, true);
    assert.deepEqual(
      response.keys.map((k) => k.kid),
      ['ec-1'],
    );
    assert.equal(response.rejectedKeys[0]?.kid, 'weak');
    assert.match(response.rejectedKeys[0]?.reason ?? '', /1024 bits/);
  });

  test('private key leak: a published key with private members is left out', async () => {
    const response = await fetchSet({ keys: [privateJwk(ec), rsa.jwk] });
    assert.deepEqual(
      response.keys.map((k) => k.kid),
      ['rsa-1'],
    );
    assert.match(response.rejectedKeys[0]?.reason ?? '', /private/);
  });

  test('HMAC key confusion: a published symmetric key is left out', async () => {
    const response = await fetchSet({ keys: [{ kty: 'oct', kid: 'hs', k: 'c2VjcmV0' }, ec.jwk] });
    assert.deepEqual(
      response.keys.map((k) => k.kid),
      ['ec-1'],
    );
  });

  const { n: _n, ...rsaWithoutN } = rsa.jwk;
  const { y: _y, ...ecWithoutY } = ec.jwk;
  for (const [name, jwk, reason] of [
    ['no kty', { kid: 'a', n: rsa.jwk.n, e: 'AQAB' }, /kty/],
    ['an RSA key without n', rsaWithoutN, /n and e/],
    ['an EC key without y', ecWithoutY, /x and y/],
    ['an EC key on an unknown curve', { ...ec.jwk, crv: 'P-192' }, /crv/],
    ['use sig with key_ops encrypt', { ...ec.jwk, use: 'sig', key_ops: ['encrypt'] }, /contradicts/],
    ['use enc with key_ops verify', { ...ec.jwk, use: 'enc', key_ops: ['verify'] }, /contradicts/],
    ['duplicate key_ops', { ...ec.jwk, key_ops: ['verify', 'verify'] }, /duplicate/],
    ['an unknown kty', { kty: 'PQC', kid: 'future' }, /unsupported kty/],
    ['a non-object member', 'not a key', /object/],
  ] as const) {
    test(`${name} is left out with a reason`, async () => {
      const response = await fetchSet({ keys: [jwk as unknown as JsonWebKey, ed.jwk] });
      assert.equal(response.isSuccessful, true, response.error);
      assert.deepEqual(
        response.keys.map((k) => k.kid),
        ['ed-1'],
      );
      assert.equal(response.rejectedKeys.length, 1);
      assert.equal(response.rejectedKeys[0]?.index, 0);
      assert.match(response.rejectedKeys[0]?.reason ?? '', reason);
    });
  }

  test('consistent use and key_ops are accepted', async () => {
    const response = await fetchSet({ keys: [{ ...ec.jwk, use: 'sig', key_ops: ['verify'] }] });
    assert.equal(response.keys.length, 1);
  });

  test('a 500 is an http error with the status; a redirect is not followed', async () => {
    const failing = await serveBody({ error: 'x' }, 'application/json', 500);
    const failed = await getJwks(new JwksRequest({ address: failing.url }), http);
    assert.equal(failed.errorType, 'http');
    assert.equal(failed.httpStatus, 500);

    const elsewhere = await serveBody({ keys: [rsa.jwk] });
    const redirecting = await startServer((_req, res) => {
      res.writeHead(301, { location: elsewhere.url });
      res.end();
    });
    servers.push(redirecting);
    const redirected = await getJwks(new JwksRequest({ address: redirecting.url }), http);
    assert.equal(redirected.errorType, 'http');
    assert.equal(redirected.httpStatus, 301);
    assert.equal(elsewhere.count, 0);
  });

  test('the request accepts a JWK Set and names the set media type', async () => {
    let accept: string | undefined;
    const server = await startServer((req, res) => {
      accept = req.headers.accept;
      sendJson(res, 200, { keys: [ec.jwk] });
    });
    servers.push(server);
    const response = await getJwks(new JwksRequest({ address: server.url }), http);
    assert.equal(response.isSuccessful, true);
    assert.match(accept ?? '', /application\/jwk-set\+json/);
  });
});
