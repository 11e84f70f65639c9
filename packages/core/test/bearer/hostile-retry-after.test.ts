/**
 * A provider's Retry-After reaches our API's own 503. Whatever the provider sends (400 digits, a year-9999
 * date, a negative number), the 503 says a whole number of seconds in 1..300.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authenticateBearer, toBearerError } from '../../src/bearer/authenticate.js';
import {
  BearerError,
  DEFAULT_RETRY_AFTER_SECONDS,
  MAX_RETRY_AFTER_SECONDS,
} from '../../src/bearer/bearer-error.js';
import { TokenValidationError } from '../../src/errors.js';
import { createTokenValidator } from '../../src/validation/index.js';
import type { TokenValidator } from '../../src/validation/types.js';
import { type LocalServer, sendJson } from '../http/local-server.js';
import { loopbackProvider } from '../jwks/loopback-provider.js';
import { AUDIENCE, ISSUER, testKey, token } from '../validation/helpers.js';

const provider = loopbackProvider();

const key = testKey('ES256', 'hostile-retry-after');

const provider503 = (retryAfter: string): Promise<LocalServer> =>
  provider.serve((_req, res) => sendJson(res, 503, {}, { 'retry-after': retryAfter }));

async function answer503(validator: TokenValidator, iss = ISSUER): Promise<Record<string, string>> {
  const request = { method: 'GET', url: '/', headers: { authorization: `Bearer ${token(key, { iss })}` } };
  try {
    await authenticateBearer(request, validator);
  } catch (error) {
    assert.ok(error instanceof BearerError, String(error));
    const response = error.toResponse();
    assert.equal(response.status, 503);
    return response.headers;
  }
  assert.fail('expected a 503');
}

const viaJwksUri = async (retryAfter: string) => {
  const server = await provider503(retryAfter);
  return answer503(provider.jwksValidator(server));
};

describe("the API's 503 Retry-After is bounded whatever the provider sends", () => {
  test('the bounds are documented: 1..300 s, default 5', () => {
    assert.equal(MAX_RETRY_AFTER_SECONDS, 300);
    assert.equal(DEFAULT_RETRY_AFTER_SECONDS, 5);
  });

  test('key set 503 with a 400-digit Retry-After → Retry-After: 300, not Infinity', async () => {
    assert.equal((await viaJwksUri('9'.repeat(400)))['retry-after'], '300');
  });

  test('key set 503 with a year-9999 Retry-After → Retry-After: 300, not 251606140034', async () => {
    assert.equal((await viaJwksUri('Fri, 31 Dec 9999 23:59:59 GMT'))['retry-after'], '300');
  });

  test('key set 503 with a negative Retry-After → the key set backoff (5 s)', async () => {
    assert.equal((await viaJwksUri('-5'))['retry-after'], '5');
  });

  test('key set 503 with Retry-After: 42 → 42, passed through', async () => {
    assert.equal((await viaJwksUri('42'))['retry-after'], '42');
  });

  test('discovery 503 with a 400-digit Retry-After → Retry-After: 300', async () => {
    const server = await provider503('9'.repeat(400));
    const headers = await answer503(
      provider.track(
        createTokenValidator({ issuer: server.url, audience: AUDIENCE, httpClient: provider.http }),
      ),
      server.url,
    );
    assert.equal(headers['retry-after'], '300');
  });

  for (const [given, sent] of [
    [Number.POSITIVE_INFINITY, '300'],
    [251_606_140_034, '300'],
    [Number.NaN, '5'],
    [-10, '1'],
    [0.2, '1'],
    [299.5, '300'],
  ] as const) {
    test(`a keys_unavailable carrying retryAfter ${given} answers Retry-After: ${sent}`, () => {
      const error = new BearerError('keys_unavailable', 'down', { retryAfter: given });
      assert.equal(error.headers['retry-after'], sent);
      assert.equal(error.retryAfter, Number(sent));
    });
  }

  test('the clamp holds through toBearerError from a TokenValidationError', () => {
    const mapped = toBearerError(
      new TokenValidationError('keys_unavailable', 'down', { retryAfter: Number.POSITIVE_INFINITY }),
    ) as BearerError;
    assert.equal(mapped.headers['retry-after'], '300');
  });
});
