import assert from 'node:assert/strict';
import { randomUUID, sign, verify } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigurationError, TokenValidationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import { type JsonWebKey, RemoteKeySet, type RemoteKeySetOptions } from '../../src/jwks/index.js';
import type { Logger } from '../../src/logger.js';
import { type LocalServer, sendJson, startServer } from '../http/local-server.js';
import { ecKey, edKey } from './test-keys.js';

const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });
const servers: LocalServer[] = [];
const sets: RemoteKeySet[] = [];
after(async () => {
  await Promise.all([http.close(), ...servers.map((s) => s.close()), ...sets.map((s) => s.close())]);
});

const keyA = ecKey('key-a');
const keyB = ecKey('key-b');
const keyC = edKey('key-c');

/** A JWKS endpoint whose published keys and health the test changes as it goes. */
async function jwksServer(
  initial: JsonWebKey[],
  options: { latencyMs?: number; headers?: Record<string, string> } = {},
) {
  const state = { keys: initial, down: false };
  const server = await startServer(async (_req, res) => {
    if (options.latencyMs) await delay(options.latencyMs);
    if (state.down) return sendJson(res, 503, {});
    sendJson(res, 200, { keys: state.keys }, options.headers);
  });
  servers.push(server);
  return { server, state };
}

function keySet(server: LocalServer, options: RemoteKeySetOptions = {}): RemoteKeySet {
  const set = new RemoteKeySet(`${server.url}/jwks`, { httpClient: http, ...options });
  sets.push(set);
  return set;
}

function warnings(): { logger: Logger; messages: string[] } {
  const messages: string[] = [];
  const noop = () => {};
  return {
    messages,
    logger: { debug: noop, info: noop, error: noop, warn: (_obj, msg) => messages.push(msg ?? '') },
  };
}

async function unavailable(promise: Promise<unknown>): Promise<TokenValidationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TokenValidationError, `expected TokenValidationError, got ${String(error)}`);
    assert.equal(error.code, 'keys_unavailable');
    return error;
  }
  assert.fail('expected keys_unavailable');
}

describe('RemoteKeySet', () => {
  test('100 concurrent cold calls make exactly 1 request and share the imported key', async () => {
    const { server } = await jwksServer([keyA.jwk, keyB.jwk], { latencyMs: 50 });
    const set = keySet(server);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => set.getKeys(i % 2 ? 'key-a' : 'key-b')),
    );
    assert.equal(server.count, 1);
    const a = results[1]![0]!;
    assert.ok(results.filter((_, i) => i % 2).every((r) => r.length === 1 && r[0] === a));
    assert.equal(a.kid, 'key-a');
    assert.equal(a.kty, 'EC');
    assert.equal(a.crv, 'P-256');
    assert.equal(a.alg, 'ES256');
  });

  test('the imported key verifies a signature made with its private key', async () => {
    const { server } = await jwksServer([keyC.jwk]);
    const [key] = await keySet(server).getKeys('key-c');
    const data = Buffer.from('header.payload');
    assert.equal(verify(null, data, key!.keyObject, sign(null, data, keyC.privateKey)), true);
  });

  test('a cache hit makes no request and returns the very same promise (no allocation per call)', async () => {
    const { server } = await jwksServer([keyA.jwk]);
    const set = keySet(server);
    await set.getKeys('key-a');
    const first = set.getKeys('key-a');
    assert.equal(set.getKeys('key-a'), first);
    assert.equal(set.getKeys(undefined), set.getKeys(undefined));
    assert.equal((await set.getKeys(undefined)).length, 1);
    assert.equal(server.count, 1);
  });

  test('after the TTL the next call refetches; unchanged keys keep their object', async () => {
    const { server } = await jwksServer([keyA.jwk]);
    const set = keySet(server, { defaultTtlMs: 150, minTtlMs: 0 });
    const [before] = await set.getKeys('key-a');
    await delay(250);
    const [after] = await set.getKeys('key-a');
    assert.equal(server.count, 2);
    assert.equal(after, before, 'the unchanged JWK was not imported again');
    assert.equal(set.isCurrent(before!), true);
  });

  test('Cache-Control max-age sets the TTL', async () => {
    const { server } = await jwksServer([keyA.jwk], { headers: { 'cache-control': 'max-age=1' } });
    const set = keySet(server, { defaultTtlMs: 50, minTtlMs: 0 });
    await set.getKeys('key-a');
    await delay(200);
    await set.getKeys('key-a');
    assert.equal(server.count, 1);
    await delay(1_000);
    await set.getKeys('key-a');
    assert.equal(server.count, 2);
  });

  test('key rotation: an unknown kid triggers one refetch that finds the new key', async () => {
    const { server, state } = await jwksServer([keyA.jwk]);
    const set = keySet(server, { cooldownMs: 0 });
    const [oldKey] = await set.getKeys('key-a');
    state.keys = [keyB.jwk];
    const found = await Promise.all(Array.from({ length: 20 }, () => set.getKeys('key-b')));
    assert.equal(server.count, 2, 'concurrent misses share one refetch');
    assert.equal(found[0]![0]!.kid, 'key-b');
    assert.equal(set.isCurrent(oldKey!), false, 'a withdrawn key is no longer current');
    assert.equal(set.isCurrent(found[0]![0]!), true);
  });

  test('kid flooding: random kids cost at most one fetch per cooldown', async () => {
    const { server } = await jwksServer([keyA.jwk]);
    const set = keySet(server, { cooldownMs: 400 });
    await set.getKeys('key-a');
    const flood = () => Promise.all(Array.from({ length: 100 }, () => set.getKeys(randomUUID())));

    const first = await flood();
    assert.ok(first.every((keys) => keys.length === 0));
    assert.equal(server.count, 2, '100 concurrent unknown kids: one shared refetch');
    await flood();
    await set.getKeys(randomUUID());
    assert.equal(server.count, 2, 'no refetch within the cooldown');

    await delay(500);
    await flood();
    assert.equal(server.count, 3, 'one more after the cooldown');
    assert.equal((await set.getKeys('key-a')).length, 1, 'known kids are unaffected');
  });

  test('a rotation right after start-up is picked up by the first unknown kid', async () => {
    const { server, state } = await jwksServer([keyA.jwk]);
    const set = keySet(server);
    await set.getKeys('key-a');
    state.keys = [keyA.jwk, keyB.jwk];
    assert.equal((await set.getKeys('key-b'))[0]?.kid, 'key-b');
    assert.equal(server.count, 2);
  });

  test('outage: when a refresh fails the last good keys keep serving, with a warning', async () => {
    const { server, state } = await jwksServer([keyA.jwk]);
    const { logger, messages } = warnings();
    const set = keySet(server, { defaultTtlMs: 100, minTtlMs: 0, failureBackoffMs: 10_000, logger });
    const [key] = await set.getKeys('key-a');
    state.down = true;
    await delay(150);
    assert.equal((await set.getKeys('key-a'))[0], key);
    assert.equal((await set.getKeys('key-a'))[0], key);
    assert.equal(server.count, 2, 'one failed refresh, then the backoff holds');
    assert.deepEqual(messages, ['JWKS refresh failed; serving the last good keys']);
    assert.equal(set.isCurrent(key!), true);

    await unavailable(set.getKeys('key-new'));
    assert.equal(server.count, 2, 'an unknown kid during the outage: keys_unavailable, no extra request');

    state.down = false;
    assert.equal(await set.refresh(), true);
    assert.equal((await set.getKeys('key-a'))[0], key);
  });

  test('an unknown kid whose refetch fails is keys_unavailable (503), not key_not_found (401)', async () => {
    const { server, state } = await jwksServer([keyA.jwk]);
    const set = keySet(server, { failureBackoffMs: 10_000 });
    await set.getKeys('key-a');
    state.down = true;
    await unavailable(set.getKeys('key-b'));
    await unavailable(set.getKeys('key-b'));
    assert.equal(server.count, 2, 'the failure backoff holds');
    assert.equal((await set.getKeys('key-a')).length, 1, 'the fresh keys keep serving');
  });

  test('outage longer than maxStaleAgeMs: stale keys stop serving (keys_unavailable)', async () => {
    const { server, state } = await jwksServer([keyA.jwk]);
    const set = keySet(server, { defaultTtlMs: 50, minTtlMs: 0, maxStaleAgeMs: 150, failureBackoffMs: 0 });
    await set.getKeys('key-a');
    state.down = true;
    await delay(80);
    assert.equal((await set.getKeys('key-a')).length, 1, 'still within the stale age');
    await delay(150);
    await unavailable(set.getKeys('key-a'));
  });

  test('no keys ever: keys_unavailable with retryAfter, and no request during the backoff', async () => {
    const { server, state } = await jwksServer([keyA.jwk]);
    state.down = true;
    const set = keySet(server, { failureBackoffMs: 2_000 });
    const errors = await Promise.all(Array.from({ length: 10 }, () => unavailable(set.getKeys('key-a'))));
    assert.equal(server.count, 1);
    assert.ok(errors[0]!.retryAfter !== undefined && errors[0]!.retryAfter >= 1);
    assert.ok(errors[0]!.cause !== undefined, 'keeps the cause');
    await unavailable(set.getKeys('key-a'));
    await unavailable(set.getKeys(undefined));
    assert.equal(server.count, 1);
  });

  test('a provider that recovers after the backoff is fetched again', async () => {
    const { server, state } = await jwksServer([keyA.jwk]);
    state.down = true;
    const set = keySet(server, { failureBackoffMs: 100 });
    await unavailable(set.getKeys('key-a'));
    state.down = false;
    await delay(150);
    assert.equal((await set.getKeys('key-a')).length, 1);
    assert.equal(server.count, 2);
  });

  test('encryption keys and rejected keys are not offered for verification', async () => {
    const weak = { kty: 'RSA', kid: 'weak', n: 'AQAB', e: 'AQAB' };
    const { server } = await jwksServer([{ ...keyA.jwk, use: 'enc' }, weak, keyB.jwk]);
    const { logger, messages } = warnings();
    const set = keySet(server, { logger });
    assert.deepEqual(
      (await set.getKeys(undefined)).map((k) => k.kid),
      ['key-b'],
    );
    assert.deepEqual(messages, ['JWKS keys ignored']);
  });

  test('a closed set refuses with keys_unavailable and holds no keys', async () => {
    const { server } = await jwksServer([keyA.jwk]);
    const set = keySet(server);
    const [key] = await set.getKeys('key-a');
    await set.close();
    await unavailable(set.getKeys('key-a'));
    assert.equal(set.isCurrent(key!), false);
  });

  test('invalid options are configuration errors', () => {
    assert.throws(() => new RemoteKeySet('not a url'), ConfigurationError);
    assert.throws(() => new RemoteKeySet('ftp://x/jwks'), ConfigurationError);
    assert.throws(() => new RemoteKeySet('https://x/jwks', { cooldownMs: -1 }), /cooldownMs/);
  });
});
