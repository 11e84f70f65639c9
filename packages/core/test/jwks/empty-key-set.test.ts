/**
 * A botched rotation publishes `{"keys": []}` (or a set whose every key is refused). `getJwks` calls that an
 * error, and `RemoteKeySet` a failed refresh: the last good keys keep serving, with a warning, and a cold
 * start answers keys_unavailable (503), never 401 for every caller.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { authenticateBearer } from '../../src/bearer/authenticate.js';
import { BearerError } from '../../src/bearer/bearer-error.js';
import { getJwks, JwksRequest, RemoteKeySet } from '../../src/jwks/index.js';
import type { Logger } from '../../src/logger.js';
import type { TokenValidator } from '../../src/validation/types.js';
import { type LocalServer, sendJson } from '../http/local-server.js';
import { ISSUER, rejectsWith, token as signed, type TestKey, testKey } from '../validation/helpers.js';
import { loopbackProvider } from './loopback-provider.js';

const provider = loopbackProvider();
const { http } = provider;

const good = testKey('ES256', 'good');
const next = testKey('ES256', 'next');
/** A fresh token each call (its own jti), so no verified-token cache can answer for the key set. */
const token = (key: TestKey) => signed(key, { jti: randomUUID() });
const weak = { kty: 'RSA', kid: 'weak', n: 'AQAB', e: 'AQAB' };

/** A JWKS endpoint whose published set the test replaces as it goes. */
async function jwksServer(keys: unknown[]): Promise<{ server: LocalServer; state: { keys: unknown[] } }> {
  const state = { keys };
  const server = await provider.serve((_req, res) => sendJson(res, 200, { keys: state.keys }));
  return { server, state };
}

function warnings(): { logger: Logger; lines: { obj: Record<string, unknown>; msg: string }[] } {
  const lines: { obj: Record<string, unknown>; msg: string }[] = [];
  const noop = () => {};
  const warn = (obj: object, msg?: string) => {
    lines.push({ obj: obj as Record<string, unknown>, msg: msg ?? '' });
  };
  return { lines, logger: { debug: noop, info: noop, error: noop, warn } };
}

/** Refetches on every call (TTL 0) so each validation sees what the server publishes now. */
function validatorFor(server: LocalServer, logger?: Logger): TokenValidator {
  return provider.jwksValidator(server, {
    keySet: { defaultTtlMs: 0, minTtlMs: 0, failureBackoffMs: 0 },
    ...(logger ? { logger } : {}),
  });
}

describe('getJwks: a set with no usable key is an error', () => {
  test('{"keys": []} is a protocol error that says the set is empty', async () => {
    const { server } = await jwksServer([]);
    const response = await getJwks(new JwksRequest({ address: `${server.url}/jwks` }), http);
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'the key set is empty');
    assert.equal(response.httpStatus, 200);
  });

  test('a set whose every key is refused is the same error, with the reasons', async () => {
    const { server } = await jwksServer([weak, { kty: 'oct', kid: 'hs', k: 'c2VjcmV0' }]);
    const response = await getJwks(new JwksRequest({ address: `${server.url}/jwks` }), http);
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'protocol');
    assert.match(response.error ?? '', /no usable key: all 2 were left out/);
    assert.deepEqual(
      response.rejectedKeys.map((r) => r.kid),
      ['weak', 'hs'],
    );
  });
});

describe('RemoteKeySet: an empty set is a failed refresh', () => {
  test('rotation to {"keys": []}: validation keeps working with the last good keys, with a warning', async () => {
    const { server, state } = await jwksServer([good.jwk]);
    const { logger, lines } = warnings();
    const validator = validatorFor(server, logger);
    await validator.validate(token(good));
    state.keys = [];
    const before = server.count;
    for (let i = 0; i < 3; i++) assert.equal((await validator.validate(token(good))).claims.iss, ISSUER);
    assert.ok(server.count > before, 'the empty set was fetched');
    assert.ok(
      lines.some(
        (l) =>
          l.msg === 'JWKS refresh failed; serving the last good keys' &&
          l.obj.error === 'the key set is empty',
      ),
      JSON.stringify(lines),
    );
    // A key that is not in the last good set cannot be decided meanwhile: 503, not 401.
    await rejectsWith(validator.validate(token(next)), 'keys_unavailable');
  });

  test('the provider fixes the set: the new keys are adopted', async () => {
    const { server, state } = await jwksServer([good.jwk]);
    const validator = validatorFor(server);
    await validator.validate(token(good));
    state.keys = [];
    await validator.validate(token(good));
    state.keys = [next.jwk];
    await delay(5);
    assert.equal((await validator.validate(token(next))).claims.iss, ISSUER);
    await rejectsWith(validator.validate(token(good)), 'key_not_found');
  });

  for (const [name, keys] of [
    ['every key refused', [weak]],
    ['only encryption keys', [{ ...good.jwk, use: 'enc' }]],
  ] as const) {
    test(`rotation to a set with ${name}: the last good keys keep serving`, async () => {
      const { server, state } = await jwksServer([good.jwk]);
      const validator = validatorFor(server);
      await validator.validate(token(good));
      state.keys = [...keys];
      const before = server.count;
      await validator.validate(token(good));
      assert.ok(server.count > before);
    });
  }

  test('cold start against {"keys": []}: keys_unavailable, answered 503 with Retry-After, not 401', async () => {
    const { server } = await jwksServer([]);
    const validator = validatorFor(server);
    await rejectsWith(validator.validate(token(good)), 'keys_unavailable');
    const request = { method: 'GET', url: '/', headers: { authorization: `Bearer ${token(good)}` } };
    await assert.rejects(authenticateBearer(request, validator), (error: unknown) => {
      assert.ok(error instanceof BearerError);
      const response = error.toResponse();
      assert.equal(response.status, 503);
      assert.match(response.headers['retry-after'] ?? '', /^[1-9]\d*$/);
      return true;
    });
  });

  test('cold start against a set of encryption keys only: keys_unavailable', async () => {
    const { server } = await jwksServer([{ ...good.jwk, use: 'enc' }]);
    const set = provider.track(new RemoteKeySet(`${server.url}/jwks`, { httpClient: http }));
    await rejectsWith(set.getKeys('good'), 'keys_unavailable');
    assert.equal(await set.refresh(), false);
    assert.deepEqual(set.keys, []);
  });
});
