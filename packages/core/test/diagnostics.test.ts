/**
 * Telemetry through `node:diagnostics_channel`: every channel of DIAGNOSTICS_CHANNELS is subscribed and the
 * events the library publishes against real local servers are asserted field by field — and that none of them
 * carries a token, a secret or a claim other than `iss`.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, afterEach, before, describe, test } from 'node:test';
import { authenticateBearer } from '../src/bearer/authenticate.js';
import { BearerError } from '../src/bearer/bearer-error.js';
import { DIAGNOSTICS_CHANNELS, type DiagnosticsMessages } from '../src/diagnostics.js';
import { DiscoveryCache } from '../src/discovery/discovery-cache.js';
import { DiscoveryDocumentRequest, getDiscoveryDocument } from '../src/discovery/get-discovery-document.js';
import { generateDPoPKey } from '../src/dpop/dpop-key.js';
import { createDPoPProof } from '../src/dpop/dpop-proof.js';
import { DPoPProofError } from '../src/dpop/dpop-proof-error.js';
import { DPoPProofVerifier } from '../src/dpop/verify-proof.js';
import { getJwks, JwksRequest } from '../src/jwks/get-jwks.js';
import { RemoteKeySet } from '../src/jwks/remote-key-set.js';
import { ClientCredentialsTokenManager } from '../src/token-management/client-credentials-token-manager.js';
import { MemoryCacheStore } from '../src/token-management/memory-cache-store.js';
import { createTokenValidator } from '../src/validation/token-validator.js';
import {
  CLIENT_SECRET,
  type FakeAuthorizationServer,
  send,
  startFakeAuthorizationServer,
  TOKEN,
} from './introspection/fake-authorization-server.js';
import { active, answerWith, validatorFor } from './introspection/validator-support.js';
import { json, startServer } from './token/local-server.js';
import { rejectsWith, signJws, testKey } from './validation/helpers.js';

type Name = keyof DiagnosticsMessages;
type Seen = { [N in Name]: { name: N; message: DiagnosticsMessages[N] } }[Name];

const AUDIENCE = 'https://api.example';
const seen: Seen[] = [];
const record = (message: unknown, name: string | symbol) => {
  seen.push({ name, message } as Seen);
};
const names = Object.values(DIAGNOSTICS_CHANNELS);

/** The messages published on `name` since the last call, taken out of `seen`. */
function take<N extends Name>(name: N): DiagnosticsMessages[N][] {
  const mine = seen.filter((s) => s.name === name);
  for (const s of mine) seen.splice(seen.indexOf(s), 1);
  return mine.map((s) => s.message as DiagnosticsMessages[N]);
}

/** A duration is a finite number of milliseconds, at least 0; returned with it replaced for deepEqual. */
function timed<T extends { durationMs: number }>(message: T | undefined): Omit<T, 'durationMs'> {
  assert.ok(message !== undefined, 'expected an event');
  const { durationMs, ...rest } = message;
  assert.ok(Number.isFinite(durationMs) && durationMs >= 0, `durationMs ${durationMs}`);
  return rest;
}

let as: FakeAuthorizationServer;
const secrets: string[] = [CLIENT_SECRET, TOKEN];

function jwt(claims: Record<string, unknown>, kid = as.key.kid, key = as.key): string {
  const now = Math.floor(Date.now() / 1000);
  const token = signJws(
    { alg: 'ES256', typ: 'at+jwt', kid },
    { iss: as.issuer, aud: AUDIENCE, sub: 'user-secret-sub', iat: now, exp: now + 300, ...claims },
    key.privateKey,
    'ES256',
  );
  secrets.push(token, token.split('.')[1]!);
  return token;
}

before(async () => {
  as = await startFakeAuthorizationServer();
  for (const name of names) subscribe(name, record);
});
after(async () => {
  for (const name of names) unsubscribe(name, record);
  await as.close();
});
afterEach(() => {
  // Whatever a test left unasserted must still be free of tokens, secrets and claims beyond iss.
  const text = JSON.stringify(seen);
  for (const secret of [...secrets, 'user-secret-sub', AUDIENCE]) assert.ok(!text.includes(secret), secret);
  seen.length = 0;
});

describe('identity-model:validation', () => {
  test('every outcome: ok, refusals with the accepted issuer, and no issuer an attacker chose', async () => {
    const validator = createTokenValidator({ issuer: as.issuer, audience: AUDIENCE, httpClient: as.http });
    after(() => validator.close());

    await validator.validate(jwt({}));
    await validator.validate(jwt({})); // a second token: keys from memory, no fetch
    await rejectsWith(
      validator.validate(jwt({ exp: Math.floor(Date.now() / 1000) - 3600 })),
      'token_expired',
    );
    await rejectsWith(validator.validate(jwt({ iss: 'https://attacker.example/x' })), 'issuer_invalid');
    await rejectsWith(validator.validate('not-a-jwt'), 'token_malformed');
    await rejectsWith(validator.validate(jwt({}, 'unknown-kid')), 'key_not_found');

    const events = take('identity-model:validation').map(timed);
    assert.deepEqual(events, [
      { outcome: 'ok', issuer: as.issuer },
      { outcome: 'ok', issuer: as.issuer },
      { outcome: 'error', code: 'token_expired', issuer: as.issuer },
      { outcome: 'error', code: 'issuer_invalid' },
      { outcome: 'error', code: 'token_malformed' },
      { outcome: 'error', code: 'key_not_found', issuer: as.issuer },
    ]);

    // Behind it: one discovery fetch and the key set, first for the initial load, then for the unknown kid.
    assert.deepEqual(take('identity-model:discovery:fetch').map(timed), [
      {
        url: `${as.issuer}/.well-known/openid-configuration`,
        reason: 'initial',
        outcome: 'ok',
        status: 200,
      },
    ]);
    assert.deepEqual(take('identity-model:jwks:fetch').map(timed), [
      { url: as.jwksUri, reason: 'initial', outcome: 'ok', status: 200, keys: 1 },
      { url: as.jwksUri, reason: 'unknown_kid', outcome: 'ok', status: 200, keys: 1 },
    ]);
  });

  test('nothing is published once the subscriber is gone', async () => {
    for (const name of names) unsubscribe(name, record);
    try {
      const validator = createTokenValidator({ issuer: as.issuer, audience: AUDIENCE, httpClient: as.http });
      await validator.validate(jwt({}));
      await rejectsWith(validator.validate('x.y.z'), 'token_malformed');
      await validator.close();
      assert.deepEqual(seen, []);
    } finally {
      for (const name of names) subscribe(name, record);
    }
  });
});

describe('identity-model:jwks:fetch and identity-model:discovery:fetch', () => {
  test('a key set says why it fetched: initial, ttl, forced; a failure with its status and no keys', async () => {
    let fail = false;
    const server = await startServer((_req, res) =>
      fail ? json(res, 500, { error: 'down' }) : json(res, 200, { keys: [testKey('ES256').jwk] }),
    );
    after(() => server.close());
    const url = `${server.origin}/keys?api_key=query-secret`;
    secrets.push('query-secret');
    const keySet = new RemoteKeySet(url, { httpClient: as.http, defaultTtlMs: 0, minTtlMs: 0 });
    after(() => keySet.close());

    await keySet.getKeys(undefined);
    await keySet.getKeys(undefined); // lifetime 0: the set held has expired
    fail = true;
    assert.equal(await keySet.refresh(), false);

    assert.deepEqual(take('identity-model:jwks:fetch').map(timed), [
      { url: `${server.origin}/keys`, reason: 'initial', outcome: 'ok', status: 200, keys: 1 },
      { url: `${server.origin}/keys`, reason: 'ttl', outcome: 'ok', status: 200, keys: 1 },
      {
        url: `${server.origin}/keys`,
        reason: 'forced',
        outcome: 'error',
        status: 500,
        errorType: 'http',
        keys: 0,
      },
    ]);
  });

  test('direct calls are uncached; a discovery cache says forced on refresh()', async () => {
    await getJwks(new JwksRequest({ address: as.jwksUri }), as.http);
    await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: as.issuer }), as.http);
    const cache = new DiscoveryCache(as.issuer, { httpClient: as.http });
    await cache.get();
    await cache.get(); // fresh: from memory
    await cache.refresh();
    await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: 'http://127.0.0.1:1' }), as.http);

    assert.deepEqual(take('identity-model:jwks:fetch').map(timed), [
      { url: as.jwksUri, reason: 'uncached', outcome: 'ok', status: 200, keys: 1 },
    ]);
    const wellKnown = `${as.issuer}/.well-known/openid-configuration`;
    assert.deepEqual(take('identity-model:discovery:fetch').map(timed), [
      { url: wellKnown, reason: 'uncached', outcome: 'ok', status: 200 },
      { url: wellKnown, reason: 'initial', outcome: 'ok', status: 200 },
      { url: wellKnown, reason: 'forced', outcome: 'ok', status: 200 },
      {
        url: 'http://127.0.0.1:1/.well-known/openid-configuration',
        reason: 'uncached',
        outcome: 'error',
        errorType: 'http',
      },
    ]);
  });
});

describe('identity-model:token-manager:*', () => {
  test('requests with outcome and status, cache hits from memory and from the shared store', async () => {
    let refuse = false;
    let issued = 0;
    const idp = await startServer((_req, res) =>
      refuse
        ? json(res, 401, { error: 'invalid_client' })
        : json(res, 200, { access_token: `svc-token-${++issued}`, token_type: 'Bearer', expires_in: 300 }),
    );
    after(() => idp.close());
    secrets.push('svc-token-');
    const store = new MemoryCacheStore();
    const options = {
      tokenEndpoint: idp.url,
      clientId: 'svc',
      clientSecret: CLIENT_SECRET,
      httpClient: as.http,
    };
    const first = new ClientCredentialsTokenManager({ ...options, store });
    const second = new ClientCredentialsTokenManager({ ...options, store });
    after(() => Promise.all([first.close(), second.close(), store.close()]));

    await first.getToken();
    await first.getToken();
    await second.getToken(); // the token `first` stored
    refuse = true;
    await assert.rejects(first.getToken({ forceRenewal: true }), { code: 'token_request_failed' });

    const cacheKey = first.cacheKey;
    assert.deepEqual(take('identity-model:token-manager:request').map(timed), [
      { clientId: 'svc', cacheKey, outcome: 'ok', status: 200 },
      { clientId: 'svc', cacheKey, outcome: 'error', code: 'token_request_failed', status: 401 },
    ]);
    assert.deepEqual(take('identity-model:token-manager:cache-hit'), [
      { clientId: 'svc', cacheKey, source: 'memory' },
      { clientId: 'svc', cacheKey, source: 'store' },
    ]);
  });
});

describe('identity-model:introspection', () => {
  test('active, cached, inactive and error (no answer)', async () => {
    const validator = validatorFor(as, { audience: AUDIENCE });
    after(() => validator.close());
    answerWith(as, () => active({ aud: AUDIENCE }));
    await validator.validate(TOKEN);
    await validator.validate(TOKEN);
    answerWith(as, () => ({ active: false }));
    await rejectsWith(validator.validate(`${TOKEN}-revoked`), 'token_inactive');
    answerWith(as, () => ({ error: 'server_error' }), { status: 500 });
    await rejectsWith(validator.validate(`${TOKEN}-other`), 'keys_unavailable');

    assert.deepEqual(take('identity-model:introspection').map(timed), [
      { outcome: 'active', cached: false },
      { outcome: 'active', cached: true },
      { outcome: 'inactive', code: 'token_inactive', cached: false },
      { outcome: 'error', code: 'keys_unavailable', cached: false },
    ]);
  });
});

describe('identity-model:bearer:unavailable', () => {
  test('a 503 is published with its Retry-After; a 401 is not', async () => {
    const down = await startServer((_req, res) => send(res, 503, 'down', 'text/plain'));
    after(() => down.close());
    const validator = createTokenValidator({
      issuer: as.issuer,
      audience: AUDIENCE,
      jwksUri: `${down.origin}/jwks`,
      httpClient: as.http,
    });
    after(() => validator.close());
    const request = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

    const refusal = await authenticateBearer(request(jwt({})), validator).catch((e: unknown) => e);
    assert.ok(refusal instanceof BearerError && refusal.status === 503);
    await assert.rejects(authenticateBearer(request('not-a-jwt'), validator), { status: 401 });

    assert.deepEqual(take('identity-model:bearer:unavailable'), [
      { retryAfter: refusal.retryAfter, policyRefusal: false },
    ]);
    assert.ok(Number.isInteger(refusal.retryAfter) && (refusal.retryAfter ?? 0) >= 1);
  });
});

describe('identity-model:dpop:replay-refused', () => {
  test('a replayed proof is published with its method and URL (origin and path), the first use is not', async () => {
    const verifier = new DPoPProofVerifier();
    after(() => verifier.close());
    const key = generateDPoPKey('ES256');
    const proof = await createDPoPProof({ key, htm: 'POST', htu: 'https://rs.example/orders?id=7' });
    secrets.push(proof, 'id=7');
    // The URL as a server rebuilds it: origin and path.
    const request = { method: 'POST', url: 'https://rs.example/orders' };
    await verifier.verify(proof, request);
    assert.deepEqual(take('identity-model:dpop:replay-refused'), []);

    await assert.rejects(verifier.verify(proof, request), (e: unknown) => {
      return e instanceof DPoPProofError && e.code === 'dpop_replayed';
    });
    assert.deepEqual(take('identity-model:dpop:replay-refused'), [
      { method: 'POST', url: 'https://rs.example/orders' },
    ]);
  });
});
